// Alert rules on the live page: list, add, edit (PUT keeps a webhook's secret when its URL stays), delete.
import { $, fields, h, showError } from './dom.js';
import { api } from './api.js';

let rules = [];
let editing = null; // the rule being edited, or null when adding

export function start() {
  $('#rule-form').addEventListener('submit', save);
  $('#rule-cancel').addEventListener('click', () => reset());
  $('#rule-kind').addEventListener('change', personField);
  $('#rules').addEventListener('toggle', () => { if ($('#rules').open) refresh(); });
  refresh();
}

function personField() {
  const needsPerson = $('#rule-kind').value === 'person';
  $('#rule-person-label').hidden = !needsPerson;
  $('#rule-person').required = needsPerson;
}

export async function refresh() {
  try {
    const [list, cameras, persons] = await Promise.all([api('/api/alerts/rules'), api('/api/cameras'), api('/api/persons')]);
    rules = list;
    cameraChecks(cameras);
    $('#rule-people').replaceChildren(...persons.filter((p) => p.name).map((p) => h('option', { value: p.name })));
  } catch (e) {
    showError($('#rule-error'), e);
    return;
  }
  $('#rules-count').textContent = rules.length ? `(${rules.length})` : '(none yet: add one below)';
  $('#rules-table').hidden = rules.length === 0;
  $('#rules-table tbody').replaceChildren(...rules.map((r) => h('tr', { 'data-rule': r.id },
    h('td', {}, h('strong', {}, r.name), h('div', { class: 'muted small' }, r.id)),
    h('td', {}, r.kind === 'person' ? (r.person_name || r.person_id) : r.kind === 'unknown' ? 'any unknown face' : 'any enrolled person'),
    h('td', {}, r.cameras.length ? r.cameras.join(', ') : 'all'),
    h('td', {}, r.windows.length ? r.windows.join('; ') : 'always'),
    h('td', { class: 'num' }, `${r.cooldown_seconds} s`),
    h('td', { class: 'url' }, r.webhook_url ?? '—'),
    h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary admin-only', onclick: () => edit(r) }, 'Edit'),
      h('button', { type: 'button', class: 'danger admin-only', onclick: () => remove(r) }, 'Delete')))));
  personField();
}

function cameraChecks(cameras) {
  const ticked = new Set([...document.querySelectorAll('#rule-cams input:checked')].map((i) => i.value));
  $('#rule-cams').replaceChildren(...(cameras.length ? cameras.map((c) => h('label', {},
    h('input', { type: 'checkbox', name: 'camera', value: c.id, checked: ticked.has(c.id) }), c.name || c.id))
    : [h('span', { class: 'muted small' }, 'no cameras yet')]));
}

function edit(r) {
  editing = r;
  const f = fields($('#rule-form'));
  f.kind.value = r.kind;
  f.person.value = r.kind === 'person' ? (r.person_name || r.person_id || '') : '';
  f.name.value = r.name;
  f.windows.value = r.windows.join('\n');
  f.cooldown.value = String(r.cooldown_seconds);
  f.webhook_url.value = r.webhook_url ?? '';
  f.webhook_secret.value = '';
  for (const i of document.querySelectorAll('#rule-cams input')) i.checked = r.cameras.includes(i.value);
  $('#rule-form-title').textContent = `Edit rule ${r.id}`;
  $('#rule-save').textContent = 'Save rule';
  $('#rule-cancel').hidden = false;
  personField();
  $('#rule-form').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

function reset() {
  editing = null;
  $('#rule-form').reset();
  for (const i of document.querySelectorAll('#rule-cams input')) i.checked = false;
  $('#rule-form-title').textContent = 'Add a rule';
  $('#rule-save').textContent = 'Add rule';
  $('#rule-cancel').hidden = true;
  showError($('#rule-error'), null);
  personField();
}

async function save(ev) {
  ev.preventDefault();
  const f = fields(ev.target);
  showError($('#rule-error'), null);
  const body = {
    kind: f.kind.value,
    person: f.kind.value === 'person' ? f.person.value.trim() : null,
    name: f.name.value.trim() || null,
    cameras: [...document.querySelectorAll('#rule-cams input:checked')].map((i) => i.value),
    windows: f.windows.value.split('\n').map((w) => w.trim()).filter(Boolean),
    cooldown_seconds: f.cooldown.value === '' ? null : Number(f.cooldown.value),
    webhook_url: f.webhook_url.value.trim() || null,
    webhook_secret: f.webhook_secret.value || null,
  };
  try {
    if (editing) await api(`/api/alerts/rules/${encodeURIComponent(editing.id)}`, { method: 'PUT', json: body });
    else await api('/api/alerts/rules', { method: 'POST', json: body });
    reset();
    await refresh();
  } catch (e) {
    showError($('#rule-error'), e);
  }
}

async function remove(r) {
  if (!confirm(`Delete the rule “${r.name}”? Its past alerts stay in the log.`)) return;
  try {
    await api(`/api/alerts/rules/${encodeURIComponent(r.id)}`, { method: 'DELETE' });
    if (editing?.id === r.id) reset();
    await refresh();
  } catch (e) {
    showError($('#rule-error'), e);
  }
}
