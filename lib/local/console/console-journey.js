// The journey of a message: search, then every hop of it and of the messages of its correlation, in time order.
// Uses $, api and text from console-page.js.
let journeyShown = null;
let lastJourneyHtml = '';

const outcomeWords = { handled: 'handled', retrying: 'retrying', 'dead-lettered': 'dead-lettered' };

function journeyStatus(status) {
  const entries = Object.entries(status);
  return entries.length ? entries.map(([queue, outcome]) => `${queue}: ${outcomeWords[outcome]}`).join(', ') : 'not received yet';
}

// Where each message of the journey is now: its end on each queue, or that it is still on its way.
function journeyEnd(messages) {
  const ends = messages.map((message) => `${text(message.type)}: ${text(journeyStatus(message.status))}`).join('; ');
  return `<li class="end" data-testid="journey-end"><b>now</b> ${ends}</li>`;
}

async function searchJourneys(query) {
  const { matches, capacity } = await api(`/api/journeys?q=${encodeURIComponent(query)}`);
  $('journey-note').textContent = matches.length
    ? `${matches.length} message${matches.length === 1 ? '' : 's'} found${query ? '' : ' (the latest)'}; pick one to follow.`
    : `No message matches '${query}' among the last ${capacity.toLocaleString()} this system saw.`;
  $('journey-matches').innerHTML = matches
    .map(
      (match) => `<li><button type="button" data-testid="journey-match" data-id="${text(match.id)}">${text(match.type)} <code>${text(match.id)}</code></button>
        <small>${text(new Date(match.firstAt).toLocaleTimeString())} · ${text(journeyStatus(match.status))}</small></li>`,
    )
    .join('');
  for (const button of $('journey-matches').querySelectorAll('button')) button.onclick = () => showJourney(button.dataset.id, true);
  if (matches.length === 1) await showJourney(matches[0].id, true);
}

async function showJourney(id, announce = false) {
  journeyShown = id;
  const { messages, timeline } = await api(`/api/journeys/${encodeURIComponent(id)}`);
  const start = timeline[0]?.at ?? 0;
  const short = (messageId) => (messageId.length > 12 ? `${messageId.slice(0, 8)}…` : messageId);
  const html = timeline
    .map(
      (hop) => `<li data-testid="hop" data-kind="${hop.kind}" data-outcome="${hop.outcome ?? ''}" data-queue="${text(hop.queue ?? '')}" data-message="${text(hop.message)}" class="hop ${hop.outcome ?? hop.kind}">
        <time datetime="${new Date(hop.at).toISOString()}">+${(hop.at - start).toLocaleString()} ms</time>
        ${messages.length > 1 ? `<code title="${text(hop.message)}">${text(short(hop.message))}</code>` : ''}
        <span>${text(hop.text)}</span>${hop.reason ? `<br><small data-testid="hop-reason">${text(hop.reason.message)}</small>` : ''}</li>`,
    )
    .join('') + journeyEnd(messages);
  const mine = messages.find((message) => message.id === id);
  const caused = messages.length > 1 ? ` and the ${messages.length - 1} message${messages.length === 2 ? '' : 's'} of its correlation` : '';
  $('journey-heading').textContent = `Journey of ${mine?.type ?? ''} ${id}${caused}`;
  $('journey-heading').hidden = false;
  const picked = $('journey-matches').querySelector(`[data-id="${CSS.escape(id)}"] + small`);
  if (picked && mine) picked.textContent = `${new Date(mine.hops[0].at).toLocaleTimeString()} · ${journeyStatus(mine.status)}`;
  // Redrawn only when it changed: a reader's place and selection survive the refresh.
  if (html !== lastJourneyHtml) $('journey-timeline').innerHTML = lastJourneyHtml = html;
  if (announce) $('journey-heading').focus();
}

// A dead letter's row opens its journey (found by its source message's id; read from a data attribute, never run as code).
$('dlq').addEventListener('click', (event) => {
  const id = event.target.closest('[data-follow]')?.dataset.follow;
  if (!id) return;
  $('journey-query').value = id;
  searchJourneys(id).catch((error) => {
    $('journey-note').textContent = `search failed: ${error.message}`;
  });
});

$('journey-search').onsubmit = async (event) => {
  event.preventDefault();
  try {
    await searchJourneys($('journey-query').value);
  } catch (error) {
    $('journey-note').textContent = `search failed: ${error.message}`;
  }
};

// The journey shown follows the system as it runs: a retry, a dead-lettering or a redrive appears without a new search.
setInterval(() => {
  if (journeyShown && !document.body.classList.contains('is-stopped')) showJourney(journeyShown).catch(() => undefined);
}, 2000);
