// Acting from the page: publish from a message type's form, redrive or delete selected dead letters, pause and
// resume a queue's consumer. Uses the page's api(), $(), text(), refresh(), redrive() and its selected DLQ (console-page.js).
const chosen = new Set();
const fieldId = (name) => `publish-field-${name.replace(/[^\w-]/g, '_')}`;

// ---- Publish an event or send a command --------------------------------------------------------------------------
let messageTypes = [];

async function loadMessageTypes() {
  try {
    messageTypes = await api('/api/message-types');
  } catch {
    setTimeout(loadMessageTypes, 2000);
    return;
  }
  $('publish-type').innerHTML = messageTypes
    .map((t) => `<option value="${text(t.type)}">${text(t.kind === 'event' ? 'publish' : 'send')} ${text(t.type)}</option>`)
    .join('');
  drawPublishFields();
}

function drawPublishFields() {
  const type = messageTypes.find((t) => t.type === $('publish-type').value);
  if (!type) return;
  $('publish-about').textContent = `${type.kind === 'event' ? 'An event, to topic' : 'A command, to queue'} ${type.destination}${type.description ? `: ${type.description}` : ''}`;
  $('publish-submit').textContent = type.kind === 'event' ? 'Publish' : 'Send';
  const describe = (id) => `aria-describedby="${id}-hint ${id}-error"`;
  const error = (id) => `<span class="field-error" id="${id}-error" data-testid="error-${id}"></span>`;
  if (!type.fields) {
    // Nested or other shapes: the data as JSON, checked against the same schema on the server.
    const id = fieldId('(data)');
    $('publish-fields').innerHTML = `<div class="field"><label for="${id}">data (JSON)</label>
      <small id="${id}-hint">the whole data as JSON; its schema: <code>${text(JSON.stringify(type.schema))}</code></small>
      <textarea id="${id}" rows="6" data-json ${describe(id)}>{}</textarea>${error(id)}</div>`;
    return;
  }
  $('publish-fields').innerHTML = type.fields
    .map((field) => {
      const id = fieldId(field.name);
      const label = `<label for="${id}">${text(field.name)}${field.required ? '' : ' <small>(optional)</small>'}</label><small id="${id}-hint">${text(field.hint)}</small>`;
      const control =
        field.input === 'choice'
          ? `<select id="${id}" name="${text(field.name)}" ${describe(id)}>${field.required ? '' : '<option value="">(not set)</option>'}${field.options
              .map((option) => `<option value="${text(JSON.stringify(option))}">${text(option)}</option>`)
              .join('')}</select>`
          : `<input id="${id}" name="${text(field.name)}" type="${field.input === 'number' ? 'number' : 'text'}" step="any"${field.required ? ' data-required' : ''} ${describe(id)}>`;
      return `<div class="field" data-field="${text(field.name)}" data-input="${field.input}">${label}${control}${error(id)}</div>`;
    })
    .join('');
}

/** The data the form says: blank optional fields are left out, a number field's text is sent as a number. */
function formData() {
  const json = $('publish-fields').querySelector('[data-json]');
  if (json) return JSON.parse(json.value);
  const data = {};
  for (const field of $('publish-fields').querySelectorAll('[data-field]')) {
    const control = field.querySelector('input, select');
    const input = field.dataset.input;
    // Blank required text is empty text, for the schema to judge; any other blank field is left out.
    if (control.value === '' && !(input === 'text' && 'required' in control.dataset)) continue;
    data[field.dataset.field] = input === 'choice' ? JSON.parse(control.value) : input === 'number' && Number.isFinite(Number(control.value)) ? Number(control.value) : control.value;
  }
  return data;
}

function showFieldErrors(issues) {
  for (const control of $('publish-fields').querySelectorAll('input, select, textarea')) {
    control.removeAttribute('aria-invalid');
    $(`${control.id}-error`).textContent = '';
  }
  const json = $('publish-fields').querySelector('[data-json]');
  let first = null;
  for (const issue of issues) {
    // A form field per top-level property; anything else (the JSON editor, a nested path) is told at the data.
    const control = json ?? $(fieldId(issue.field.split('.')[0])) ?? $(fieldId('(data)'));
    if (!control) continue;
    control.setAttribute('aria-invalid', 'true');
    const words = json || issue.field.includes('.') ? `${issue.field}: ${issue.message}` : issue.message;
    const error = $(`${control.id}-error`);
    error.textContent = error.textContent ? `${error.textContent}; ${words}` : words;
    first ??= control;
  }
  return first;
}

// A publish under way: a second submit (a double click, Enter pressed again) is not a second message.
let publishing = false;

async function publish(event) {
  event.preventDefault();
  if (publishing) return;
  publishing = true;
  $('publish-submit').disabled = true;
  try {
    await publishOnce();
  } finally {
    publishing = false;
    $('publish-submit').disabled = false;
  }
}

async function publishOnce() {
  const type = $('publish-type').value;
  const result = $('publish-result');
  result.className = '';
  let data;
  try {
    data = formData();
  } catch (error) {
    showFieldErrors([{ field: '(data)', message: `not JSON: ${error.message}` }])?.focus();
    return;
  }
  const response = await fetch('/api/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-postbox-token': token },
    body: JSON.stringify({ type, data }),
  }).catch((error) => ({ ok: false, json: async () => ({ error: `the local system did not answer (${error.message})` }) }));
  const answer = await response.json();
  const invalid = showFieldErrors(answer.issues ?? []);
  if (response.ok) {
    result.textContent = `${answer.kind === 'event' ? 'Published' : 'Sent'} ${type}: id ${answer.id}, the one the message journey finds it by (${answer.kind === 'event' ? 'SNS' : 'SQS'} message id ${answer.messageId}).`;
    result.dataset.messageId = answer.messageId;
    result.focus();
  } else if (invalid) {
    result.textContent = `${type} was not ${answer.kind === 'command' ? 'sent' : 'published'}: correct the fields marked above.`;
    result.className = 'failed';
    invalid.focus();
  } else {
    result.textContent = answer.error;
    result.className = 'failed';
    result.focus();
  }
}

$('publish-type').onchange = drawPublishFields;
$('publish-form').onsubmit = publish;
loadMessageTypes();

// ---- Select dead letters; redrive or delete them ------------------------------------------------------------------
let chosenQueue = null;

function decorateDeadLetters() {
  if (chosenQueue !== selected) {
    chosen.clear();
    chosenQueue = selected;
  }
  const rows = [...$('dlq').querySelectorAll('tr[data-testid=dead-letter]')];
  const listed = new Set(rows.map((row) => row.dataset.messageId));
  for (const id of [...chosen]) if (!listed.has(id)) chosen.delete(id);
  for (const row of rows) {
    if (row.querySelector('[data-testid=select-dead-letter]')) continue;
    const id = row.dataset.messageId;
    const cell = document.createElement('td');
    cell.innerHTML = `<input type="checkbox" data-testid="select-dead-letter" aria-label="select dead letter ${text(id)}">`;
    const box = cell.firstChild;
    box.checked = chosen.has(id);
    box.onchange = () => {
      if (box.checked) chosen.add(id);
      else chosen.delete(id);
      showChosen();
    };
    row.prepend(cell);
  }
  showChosen();
}

function showChosen() {
  const rows = $('dlq').querySelectorAll('tr[data-testid=dead-letter]').length;
  const all = $('dlq-select-all');
  all.checked = rows > 0 && chosen.size === rows;
  all.indeterminate = chosen.size > 0 && chosen.size < rows;
  $('dlq-chosen').textContent = `${chosen.size} selected`;
  for (const button of $('dlq-actions').querySelectorAll('[data-chosen]')) button.disabled = chosen.size === 0;
}

$('dlq-select-all').onchange = () => {
  for (const box of $('dlq').querySelectorAll('[data-testid=select-dead-letter]')) {
    box.checked = $('dlq-select-all').checked;
    const id = box.closest('tr').dataset.messageId;
    if (box.checked) chosen.add(id);
    else chosen.delete(id);
  }
  showChosen();
};

const countOf = (n) => `${n} dead letter${n === 1 ? '' : 's'}`;
const settled = () => {
  $('notice').tabIndex = -1;
  $('notice').focus();
};

$('dlq-redrive-selected').onclick = async () => {
  const ids = [...chosen];
  // Clicked again while the first is under way (the selection already taken): nothing more is selected.
  if (ids.length === 0) return;
  if (!confirm(`Redrive ${countOf(ids.length)} of ${selected}?`)) return;
  chosen.clear();
  showChosen();
  // The page's own redrive: the same route and strategy as `postbox dlq redrive --id`.
  await redrive(ids);
  settled();
};

$('dlq-delete-selected').onclick = async () => {
  const ids = [...chosen];
  // Clicked again while the first is under way (the selection already taken): nothing more is selected.
  if (ids.length === 0) return;
  const queue = selected;
  if (!confirm(`Delete ${countOf(ids.length)} of ${queue} for good?`)) return;
  chosen.clear();
  showChosen();
  busy = true;
  try {
    const summary = await api(`/api/dlq/${queue}/delete`, 'POST', { ids });
    const missing = summary.notFound.length ? `; not found: ${summary.notFound.join(', ')}` : '';
    const failed = summary.failures.length ? `; not deleted: ${summary.failures.map((f) => `${f.messageId} (${f.reason})`).join(', ')}` : '';
    $('notice').textContent = `deleted ${countOf(summary.deleted.length)} of ${queue}${missing}${failed}`;
  } catch (error) {
    $('notice').textContent = `delete failed: ${error.message}`;
  }
  busy = false;
  await refresh().catch(() => undefined);
  settled();
};

new MutationObserver(decorateDeadLetters).observe($('dlq'), { childList: true });

// ---- Pause and resume a queue's consumer, from its row ------------------------------------------------------------
let consumerStates = {};

function decorateQueues() {
  // A stopped system runs no consumer: its last known states would say otherwise.
  const stopped = document.body.classList.contains('is-stopped');
  for (const row of $('queues').querySelectorAll('tr[data-testid^=queue-]')) {
    const queue = row.dataset.testid.slice('queue-'.length);
    const state = stopped ? undefined : consumerStates[queue];
    let cell = row.querySelector('[data-consumer-cell]');
    if (!cell) {
      cell = document.createElement('td');
      cell.dataset.consumerCell = '';
      cell.innerHTML = `<span data-testid="consumer-state-${text(queue)}" aria-live="polite"></span>
        <button type="button" data-testid="toggle-consumer-${text(queue)}"></button>`;
      cell.querySelector('button').onclick = () => toggleConsumer(queue);
      row.append(cell);
    }
    const button = cell.querySelector('button');
    button.hidden = state === undefined;
    cell.querySelector('span').textContent = stopped ? 'stopped' : (state ?? 'none here');
    button.textContent = state === 'paused' ? 'resume' : 'pause';
    button.setAttribute('aria-label', `${state === 'paused' ? 'resume' : 'pause'} the consumer of ${queue}`);
    row.dataset.consumer = state ?? '';
  }
}

async function toggleConsumer(queue) {
  const action = consumerStates[queue] === 'paused' ? 'resume' : 'pause';
  try {
    const { state } = await api(`/api/consumers/${queue}/${action}`, 'POST');
    consumerStates[queue] = state;
  } catch (error) {
    $('updated').textContent = `could not ${action} the consumer of ${queue}: ${error.message}`;
  }
  decorateQueues();
}

async function readConsumers() {
  try {
    consumerStates = await api('/api/consumers');
    decorateQueues();
  } catch {
    // The page's own refresh says when the system stopped; the rows follow it.
    decorateQueues();
  }
  setTimeout(readConsumers, 2000);
}

new MutationObserver(decorateQueues).observe($('queues'), { childList: true });
readConsumers();
