// Search by photo: POST /api/search (multipart), results grouped by person, one card per track; a card opens the
// sighting's keyframe (the whole frame its best face came from) with that face boxed, or its thumbnail without one.
import { $, fields, fmtTime, h, pct, showError } from './dom.js';
import { api, imgSrc } from './api.js';
import { openSighting } from './frames.js';

export function start() {
  $('#search-form').addEventListener('submit', run);
  $('#search-photo').addEventListener('change', (ev) => {
    const file = ev.target.files?.[0];
    const img = $('#search-preview');
    if (img.src) URL.revokeObjectURL(img.src);
    img.hidden = !file;
    if (file) img.src = URL.createObjectURL(file);
  });
}

export async function shown() {
  // camera filter choices follow the registered cameras; ticked ones stay ticked
  try {
    const cams = await api('/api/cameras');
    const box = $('#search-cams');
    const ticked = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
    box.replaceChildren(...cams.map((c) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'camera', value: c.id, checked: ticked.has(c.id) }), ` ${c.name || c.id}`)));
    if (cams.length === 0) box.append(h('span', { class: 'muted small' }, 'no cameras registered'));
  } catch { /* the search still works without the filter list */ }
}

const isoOrEmpty = (v) => (v ? new Date(v).toISOString() : '');

async function run(ev) {
  ev.preventDefault();
  const f = fields(ev.target);
  const file = f.photo.files?.[0];
  showError($('#search-error'), null);
  if (!file) { showError($('#search-error'), 'choose a photo first'); return; }
  const form = new FormData();
  form.append('photo', file, file.name);
  for (const c of ev.target.querySelectorAll('input[name=camera]:checked')) form.append('camera', c.value);
  if (f.from.value) form.append('from', isoOrEmpty(f.from.value));
  if (f.to.value) form.append('to', isoOrEmpty(f.to.value));
  form.append('top_k', f.top_k.value || '50');
  // empty: the server answers only at or above its match threshold
  if (f.min_similarity.value !== '') form.append('min_similarity', f.min_similarity.value);
  const button = $('#search-go');
  button.disabled = true;
  button.textContent = 'Searching…';
  try {
    render(await api('/api/search', { method: 'POST', form }));
  } catch (e) {
    showError($('#search-error'), e);
  } finally {
    button.disabled = false;
    button.textContent = 'Search';
  }
}

function render(answer) {
  const hits = answer.hits;
  const groups = new Map();
  for (const hit of hits) {
    const k = hit.identity_id ?? '?';
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(hit);
  }
  // best group first; within a group, the most similar track first
  const ordered = [...groups.entries()].map(([id, list]) => [id, list.sort((a, b) => b.similarity - a.similarity)])
    .sort((a, b) => b[1][0].similarity - a[1][0].similarity);
  // the server says why nothing came back, or how many hits are weak (below its match threshold)
  $('#search-summary').textContent = hits.length === 0
    ? `No sightings: ${answer.message ?? 'nothing matches this face'}. A wider time range may find some.`
    : `${hits.length} track${hits.length === 1 ? '' : 's'} of ${groups.size} identit${groups.size === 1 ? 'y' : 'ies'}`
      + ` at similarity ${pct(answer.min_similarity)} or more.` + (answer.message ? ` ${answer.message}.` : '');
  $('#search-results').replaceChildren(...ordered.map(([id, list]) => {
    const name = list[0].identity_name || (id.startsWith('u-') ? `Unknown ${id}` : id);
    return h('section', { class: 'group', 'data-identity': id },
      h('h3', {}, name, ' ', h('small', { class: 'muted' }, `${list.length} track${list.length === 1 ? '' : 's'}, best ${pct(list[0].similarity)}`)),
      h('div', { class: 'thumbs' }, list.map((hit) => card(hit, name))));
  }));
}

function card(hit, name) {
  const src = imgSrc(hit.thumbnail_url);
  const lines = [`camera ${hit.camera}`, `from ${fmtTime(hit.start)}`, hit.end ? `to ${fmtTime(hit.end)}` : 'track still open',
    `similarity ${pct(hit.similarity)}${hit.weak ? ' (weak: below the match threshold, may be someone else)' : ''}`, `track ${hit.track_id}`];
  return h('button', { type: 'button', class: hit.weak ? 'thumb result weak' : 'thumb result', 'data-track': hit.track_id, onclick: () => openSighting(hit, name, lines) },
    src ? h('img', { src, alt: `${name} on ${hit.camera}`, loading: 'lazy' }) : h('div', { class: 'noimg' }, '?'),
    h('span', { class: 'cap' }, h('strong', {}, hit.camera), h('br'), fmtTime(hit.start), h('br'), `sim ${pct(hit.similarity)}${hit.weak ? ' weak' : ''}`));
}

