// Cameras: live health, fps, faces/min (from counter deltas between polls), add/edit/remove.
import { $, ago, fields, h, showError } from './dom.js';
import { api } from './api.js';

const POLL_MS = 2000;
const WINDOW_MS = 60000;
const samples = new Map(); // camera id → [{t, faces}] over the last minute
let timer = null;

export function start() {
  $('#cam-form').addEventListener('submit', save);
  $('#cam-cancel').addEventListener('click', () => resetForm());
  refresh();
}

export function shown() {
  if (!timer) timer = setInterval(() => { if (!$('#page-cameras').hidden) refresh(); }, POLL_MS);
}

/** Faces per minute over the sampled window (counters are cumulative; a drop means the camera restarted). */
function facesPerMinute(id, faces) {
  const now = Date.now();
  const list = (samples.get(id) ?? []).filter((s) => now - s.t <= WINDOW_MS && s.faces <= faces);
  list.push({ t: now, faces });
  samples.set(id, list);
  const first = list[0];
  const dt = now - first.t;
  if (dt < POLL_MS * 0.9) return null;
  return ((faces - first.faces) * 60000) / dt;
}

function healthBadge(c) {
  const cls = { Streaming: 'ok', Connecting: 'warn', Reconnecting: 'warn', Stalled: 'warn', Failed: 'bad', Stopped: 'idle' }[c.health] ?? 'idle';
  return h('span', { class: `badge ${cls}`, 'data-health': c.health }, c.health);
}

async function refresh() {
  let cams;
  try {
    cams = await api('/api/cameras');
  } catch (e) {
    $('#cam-updated').textContent = `could not load cameras: ${e.message}`;
    return;
  }
  const rows = cams.sort((a, b) => a.id.localeCompare(b.id)).map((c) => {
    const fpm = facesPerMinute(c.id, c.faces_detected ?? 0);
    return h('tr', { 'data-camera': c.id },
      h('td', {}, h('strong', {}, c.name || c.id), c.name ? h('div', { class: 'muted small' }, c.id) : null,
        h('div', { class: 'muted small url', title: c.url }, c.url), c.zone ? h('div', { class: 'small' }, `zone ${c.zone}`) : null),
      h('td', {}, healthBadge(c), c.enabled ? null : h('span', { class: 'muted small' }, ' disabled'),
        c.reason ? h('div', { class: 'small reason' }, c.reason) : null),
      h('td', { class: 'num' }, c.fps ?? '—'),
      h('td', { class: 'num fpm' }, fpm === null ? '…' : fpm.toFixed(1)),
      h('td', { class: 'num' }, c.frames_analyzed ?? 0, c.frames_dropped ? h('div', { class: 'muted small' }, `${c.frames_dropped} dropped`) : null),
      h('td', { class: 'num' }, c.tracks_started ?? 0),
      h('td', { class: 'small' }, c.silo ?? '—'),
      h('td', { class: 'small' }, ago(c.last_frame_at)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => edit(c) }, 'Edit'),
        h('button', { type: 'button', class: 'danger', onclick: () => remove(c) }, 'Remove')));
  });
  $('#cam-table tbody').replaceChildren(...rows);
  $('#cam-table').hidden = rows.length === 0;
  $('#cam-empty').hidden = rows.length > 0;
  $('#cam-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function edit(c) {
  const f = fields($('#cam-form'));
  f.id.value = c.id; f.id.readOnly = true;
  f.url.value = c.url ?? ''; f.fps.value = c.fps ?? 2; f.name.value = c.name ?? ''; f.zone.value = c.zone ?? '';
  f.enabled.checked = !!c.enabled;
  $('#cam-form-title').textContent = `Edit camera ${c.id}`;
  $('#cam-cancel').hidden = false;
  $('#cam-form').scrollIntoView({ behavior: 'smooth' });
}

function resetForm() {
  $('#cam-form').reset();
  fields($('#cam-form')).id.readOnly = false;
  $('#cam-form-title').textContent = 'Add a camera';
  $('#cam-cancel').hidden = true;
  showError($('#cam-error'), null);
}

async function save(ev) {
  ev.preventDefault();
  const f = fields(ev.target);
  const id = f.id.value.trim();
  showError($('#cam-error'), null);
  try {
    await api(`/api/cameras/${encodeURIComponent(id)}`, {
      method: 'PUT',
      json: { url: f.url.value.trim(), fps: Number(f.fps.value) || 2, enabled: f.enabled.checked, name: f.name.value.trim() || null, zone: f.zone.value.trim() || null },
    });
    resetForm();
    await refresh();
  } catch (e) {
    showError($('#cam-error'), e);
  }
}

async function remove(c) {
  if (!confirm(`Remove camera ${c.id}? Its ingest stops; past sightings stay searchable.`)) return;
  try {
    await api(`/api/cameras/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
    samples.delete(c.id);
    await refresh();
  } catch (e) {
    showError($('#cam-error'), e);
  }
}
