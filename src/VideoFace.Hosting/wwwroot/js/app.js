// Dashboard shell: API key, page switching (#cameras, #live, #search, #people), server status.
import { $ } from './dom.js';
import { api, hasKey, onUnauthorized, setKey, takeKeyFromFragment } from './api.js';
import * as cameras from './cameras.js';
import * as live from './live.js';
import * as search from './search.js';
import * as people from './people.js';

const pages = { cameras, live, search, people };
const started = new Set();

function currentPage() {
  const name = location.hash.replace(/^#/, '').split('&')[0];
  return name in pages ? name : 'cameras';
}

function show() {
  const name = currentPage();
  for (const p of Object.keys(pages)) $(`#page-${p}`).hidden = p !== name;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === name);
  if (!started.has(name)) { started.add(name); pages[name].start(); }
  pages[name].shown?.();
}

function askForKey(message) {
  $('#key-prompt').hidden = false;
  $('#key-error').textContent = message ?? '';
  $('#key-input').focus();
}

async function checkKey() {
  try {
    await api('/api/cameras');
    return true;
  } catch (e) {
    if (e.status === 401) return false;
    return true; // server trouble is shown by the status badge, not as a key problem
  }
}

/** Marks the page with the key's role; a viewer's page hides what only an admin may do (CSS: body[data-role=viewer] .admin-only). */
async function showRole() {
  try {
    const me = await api('/api/me');
    document.body.dataset.role = me.role;
    $('#forget-key').title = `Signed in with a ${me.role} key (${me.key_id ?? 'no key'}); click to forget it`;
  } catch {
    delete document.body.dataset.role; // an older server without /api/me: show everything; the server still refuses what the key may not do
  }
}

async function heartbeat() {
  const conn = $('#conn');
  try {
    const r = await fetch('/health');
    const h = await r.json();
    conn.textContent = `${h.profile ?? ''} · ${h.silo ?? 'silo'}`;
    conn.className = 'conn ok';
  } catch {
    conn.textContent = 'server unreachable';
    conn.className = 'conn bad';
  }
}

async function main() {
  takeKeyFromFragment();
  // a #key=… link opened on an already-open dashboard changes only the fragment: take the key and start over
  window.addEventListener('hashchange', () => {
    if (/(^#|&)key=/.test(location.hash)) { takeKeyFromFragment(); location.reload(); }
  });
  onUnauthorized(() => askForKey('The server did not accept the key.'));
  $('#key-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setKey($('#key-input').value);
    if (await checkKey()) { $('#key-prompt').hidden = true; location.reload(); }
    else $('#key-error').textContent = 'That key is not valid for this server.';
  });
  $('#forget-key').addEventListener('click', () => { setKey(''); askForKey(); });
  heartbeat();
  setInterval(heartbeat, 10000);
  // an API without keys (loopback, AllowAnonymousApi) passes the check with no key at all
  if (!(await checkKey())) { askForKey(hasKey() ? 'The stored key is not valid for this server.' : ''); return; }
  await showRole();
  // the live feed runs from the start, so the nav can count events that arrive while another page is open
  started.add('live');
  live.start();
  window.addEventListener('hashchange', show);
  show();
}

main();
