// People: enrol by photo, enrolled persons and unknown identities, per-person timeline, rename / promote, add photos,
// merge one identity into another, delete (erase everywhere).
import { $, ago, fields, fmtTime, h, pct, showError } from './dom.js';
import { api, imgSrc } from './api.js';
import { openSighting } from './frames.js';

const UNKNOWN_THUMBS = 48; // latest-thumbnail lookups per refresh (one small request each)
let selected = null;
let everyone = []; // the last /api/persons answer, for the merge target list

const REFRESH_MS = 5000; // the lists follow new identities while the page is open

export function start() {
  $('#enrol-form').addEventListener('submit', enrol);
  setInterval(() => { if (!$('#page-people').hidden && !document.hidden) refresh(); }, REFRESH_MS);
}

export function shown() {
  refresh();
}

const isUnknown = (p) => !p.name;
const label = (p) => p.name || `Unknown ${p.id}`;

async function refresh() {
  let persons;
  try {
    persons = await api('/api/persons');
  } catch (e) {
    showError($('#enrol-error'), e);
    return;
  }
  everyone = persons;
  const enrolled = persons.filter((p) => !isUnknown(p)).sort((a, b) => a.name.localeCompare(b.name));
  const unknown = persons.filter(isUnknown);
  $('#people-enrolled').replaceChildren(...(enrolled.length ? enrolled.map((p) => row(p, null))
    : [h('li', { class: 'muted' }, 'Nobody enrolled yet.')]));
  const thumbs = await Promise.all(unknown.slice(0, UNKNOWN_THUMBS).map(latestThumb));
  $('#people-unknown').replaceChildren(...(unknown.length ? unknown.map((p, i) => row(p, thumbs[i] ?? null))
    : [h('li', { class: 'muted' }, 'No unknown faces seen yet.')]));
  if (selected && !persons.some((p) => p.id === selected)) { selected = null; $('#person-detail').hidden = true; }
}

async function latestThumb(p) {
  try {
    const d = await api(`/api/persons/${encodeURIComponent(p.id)}?limit=1`);
    return d.history[0]?.thumbnail_url ?? null;
  } catch {
    return null;
  }
}

function row(p, thumb) {
  const src = imgSrc(thumb);
  return h('li', { class: `person ${p.visible ? 'visible' : ''}`, 'data-person': p.id },
    isUnknown(p) ? (src ? h('img', { src, alt: '', loading: 'lazy' }) : h('div', { class: 'noimg' }, '?')) : null,
    h('button', { type: 'button', class: 'link name', onclick: () => detail(p.id) }, label(p)),
    h('span', { class: 'muted small' }, `${p.sightings} sighting${p.sightings === 1 ? '' : 's'}`,
      p.last_seen ? ` · last ${ago(p.last_seen)}` : '', p.visible ? ' · in view now' : ''));
}

async function detail(id) {
  selected = id;
  const box = $('#person-detail');
  box.hidden = false;
  box.replaceChildren(h('p', { class: 'muted' }, 'loading…'));
  let d;
  try {
    d = await api(`/api/persons/${encodeURIComponent(id)}?limit=200`);
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error' }, e.message));
    return;
  }
  const p = d.person;
  const nameInput = h('input', { name: 'name', value: p.name ?? '', placeholder: 'name', required: true });
  const err = h('p', { class: 'error', role: 'alert' });
  const renameForm = h('form', { class: 'inline admin-only', onsubmit: (ev) => rename(ev, p, nameInput.value, err) },
    nameInput, h('button', { type: 'submit' }, isUnknown(p) ? 'Promote to named person' : 'Rename'));
  box.replaceChildren(
    h('div', { class: 'row-head' }, h('h3', {}, label(p)),
      h('button', { type: 'button', class: 'danger admin-only', onclick: () => erase(p, err) }, 'Delete (erase everywhere)')),
    h('p', { class: 'muted small' }, `${p.sightings} sightings on ${p.cameras.length} camera${p.cameras.length === 1 ? '' : 's'}`,
      p.cameras.length ? ` (${p.cameras.join(', ')})` : '', ` · first ${fmtTime(p.first_seen)} · last ${fmtTime(p.last_seen)}`),
    renameForm,
    isUnknown(p) ? '' : photosForm(p, err),
    mergeForm(p, err) ?? '',
    err,
    h('h4', {}, 'Timeline'),
    d.history.length === 0 ? h('p', { class: 'muted' }, 'No sightings yet.') :
      h('ol', { class: 'timeline' }, d.history.map((s) => {
        const src = imgSrc(s.thumbnail_url);
        const lines = [`camera ${s.camera}`, `from ${fmtTime(s.start)}`, s.end ? `to ${fmtTime(s.end)}` : 'still in view',
          `similarity ${pct(s.similarity)}`, `track ${s.track_id}`];
        return h('li', { onclick: () => openSighting(s, label(p), lines) },
          src ? h('img', { src, alt: '', loading: 'lazy' }) : h('div', { class: 'noimg' }, '?'),
          h('div', {}, h('strong', {}, s.camera), h('div', { class: 'small' }, fmtTime(s.start), ' → ', s.end ? fmtTime(s.end) : 'now'),
            h('div', { class: 'muted small' }, `similarity ${pct(s.similarity)}`)));
      })));
  box.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

/** Add photos to an enrolled person (the enrol endpoint adds to an existing name). */
function photosForm(p, err) {
  const files = h('input', { type: 'file', name: 'files', accept: 'image/*', multiple: true, required: true, id: 'person-photos' });
  const done = h('span', { class: 'ok small' });
  return h('form', { class: 'inline admin-only', onsubmit: async (ev) => {
    ev.preventDefault();
    showError(err, null);
    const form = new FormData();
    form.append('name', p.name);
    for (const file of files.files) form.append('files', file, file.name);
    try {
      const r = await api('/api/persons', { method: 'POST', form });
      done.textContent = `${r.photos_total} photos in the gallery`;
      files.value = '';
    } catch (e) {
      showError(err, e);
    }
  } }, files, h('button', { type: 'submit' }, 'Add photos'), done);
}

/** Merge this identity into another: its history, sightings and embedding move there, this id goes. */
function mergeForm(p, err) {
  // an enrolled person can only go into another enrolled person; an unknown identity into anyone
  const targets = everyone.filter((t) => t.id !== p.id && (isUnknown(p) || !isUnknown(t)));
  if (targets.length === 0) return null;
  const select = h('select', { name: 'into', id: 'merge-into', required: true },
    h('option', { value: '' }, 'Merge into…'),
    targets.map((t) => h('option', { value: t.id }, `${label(t)} (${t.sightings} sightings)`)));
  return h('form', { class: 'inline admin-only', onsubmit: async (ev) => {
    ev.preventDefault();
    const target = targets.find((t) => t.id === select.value);
    if (!target || !confirm(`Merge ${label(p)} into ${label(target)}? Its sightings become ${label(target)}'s and ${p.id} goes away.`)) return;
    showError(err, null);
    try {
      await api(`/api/persons/${encodeURIComponent(p.id)}/merge`, { method: 'POST', json: { into: target.id } });
      await refresh();
      await detail(target.id);
    } catch (e) {
      showError(err, e);
    }
  } }, select, h('button', { type: 'submit', class: 'secondary' }, 'Merge'));
}

async function rename(ev, p, name, err) {
  ev.preventDefault();
  showError(err, null);
  try {
    await api(`/api/persons/${encodeURIComponent(p.id)}/name`, { method: 'POST', json: { name: name.trim() } });
    await refresh();
    await detail(p.id);
  } catch (e) {
    showError(err, e.status === 404 || e.status === 405 ? 'This server cannot rename yet.' : e);
  }
}

async function erase(p, err) {
  if (!confirm(`Delete ${label(p)}? This removes them from the gallery and erases their history, search sightings and images.`)) return;
  try {
    await api(`/api/persons/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
    selected = null;
    $('#person-detail').hidden = true;
    await refresh();
  } catch (e) {
    showError(err, e);
  }
}

async function enrol(ev) {
  ev.preventDefault();
  const f = fields(ev.target);
  showError($('#enrol-error'), null);
  $('#enrol-result').textContent = '';
  const form = new FormData();
  form.append('name', f.name.value.trim());
  for (const file of f.files.files) form.append('files', file, file.name);
  if (f.force.checked) form.append('force', 'true');
  const button = $('#enrol-go');
  button.disabled = true;
  button.textContent = 'Enrolling…';
  try {
    const r = await api('/api/persons', { method: 'POST', form });
    const skipped = r.photos.filter((x) => x.status !== 'ok' && x.status !== 'several_faces_used_largest');
    $('#enrol-result').textContent = `Enrolled ${r.name} (${r.id}): ${r.photos_total} photo${r.photos_total === 1 ? '' : 's'} in the gallery`
      + (skipped.length ? `; skipped ${skipped.map((x) => `${x.file} (${x.status.replaceAll('_', ' ')})`).join(', ')}` : '')
      + (r.outliers?.length ? `; enrolled although unlike the others: ${r.outliers.map((o) => o.file).join(', ')}` : '') + '.';
    ev.target.reset();
    await refresh();
  } catch (e) {
    // a 422 names the photos that do not agree in its message; a 400 lists each photo's outcome
    const photos = e.status === 422 ? null : e.body?.photos?.map((x) => `${x.file}: ${x.status.replaceAll('_', ' ')}`).join(', ');
    showError($('#enrol-error'), photos ? `${e.message} (${photos})` : e.status === 422 ? `${e.message} (or tick the box to enrol them anyway)` : e);
  } finally {
    button.disabled = false;
    button.textContent = 'Enrol';
  }
}
