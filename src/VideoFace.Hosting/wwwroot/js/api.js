// API access: the key comes once from the URL fragment (#key=…), then lives in localStorage.
const STORE = 'videoface.apiKey';
let key = localStorage.getItem(STORE) ?? '';
const listeners = new Set();

/** Takes #key=… (or #…&key=…) out of the address bar into storage; returns the page name left in the fragment. */
export function takeKeyFromFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const k = params.get('key');
  if (k) {
    setKey(k);
    params.delete('key');
    const rest = [...params.keys()][0] ?? 'cameras';
    history.replaceState(null, '', `${location.pathname}${location.search}#${rest}`);
  }
}

export const hasKey = () => key.length > 0;

export function setKey(k) {
  key = k.trim();
  if (key) localStorage.setItem(STORE, key);
  else localStorage.removeItem(STORE);
}

/** Called with no arguments whenever the server says the key is missing or wrong. */
export function onUnauthorized(fn) { listeners.add(fn); }

export class ApiError extends Error {
  constructor(status, message, body) { super(message); this.status = status; this.body = body; }
}

/** fetch with the key; JSON in and out; throws ApiError with the server's "error" text. */
export async function api(path, { method = 'GET', json, form, signal } = {}) {
  const headers = { 'X-Api-Key': key, Accept: 'application/json' };
  let body;
  if (json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  else if (form) body = form;
  const r = await fetch(path, { method, headers, body, signal });
  if (r.status === 401) listeners.forEach((fn) => fn());
  const text = await r.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = text; } }
  if (!r.ok) {
    const msg = (data && (data.error || data.detail || data.title)) || `${method} ${path}: HTTP ${r.status}`;
    throw new ApiError(r.status, msg, data);
  }
  return data;
}

/**
 * An <img>-usable address for a thumbnail_url: signed URLs (sig=…) and absolute ones (Azure SAS) as they are;
 * plain /api/blobs/… gets the key as a query parameter (an <img> cannot send headers).
 */
export function imgSrc(url) {
  if (!url) return null;
  if (/^https?:/i.test(url) || /[?&]sig=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`;
}

/** EventSource cannot send headers either: the key goes in ?api_key=. */
export function sse(path) {
  return new EventSource(`${path}${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`);
}

/** Does GET path answer 200 text/event-stream? (probes an optional SSE endpoint without keeping it open) */
export async function probeStream(path) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 3000);
  try {
    const r = await fetch(path, { headers: { 'X-Api-Key': key, Accept: 'text/event-stream' }, signal: ctl.signal });
    const ok = r.ok && (r.headers.get('content-type') ?? '').includes('text/event-stream');
    ctl.abort();
    return ok;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
