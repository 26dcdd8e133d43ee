let selected = null;
let lastDlqHtml = '';
// No refresh while a redrive runs: a listing hides the messages it reads for a moment.
let busy = false;
const $ = (id) => document.getElementById(id);
const text = (value) => String(value ?? '-').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
// The token comes in the address the console printed at start; the tab keeps it, the address bar and history do not.
const token = new URLSearchParams(location.search).get('token') ?? sessionStorage.getItem('postbox-token') ?? '';
if (token) sessionStorage.setItem('postbox-token', token);
history.replaceState(null, '', location.pathname);
// A request that gets no answer at all: the local system stopped (or the network to it did).
class NoAnswer extends Error {}
const api = async (path, method = 'GET', body) => {
  const headers = { 'content-type': 'application/json', 'x-postbox-token': token };
  const response = await fetch(path, { method, headers, body: body && JSON.stringify(body) }).catch((error) => {
    throw new NoAnswer(error.message);
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error);
  return data;
};

function drawFlow(topology) {
  const box = (title, detail, testid = '') => `<div class="box" ${testid}><b>${text(title)}</b><small>${text(detail)}</small></div>`;
  const subscribers = topology.queues.filter((q) => q.topic);
  const commands = topology.queues.filter((q) => !q.topic);
  $('flow').innerHTML = [
    ['topics', [...topology.topics.map((t) => box(t.name, t.events.join(', '))), ...commands.map((q) => box(`send ${q.messageTypes[0]}`, 'command, point to point'))]],
    ['subscriptions', [...subscribers.map((q) => box(`${q.topic} → ${q.id}`, `type ∈ ${q.filter.type.join(', ')}`)), ...commands.map(() => box('(direct)', ''))]],
    ['queues', [...subscribers, ...commands].map((q) => box(q.name, `DLQ ${q.name.replace(/(\.fifo)?$/, '-dlq$1')}`, `data-testid="topology-queue-${q.id}"`))],
    ['handlers', [...subscribers, ...commands].map((q) => box(q.id, q.handler))],
  ].map(([title, boxes]) => `<div class="col"><h3>${title}</h3>${boxes.join('')}</div>`).join('');
}

// Each row is made once and its cells updated in place: a focused button keeps the focus, nothing flickers.
function drawQueues(status, rates) {
  for (const row of status) {
    let tr = $(`queue-row-${row.queue}`);
    if (!tr) {
      tr = document.createElement('tr');
      tr.id = `queue-row-${row.queue}`;
      tr.dataset.testid = `queue-${row.queue}`;
      tr.innerHTML = `<th scope="row">${text(row.name)}</th><td></td><td></td><td></td><td></td><td data-testid="dlq-count-${row.queue}"></td>
        <td><button type="button" data-testid="show-dlq-${row.queue}" aria-label="dead letters of ${text(row.queue)}">dead letters</button></td>`;
      tr.querySelector('button').onclick = () => {
        // The keyboard's place moves to the view it opened, which fills in once its listing comes.
        $('dlq-title').textContent = `Dead letters of ${row.queue}: reading…`;
        $('dlq-title').focus();
        showDlq(row.queue).catch((error) => ($('notice').textContent = `could not read the dead letters: ${error.message}`));
      };
      $('queues').append(tr);
    }
    tr.className = row.deadLetters > 0 ? 'dead' : '';
    const figures = [row.visible, row.inFlight, row.delayed, (rates[row.queue] ?? 0).toFixed(1), row.deadLetters];
    const cells = tr.querySelectorAll('td');
    figures.forEach((value, index) => {
      cells[index].textContent = String(value);
    });
  }
}

// What each queue's charts show; a second line is dashed, so that colour is not the only difference.
const queueCharts = [
  { id: 'throughput', title: 'handled and failed per second', key: 'queue', digits: 1, lines: [['handledPerSecond', 'handled/s', '#1e7e34'], ['failedPerSecond', 'failed/s', '#c0392b']] },
  { id: 'depth', title: 'waiting and in flight', key: 'queue', digits: 0, lines: [['waiting', 'waiting', '#1f5fbf'], ['inFlight', 'in flight', '#8a5a00']] },
  { id: 'age', title: 'age of the oldest message (s)', key: 'queue', digits: 0, lines: [['oldestAgeSeconds', 'oldest', '#6b3fa0']] },
  { id: 'dlq', title: 'DLQ depth', key: 'queue', digits: 0, lines: [['deadLetters', 'dead letters', '#c0392b']] },
];
const handlerCharts = {
  worker: { id: 'tasks', title: 'worker tasks in flight', key: 'worker', digits: 0, lines: [['inFlight', 'tasks', '#8a5a00']] },
  lambda: { id: 'durations', title: 'handler duration (ms)', key: 'lambda', digits: 1, lines: [['p50Ms', 'p50', '#1f5fbf'], ['p99Ms', 'p99', '#c0392b']] },
};
const charts = new Map();
const resizes = new ResizeObserver((entries) => {
  for (const entry of entries) charts.get(entry.target.dataset.chart)?.plot.setSize({ width: Math.floor(entry.contentRect.width), height: 130 });
});
const figure = (value, digits) => (value === null || value === undefined ? '–' : Number(value).toFixed(digits));

function addChart(parent, queue, spec) {
  const name = `${queue}-${spec.id}`;
  const element = document.createElement('figure');
  element.dataset.testid = `chart-${name}`;
  element.innerHTML = `<figcaption><b>${text(spec.title)}</b><span data-testid="chart-now-${name}"></span></figcaption><div data-chart="${name}" aria-hidden="true"></div>`;
  parent.append(element);
  const holder = element.querySelector('div');
  const plot = new uPlot(
    {
      width: Math.max(200, holder.clientWidth),
      height: 130,
      series: [{}, ...spec.lines.map(([, label, stroke], index) => ({ label, stroke, width: 2, ...(index > 0 && { dash: [6, 3] }) }))],
      // Time runs over at least the last minute, up to the window; counts start at 0, so a rise reads as one.
      scales: { x: { range: (_, min, max) => [Math.min(min ?? 0, (max ?? 0) - 60), max ?? 60] }, y: { range: (_, _min, max) => [0, Math.max(1, max ?? 0)] } },
      axes: [{ stroke: '#3d4756' }, { stroke: '#3d4756', size: 44 }],
      legend: { live: false },
    },
    [[]],
    holder,
  );
  charts.set(name, { plot, spec, queue, now: element.querySelector('span') });
  resizes.observe(holder);
}

function drawCharts(topology, series) {
  $('window').textContent = `(the last ${Math.round(series.windowMs / 60000)} minutes, every ${series.stepMs / 1000} s)`;
  for (const q of topology.queues) {
    if (!$(`charts-${q.id}`)) {
      const group = document.createElement('details');
      group.open = true;
      group.id = `charts-${q.id}`;
      group.innerHTML = `<summary>${text(q.name)}</summary><div class="charts"></div>`;
      $('charts').append(group);
      for (const spec of [...queueCharts, handlerCharts[q.handlerKind]].filter(Boolean)) addChart(group.querySelector('.charts'), q.id, spec);
    }
  }
  const times = series.times.map((at) => at / 1000);
  for (const { plot, spec, queue, now } of charts.values()) {
    const figures = series.charts[`${spec.key}:${queue}`] ?? {};
    const lines = spec.lines.map(([field]) => figures[field] ?? times.map(() => null));
    plot.setData([times, ...lines]);
    // The chart's words, for a screen reader and a glance: the latest sample's figure and the window's peak.
    now.textContent = spec.lines.map(([, label], index) => {
      const values = lines[index].filter((value) => value !== null);
      return `${label} ${figure(lines[index].at(-1), spec.digits)} (peak ${figure(values.length ? Math.max(...values) : null, spec.digits)})`;
    }).join(' · ');
  }
}

async function refresh() {
  const [{ topology, status, rates }, series] = await Promise.all([api('/api/overview'), api('/api/series')]);
  $('app').textContent = `${topology.app} · ${topology.stage}`;
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  if (!$('flow').childElementCount) drawFlow(topology);
  drawQueues(status, rates);
  drawCharts(topology, series);
  if (selected) await showDlq(selected, false);
}

async function showDlq(queue, announce = true) {
  selected = queue;
  const letters = await api(`/api/dlq/${queue}`);
  $('dlq-title').textContent = `Dead letters of ${queue} (${letters.length})`;
  $('dlq-actions').hidden = false;
  if (announce) $('notice').textContent = '';
  // Redrawn only when it changed, so a click is never lost to a refresh.
  const html = letters.map((d) => `
    <tr data-testid="dead-letter" data-message-id="${text(d.messageId)}">
      <td><code>${text(d.messageId)}</code></td><td>${text(d.type)}</td><td>${text(d.failedAt)}</td><td>${text(d.attempts)}</td>
      <td data-testid="reason">${text(d.errorCode ? `${d.errorCode}: ${d.errorMessage}` : 'not recorded (redrive policy)')}</td>
      <td><code>${text(d.excerpt)}</code></td>
      <td><button type="button" data-testid="redrive-one" onclick="redrive(['${text(d.messageId)}'])">redrive</button>
        <button type="button" data-testid="follow-dead-letter" data-follow="${text(d.sourceMessageId)}">journey</button></td>
    </tr>`).join('');
  if (html !== lastDlqHtml) $('dlq').innerHTML = lastDlqHtml = html;
}

/** Redrives the dead letters with these ids, or, with none named, every one. */
async function redrive(ids) {
  busy = true;
  try {
    const summary = await api(`/api/dlq/${selected}/redrive`, 'POST', ids ? { ids } : {});
    $('notice').textContent = `moved ${summary.moved}, failed ${summary.failed}, skipped ${summary.skipped}`;
  } catch (error) {
    $('notice').textContent = `redrive failed: ${error.message}`;
  }
  busy = false;
  await refresh();
}

$('dlq-actions').querySelector('[data-testid=redrive-all]').onclick = () => redrive();
$('dlq-actions').querySelector('[data-testid=purge]').onclick = async () => {
  if (!confirm(`Delete every dead letter of ${selected} for good?`)) return;
  await api(`/api/dlq/${selected}/purge`, 'POST');
  $('notice').textContent = `purged the dead letters of ${selected}`;
  await refresh();
};

// When the system stops answering the page says so plainly and keeps asking, rather than showing the last
// figures as if they were current; it clears when the system answers again.
let stoppedAt = null;
function showState() {
  document.body.classList.toggle('is-stopped', stoppedAt !== null);
  $('state').className = stoppedAt ? 'stopped' : '';
  $('state').textContent = stoppedAt ? 'stopped' : 'running';
  $('stopped').hidden = !stoppedAt;
  if (stoppedAt) $('stopped').textContent = `Stopped: the local system has not answered since ${stoppedAt.toLocaleTimeString()}; the figures below are from before then. Start it again (npm start) and open the address it prints.`;
}
async function tick() {
  try {
    if (!busy) await refresh();
    stoppedAt = null;
    showState();
  } catch (error) {
    if (!(error instanceof NoAnswer)) $('updated').textContent = `console lost the system: ${error.message}`;
    else if (!stoppedAt) {
      stoppedAt = new Date();
      showState();
    }
  }
  setTimeout(tick, 2000);
}
tick();
