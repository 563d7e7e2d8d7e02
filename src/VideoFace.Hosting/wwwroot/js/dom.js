// Tiny DOM helpers: elements are built with text nodes, never innerHTML, so names from the API cannot inject markup.

/** h('div', {class: 'x', onclick: fn}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

/** Local date-time, short. */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** "12 s ago" style, for freshness. */
export function ago(iso) {
  if (!iso) return '—';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 2) return 'just now';
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return fmtTime(iso);
}

export const pct = (x) => (typeof x === 'number' ? x.toFixed(2) : '—');

export function showError(el, err) {
  el.textContent = err ? (err.message ?? String(err)) : '';
}

/** Modal with a large image and details (used by search, live and people). */
export function openViewer(src, title, lines) {
  const body = $('#viewer-body');
  body.replaceChildren(
    h('h3', {}, title),
    src ? h('img', { src, class: 'large', alt: title }) : h('p', { class: 'muted' }, 'no thumbnail stored'),
    h('ul', { class: 'facts' }, lines.filter(Boolean).map((l) => h('li', {}, l))),
    h('p', { class: 'muted small' }, 'This is the track\'s stored face thumbnail.'),
  );
  $('#viewer').showModal();
}

/** A form's controls by name (form.id / form.name are the form's own attributes, so never use those shortcuts). */
export function fields(form) {
  return new Proxy({}, { get: (_, n) => form.elements.namedItem(String(n)) });
}
