// Cameras: live health, fps, faces/min (from counter deltas between polls), add/edit/remove, and a preview panel
// with the latest analysed frame and its faces boxed (GET /api/cameras/{id}/preview), refreshed while open.
import { $, ago, fields, fmtTime, h, pct, showError } from './dom.js';
import { api } from './api.js';
import { framedImage } from './frames.js';

const POLL_MS = 2000;
const WINDOW_MS = 60000;
const samples = new Map(); // camera id → [{t, faces}] over the last minute
let timer = null;
let previewing = null; // { id, title, timer } of the camera whose preview is open

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

/** When a failing camera is tried next, as the dashboard says it. */
function nextTry(at) {
  const s = Math.ceil((Date.parse(at) - Date.now()) / 1000);
  return s > 0 ? `next try in ${s} s` : 'retrying';
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
        c.reason ? h('div', { class: 'small reason' }, c.reason) : null,
        c.retry_at ? h('div', { class: 'muted small' }, nextTry(c.retry_at)) : null),
      h('td', { class: 'num' }, c.fps ?? '—'),
      h('td', { class: 'num fpm' }, fpm === null ? '…' : fpm.toFixed(1)),
      h('td', { class: 'num' }, c.frames_analyzed ?? 0, c.frames_dropped ? h('div', { class: 'muted small' }, `${c.frames_dropped} dropped`) : null),
      h('td', { class: 'num' }, c.tracks_started ?? 0),
      h('td', { class: 'small' }, c.silo ?? '—'),
      h('td', { class: 'small' }, ago(c.last_frame_at)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary preview-open', 'data-camera': c.id, onclick: () => openPreview(c) }, 'Preview'),
        h('button', { type: 'button', class: 'secondary admin-only', onclick: () => edit(c) }, 'Edit'),
        h('button', { type: 'button', class: 'danger admin-only', onclick: () => remove(c) }, 'Remove')));
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
    if (previewing?.id === c.id) closePreview();
    await refresh();
  } catch (e) {
    showError($('#cam-error'), e);
  }
}

/** Opens the preview panel (#cam-preview) on a camera; it reloads every POLL_MS while open and the page is shown. */
function openPreview(c) {
  closePreview();
  previewing = { id: c.id, title: c.name || c.id, timer: null };
  const panel = $('#cam-preview');
  panel.dataset.camera = c.id;
  panel.replaceChildren(
    h('div', { class: 'row-head' },
      h('h3', { id: 'cam-preview-title' }, `Preview: ${previewing.title}`),
      h('button', { type: 'button', class: 'secondary', id: 'cam-preview-close', onclick: closePreview }, 'Close')),
    h('p', { class: 'muted small', id: 'cam-preview-meta' }, 'loading the latest frame…'),
    h('div', { id: 'cam-preview-view' }));
  $('#cam-preview-view').style.maxWidth = '960px';
  panel.hidden = false;
  panel.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  loadPreview(previewing);
}

/** Name when known; otherwise the track's number (the full id is on the box's data-track); untracked: the score. */
function faceLabel(f) {
  if (f.identity_name) return f.identity_name;
  if (!f.track_id) return `face ${pct(f.score)}`;
  const n = f.track_id.slice(f.track_id.lastIndexOf('-') + 1);
  return f.identity_id ? `unknown · track ${n}` : `track ${n}`;
}

function closePreview() {
  if (previewing) clearTimeout(previewing.timer);
  previewing = null;
  const panel = $('#cam-preview');
  panel.hidden = true;
  panel.replaceChildren();
  delete panel.dataset.camera;
}

async function loadPreview(p) {
  if (previewing !== p) return; // closed or switched meanwhile
  if (!$('#page-cameras').hidden) {
    try {
      const preview = await api(`/api/cameras/${encodeURIComponent(p.id)}/preview`);
      if (previewing !== p) return;
      // decode first, then swap: the old frame stays up until the new one can replace it
      const img = h('img', { id: 'cam-preview-img', alt: `latest frame of ${p.title}` });
      img.src = preview.image;
      await img.decode().catch(() => {});
      if (previewing !== p) return;
      const faces = preview.faces.map((f) => ({
        box: f.box,
        kind: f.identity_name ? 'known' : f.track_id ? 'tracked' : 'face',
        label: faceLabel(f),
        track: f.track_id,
        identity: f.identity_id,
      }));
      $('#cam-preview-view').replaceChildren(framedImage(img, faces, { width: preview.width, height: preview.height }));
      $('#cam-preview-meta').textContent = `frame of ${fmtTime(preview.captured_at)} (${ago(preview.captured_at)}), `
        + `${preview.width}×${preview.height}, ${faces.length} face${faces.length === 1 ? '' : 's'}`;
    } catch (e) {
      if (previewing !== p) return;
      $('#cam-preview-meta').textContent = e.message;
      if (e.status !== 404) $('#cam-preview-view').replaceChildren();
    }
  }
  if (previewing === p) p.timer = setTimeout(() => loadPreview(p), POLL_MS);
}
