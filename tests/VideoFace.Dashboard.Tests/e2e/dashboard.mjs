// Drives the dashboard in headless Debian Chromium (playwright-core, no downloaded browser) against a running embedded host.
// Inputs (environment): BASE_URL, API_KEY, VIDEO, ENROL_NAME, ENROL_PHOTOS (paths joined by '\n'), SEARCH_PHOTO,
// SCREENSHOTS (folder), PLAYWRIGHT_DIR (tools/playwright), CHROMIUM (default /usr/bin/chromium).
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const require = createRequire(join(env('PLAYWRIGHT_DIR'), 'package.json'));
const { chromium } = require('playwright-core');

const base = env('BASE_URL');
const shots = env('SCREENSHOTS');
const name = env('ENROL_NAME');
mkdirSync(shots, { recursive: true });
const step = (msg) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // the machine's network is closed: no background or component traffic; no sandbox as root (playwright makes a fresh profile)
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
// a preview polled between two plays of the file camera answers 404 (no frame yet) and says so in the panel: not a problem
page.on('console', (m) => {
  if (m.type() === 'error' && !(m.location()?.url ?? '').includes('/preview')) problems.push(`console: ${m.text()} (${m.location()?.url ?? ''})`);
});
page.on('dialog', (d) => d.accept()); // the confirm() before a merge or delete
const shot = async (file) => { await page.screenshot({ path: join(shots, file), fullPage: true }); step(`screenshot ${file}`); };

try {
  step('without a key the dashboard asks for one');
  await page.goto(`${base}/`);
  await page.locator('#key-prompt').waitFor({ state: 'visible' });
  await shot('00-key-prompt.png');
  problems.length = 0; // the 401 that led to the prompt is expected

  step('open with #key=… : the key moves to localStorage and leaves the address bar');
  await page.goto(`${base}/#key=${encodeURIComponent(env('API_KEY'))}`);
  await page.locator('#page-cameras').waitFor({ state: 'visible' });
  if (page.url().includes('key=')) throw new Error(`the key stayed in the address: ${page.url()}`);
  await page.locator('#cam-empty').waitFor({ state: 'visible' });

  step(`enrol ${name} by photo upload`);
  await page.click('a[data-page=people]');
  await page.fill('#enrol-form input[name=name]', name);
  await page.setInputFiles('#enrol-form input[name=files]', env('ENROL_PHOTOS').split('\n'));
  await page.click('#enrol-go');
  await page.locator('#enrol-result', { hasText: `Enrolled ${name}` }).waitFor({ timeout: 30000 });
  await page.locator('#people-enrolled li', { hasText: name }).waitFor();

  step('alert rules from the live page: one for the person, one for unknown faces; edit one');
  await page.click('a[data-page=live]');
  await page.click('#rules summary');
  await page.selectOption('#rule-kind', 'person');
  await page.fill('#rule-person', name);
  await page.click('#rule-save');
  await page.locator('#rules-table tr[data-rule]', { hasText: name }).waitFor({ timeout: 10000 });
  await page.selectOption('#rule-kind', 'unknown');
  await page.fill('#rule-form input[name=name]', 'stranger');
  await page.click('#rule-save');
  const strangerRow = page.locator('#rules-table tr[data-rule]', { hasText: 'stranger' });
  await strangerRow.waitFor({ timeout: 10000 });
  await strangerRow.locator('button', { hasText: 'Edit' }).click();
  await page.fill('#rule-form input[name=name]', 'stranger in the lobby');
  await page.fill('#rule-form input[name=cooldown]', '5');
  await page.click('#rule-save');
  await page.locator('#rules-table tr[data-rule]', { hasText: 'stranger in the lobby' }).locator('td.num', { hasText: '5 s' }).waitFor({ timeout: 10000 });
  if (await page.locator('#rules-table tr[data-rule]').count() !== 2) throw new Error('editing a rule added another one');

  step('add a camera (a face video file) and see it Streaming');
  await page.click('a[data-page=cameras]');
  await page.fill('#cam-form input[name=id]', 'lobby');
  await page.fill('#cam-form input[name=url]', env('VIDEO'));
  await page.fill('#cam-form input[name=fps]', '4');
  await page.fill('#cam-form input[name=name]', 'Lobby (test video)');
  await page.click('#cam-save');
  await page.locator('tr[data-camera=lobby] .badge[data-health=Streaming]').waitFor({ timeout: 30000 });
  step('the camera preview: the latest analysed frame with face boxes');
  await page.click('tr[data-camera=lobby] button.preview-open');
  await page.locator('#cam-preview .preview-box').first().waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('#cam-preview-img')?.naturalWidth > 0);
  await shot('01-preview.png');
  await page.click('#cam-preview-close');
  step('receive the person\'s rule alert and their event on the live page');
  await page.click('a[data-page=live]');
  await page.locator('#alert-feed .item.alert .who', { hasText: name }).first().waitFor({ timeout: 45000 });
  await page.locator('#event-feed .item .who', { hasText: name }).first().waitFor({ timeout: 10000 });
  await page.click('a[data-page=cameras]');
  // faces/min needs two polls with faces between them
  await page.waitForFunction(() => {
    const cell = document.querySelector('tr[data-camera=lobby] .fpm');
    return cell && Number(cell.textContent) > 0;
  }, null, { timeout: 20000 });
  await shot('02-cameras.png');
  await page.click('a[data-page=live]');
  await shot('03-live.png');

  step('search by photo until the sighting is indexed');
  await page.click('a[data-page=search]');
  await page.setInputFiles('#search-photo', env('SEARCH_PHOTO'));
  await page.locator('#search-cams input[value=lobby]').waitFor();
  const deadline = Date.now() + 45000;
  for (;;) {
    await page.click('#search-go');
    await page.waitForFunction(() => !document.querySelector('#search-go').disabled);
    if (await page.locator('#search-results .result').count() > 0) break;
    if (Date.now() > deadline) throw new Error(`no search results: ${await page.locator('#search-summary').textContent()} ${await page.locator('#search-error').textContent()}`);
    await page.waitForTimeout(1500);
  }
  await page.locator('#search-results .group h3', { hasText: name }).first().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('#search-results img')].every((i) => i.complete && i.naturalWidth > 0));
  await shot('04-search.png');
  await page.locator('#search-results .result').first().click();
  await page.locator('#viewer-frame[data-view=keyframe] img.keyframe').waitFor();
  await page.waitForFunction(() => document.querySelector('#viewer img.keyframe').naturalWidth > 0);
  await page.locator('#viewer .preview-box .preview-label', { hasText: name }).waitFor();
  await shot('05-search-keyframe.png');
  await page.keyboard.press('Escape');

  step('the person\'s timeline');
  await page.click('a[data-page=people]');
  await page.locator('#people-enrolled li', { hasText: name }).locator('button.name').click();
  await page.locator('#person-detail .timeline li').first().waitFor({ timeout: 20000 });
  await shot('06-people.png');

  step('merge an unknown identity (the other face of the video) into the person');
  await page.locator('#people-unknown li[data-person]').first().waitFor({ timeout: 30000 });
  const unknownId = await page.locator('#people-unknown li[data-person]').first().getAttribute('data-person');
  const before = await page.locator('#people-enrolled li', { hasText: name }).textContent();
  await page.locator(`#people-unknown li[data-person="${unknownId}"] button.name`).click();
  await page.locator('#person-detail h3', { hasText: unknownId }).waitFor();
  const target = await page.locator('#people-enrolled li', { hasText: name }).getAttribute('data-person');
  await page.selectOption('#merge-into', target);
  await page.locator('#person-detail form.inline', { has: page.locator('#merge-into') }).locator('button').click();
  await page.locator(`#people-unknown li[data-person="${unknownId}"]`).waitFor({ state: 'detached', timeout: 15000 });
  await page.locator('#person-detail h3', { hasText: name }).waitFor();
  const after = await page.locator('#people-enrolled li', { hasText: name }).textContent();
  const count = (s) => Number(/(\d+) sighting/.exec(s)?.[1] ?? NaN);
  if (!(count(after) > count(before))) throw new Error(`the merge did not add sightings: before "${before}", after "${after}"`);
  const detailText = await page.locator('#person-detail').innerText();
  if (/\b(null|undefined|NaN)\b/.test(detailText)) throw new Error(`the person panel shows a raw value: ${detailText}`);
  await shot('07-merged.png');

  step('rename the person');
  const renamed = `${name} (renamed)`;
  await page.fill('#person-detail input[name=name]', renamed);
  await page.locator('#person-detail form.inline', { has: page.locator('input[name=name]') }).locator('button').click();
  await page.locator('#people-enrolled li', { hasText: renamed }).waitFor({ timeout: 10000 });

  step('a reload without the fragment keeps the key (localStorage)');
  await page.goto(`${base}/#cameras`);
  await page.locator('tr[data-camera=lobby]').waitFor();
  if (await page.locator('#key-prompt').isVisible()) throw new Error('the key was not kept');

  const bad = problems.filter((p) => !p.includes('ERR_ABORTED') && !p.includes('net::ERR_'));
  if (bad.length) throw new Error(`browser errors:\n${bad.join('\n')}`);
  step('done');
} catch (e) {
  await shot('failure.png').catch(() => {});
  console.error(problems.join('\n'));
  throw e;
} finally {
  await browser.close();
}
