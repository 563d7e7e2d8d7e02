// Live feed: alerts (GET /api/alerts/stream, when this server has alert rules) and every identity event (GET /api/events), over SSE.
import { $, fmtTime, h, openViewer, pct } from './dom.js';
import { api, imgSrc, probeStream, sse } from './api.js';
import * as rules from './rules.js';

const MAX_ITEMS = 200;
const sources = [];
let unseen = 0;

export async function start() {
  const alertsAvailable = await probeStream('/api/alerts/stream');
  if (alertsAvailable) {
    $('#alerts-col').hidden = false;
    follow('/api/alerts/stream', $('#alert-feed'), true);
    $('#live-note').textContent = 'Alerts appear when an alert rule matches (manage the rules below). Beside them, every face event as it happens.';
    rules.start();
  } else {
    $('#rules').hidden = true;
    $('#live-note').textContent = 'This server has no alert rules endpoint; showing every face event (appeared / moved camera / left) as it happens.';
  }
  // recent history first, then the live stream continues after its last sequence number
  let after = 0;
  try {
    const recent = await api('/api/events/recent?count=50');
    for (const e of recent) { add($('#event-feed'), e, false); after = Math.max(after, e.seq ?? 0); }
  } catch { /* the stream below still works */ }
  follow(`/api/events?after=${after}`, $('#event-feed'), false);
  $('#live-source').textContent = alertsAvailable ? 'SSE: /api/alerts/stream + /api/events' : 'SSE: /api/events';
}

export function shown() {
  unseen = 0;
  badge();
  if (!$('#rules').hidden) rules.refresh(); // cameras and people may have changed on other pages
}

function follow(path, list, isAlert) {
  const es = sse(path);
  sources.push(es);
  const onMessage = (m) => {
    try { add(list, JSON.parse(m.data), isAlert); } catch { /* ignore a malformed event */ }
  };
  // the server names its events (appeared, left, …); listen to those and to unnamed ones
  for (const name of ['message', 'appeared', 'left', 'movedcamera', 'moved_camera', 'alert']) es.addEventListener(name, onMessage);
  es.onopen = () => list.classList.remove('disconnected');
  es.onerror = () => list.classList.add('disconnected'); // EventSource reconnects by itself, sending Last-Event-ID
}

function kindOf(e) {
  const k = String(e.event ?? e.kind ?? '').toLowerCase();
  if (k.startsWith('moved')) return 'moved camera';
  return k || 'event';
}

function add(list, e, isAlert) {
  const key = `${e.alert_id ?? e.id ?? ''}:${e.seq ?? ''}`;
  if (list.querySelector(`[data-key="${CSS.escape(key)}"]`)) return;
  const who = e.identity_name || (String(e.identity_id ?? '').startsWith('u-') ? `Unknown ${e.identity_id}` : e.identity_id) || 'someone';
  const kind = kindOf(e);
  const src = imgSrc(e.thumbnail_url);
  const lines = [`${kind} on camera ${e.camera}`, e.previous_camera ? `from camera ${e.previous_camera}` : null,
    `at ${fmtTime(e.time)}`, `similarity ${pct(e.similarity)}`, `track ${e.track_id}`, isAlert ? `rule ${e.rule_name ?? e.rule_id}` : null];
  const item = h('li', { class: `item ${isAlert ? 'alert' : ''} kind-${kind.replace(' ', '-')}`, 'data-key': key,
      onclick: () => openViewer(src, who, lines) },
    src ? h('img', { src, alt: '', loading: 'lazy' }) : h('div', { class: 'noimg' }, '?'),
    h('div', {},
      h('div', {}, h('strong', { class: 'who' }, who), ' ', h('span', { class: `tag ${kind.replace(' ', '-')}` }, kind)),
      h('div', { class: 'small' }, 'camera ', h('span', { class: 'cam' }, e.camera ?? '—'), e.previous_camera ? ` (from ${e.previous_camera})` : ''),
      h('div', { class: 'muted small' }, fmtTime(e.time), isAlert && e.rule_name ? ` · rule “${e.rule_name}”` : '')));
  list.prepend(item);
  while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
  if ($('#page-live').hidden) { unseen++; badge(); }
}

function badge() {
  const a = document.querySelector('#nav a[data-page="live"]');
  a.dataset.count = unseen > 0 ? String(Math.min(unseen, 99)) : '';
}
