// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the
// daemon running in this process on TCP with a token, a target process a rule binds to node 0 and
// puts in a job, and a second target a `place: auto` rule leaves to automatic placement.
// What the page shows is checked against /proc, what it does is checked in /proc, and it is
// driven by the keyboard alone. The screenshot is kept: dist/test-artifacts/dashboard.png, and
// docs/dashboard.png (the README's picture) when NUMAPOL_UPDATE_SCREENSHOT=1.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startService, type Service } from '../../src/daemon/service.js';
import { hardware } from '../../src/ops/index.js';
import { browserMissing, launchChromium } from './browser.js';

const skip = browserMissing();

// Compiled to dist/test/web/: dist is two levels up, the checkout three.
const ARTIFACT = fileURLToPath(new URL('../../test-artifacts/dashboard.png', import.meta.url));
const README_PICTURE = fileURLToPath(new URL('../../../docs/dashboard.png', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../web/index.html', import.meta.url));

const COMM = 'np-dash-target';
const AUTO_COMM = 'np-dash-auto';
const JOB = 'dash-job';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The policies numa_maps shows for the target's VMAs (its own view: /proc/PID/task/PID). */
function policies(pid: number): Set<string> {
  const text = readFileSync(`/proc/${pid}/task/${pid}/numa_maps`, 'utf8');
  return new Set(text.split('\n').filter((l) => l !== '').map((l) => l.split(' ')[1]!));
}

/** Resident pages per node, summed over the target's VMAs. */
function pagesPerNode(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of readFileSync(`/proc/${pid}/numa_maps`, 'utf8').matchAll(/ N(\d+)=(\d+)/g)) {
    out.set(Number(m[1]), (out.get(Number(m[1])) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The CPUs the kernel lets the process run on (its main thread's affinity), as a list. */
function allowedCpus(pid: number): number[] {
  const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return line.split(',').flatMap((r) => {
    const [a, b] = r.split('-').map(Number) as [number, number | undefined];
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

/** Presses Tab until the focus is on `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, max = 400): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) === true, selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

describe('the dashboard in a real browser', { skip }, () => {
  let dir: string;
  let target: ChildProcess;
  let pid: number;
  let autoTarget: ChildProcess;
  let autoPid: number;
  let service: Service;
  let base: string;
  let token: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors and warnings, page errors, failed requests and error answers of the page. */
  const problems: string[] = [];
  const requested: string[] = [];

  const authed = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(base + path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) } });
  type Entry = { id: number; action: string; source: string; pid: number | null; undoes: number | null; undoneBy: number | null; outcome: string };
  /** The whole journal, newest first (a job move's entry has no pid of its own). */
  const allJournal = async (): Promise<Entry[]> => (await authed('/v1/journal?limit=1000')).json() as Promise<Entry[]>;
  const journal = async (): Promise<{ id: number; action: string; source: string; undoes: number | null; undoneBy: number | null; outcome: string }[]> =>
    (await authed(`/v1/journal?pid=${pid}`)).json() as Promise<{ id: number; action: string; source: string; undoes: number | null; undoneBy: number | null; outcome: string }[]>;

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: the page is built by npm run build (node scripts/bundle-web.mjs)`);
    dir = mkdtempSync(join(tmpdir(), 'numapol-dashboard-'));
    const exe = join(dir, COMM);
    copyFileSync('/bin/sleep', exe);
    target = spawn(exe, ['3600'], { stdio: 'ignore' });
    pid = target.pid!;
    const autoExe = join(dir, AUTO_COMM);
    copyFileSync('/bin/sleep', autoExe);
    autoTarget = spawn(autoExe, ['3600'], { stdio: 'ignore' });
    autoPid = autoTarget.pid!;
    const port = await freePort();
    token = `dash-${Array.from({ length: 40 }, () => Math.floor(Math.random() * 16).toString(16)).join('')}`;
    writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    writeFileSync(
      join(dir, 'numapol.yaml'),
      [
        `journal: ${join(dir, 'journal.db')}`,
        `socket: ${join(dir, 'run', 'numapol.sock')}`,
        'log-level: error',
        'http:',
        `  listen: 127.0.0.1:${port}`,
        `  token-file: ${join(dir, 'token')}`,
        // Passes only when the test asks (placeNow): the panel is checked before and after one.
        'auto:',
        '  interval: 1h',
        'rules:',
        '  - name: dash-target',
        `    match: { comm: ${COMM} }`,
        '    policy: bind=0',
        `    job: ${JOB}`,
        '  - name: dash-auto',
        `    match: { comm: ${AUTO_COMM} }`,
        '    place: auto',
        '',
      ].join('\n'),
    );
    // The target's name must be its comm before the daemon looks.
    for (let i = 0; i < 1000 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== COMM; i++) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 1000 && readFileSync(`/proc/${autoPid}/comm`, 'utf8').trim() !== AUTO_COMM; i++) await new Promise((r) => setTimeout(r, 5));
    service = await startService({ configPath: join(dir, 'numapol.yaml'), warmUp: false, watchConfig: false });
    base = `http://127.0.0.1:${service.tcp!.port}`;
    await service.daemon.idle();
    assert.deepEqual([...policies(pid)], ['bind:0'], "the rule's policy is in force before the page acts");

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(60_000);
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      // The event stream is cut when the browser closes: not a failure of the page.
      if (!r.url().endsWith('/events')) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
    });
    page.on('request', (r) => requested.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await service?.close();
    target?.kill('SIGKILL');
    autoTarget?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('without the token: 401 for the page, its assets, the API and the events', async () => {
    for (const path of ['/', '/assets/app.js', '/v1/status', '/events', '/?token=not-the-token']) {
      const res = await fetch(base + path, { redirect: 'manual' });
      assert.equal(res.status, 401, path);
      await res.body?.cancel();
    }
    const other = await browser.newContext();
    try {
      const res = await (await other.newPage()).goto(`${base}/`);
      assert.equal(res?.status(), 401);
    } finally {
      await other.close();
    }
  });

  it('/?token= once: a HttpOnly SameSite=Strict cookie, the token gone from the address bar', async () => {
    const res = await page.goto(`${base}/?token=${token}`);
    assert.equal(res?.status(), 200);
    assert.equal(page.url(), `${base}/`);
    const cookies = await context.cookies(base);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]!.httpOnly, true);
    assert.equal(cookies[0]!.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'the page script cannot read the token');
    await page.waitForSelector('html[data-loaded]');
    await page.waitForSelector('#live[data-state="live"]');
  });

  it("shows the nodes, and the target's pages on the node numa_maps has them on", async () => {
    const nodes = hardware().nodes.map((n) => n.node);
    await page.waitForSelector(`#processes tr[data-pid="${pid}"]`);
    const cards = await page.$$eval('#nodes article.node[data-node]', (els) => els.map((e) => Number(e.getAttribute('data-node'))));
    assert.deepEqual(cards, nodes);
    for (const n of nodes) {
      const meter = await page.getAttribute(`#nodes article[data-node="${n}"] .bar.mem [role="meter"]`, 'aria-valuetext');
      assert.match(meter ?? '', /used .* free/);
    }
    const distances = await page.$$eval('#nodes table.distances tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.textContent))));
    assert.deepEqual(distances, hardware().distances);

    const onPage = await page.$$eval(`#processes tr[data-pid="${pid}"] [data-node]`, (els) => els.map((e) => [Number(e.getAttribute('data-node')), Number(e.getAttribute('data-bytes'))] as const));
    const inProc = pagesPerNode(pid);
    assert.deepEqual(
      onPage.filter(([, b]) => b > 0).map(([n]) => n),
      [...inProc.entries()].filter(([, p]) => p > 0).map(([n]) => n).sort((a, b) => a - b),
      'the nodes holding its pages',
    );
    assert.equal(onPage.length, nodes.length, 'a column per node');
    assert.match((await page.textContent(`#processes tr[data-pid="${pid}"]`)) ?? '', /dash-target/, 'its rule');

    // The heatmap is drawn: its canvas has coloured pixels.
    const coloured = await page.$eval('#heatmap canvas', (c) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 200 || data[i + 2]! < 200)) n++;
      return n;
    });
    assert.ok(coloured > 0, 'the heatmap has cells');
    // Its tooltip (HTML that ECharts makes, under the page's CSP) names the process of the row.
    const first = await page.getAttribute('#processes tbody tr:first-child', 'data-pid');
    const box = (await page.locator('#heatmap').boundingBox())!;
    let tip = '';
    for (let y = box.y + 4; y < box.y + box.height && tip === ''; y += 4) {
      await page.mouse.move(box.x + box.width * 0.7, y);
      tip = await page.evaluate(() => [...document.querySelectorAll('#heatmap div')].map((d) => d.textContent ?? '').find((t) => t.includes('(pid ')) ?? '');
    }
    assert.match(tip, new RegExp(`\\(pid ${first}\\) on node \\d+: .*of its memory`));
    await page.mouse.move(0, 0);
  });

  it('opens the target by keyboard: its threads and policies, its VMAs with pages per node, its journal', async () => {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo(page, `[data-key="open-${pid}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail .toolbar');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'detail-h', 'the focus moves to the process');
    assert.match((await page.textContent('#detail-h')) ?? '', new RegExp(`${COMM} · pid ${pid}`));
    const threads = await page.$$eval('#detail table.threads tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));
    assert.deepEqual(threads, [[String(pid), COMM, 'bind:0']]);
    // Pages per node over the VMAs shown (those with resident pages), against numa_maps.
    const shown = await page.$$eval('#detail table.vmas [data-node]', (els) => els.map((e) => [Number(e.getAttribute('data-node')), Number(e.getAttribute('data-pages'))] as const));
    const sums = new Map<number, number>();
    for (const [n, p] of shown) if (p > 0) sums.set(n, (sums.get(n) ?? 0) + p);
    assert.deepEqual([...sums.entries()].sort(), [...pagesPerNode(pid).entries()].filter(([, p]) => p > 0).sort());
    const entries = await journal();
    assert.ok(entries.length > 0);
    for (const e of entries) assert.ok(await page.isVisible(`#detail table.journal >> text="#${e.id}"`), `journal entry #${e.id} is shown`);
  });

  it('sets a policy from the dialog (keyboard only), then undoes it from the page: /proc follows', async () => {
    const before = (await journal()).length;
    await tabTo(page, '[data-key="act-policy"]');
    await page.keyboard.press(' ');
    await page.waitForSelector('dialog[open]');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'policy', 'the focus starts on the first field');
    await page.keyboard.type('prefer=0');
    assert.match((await page.textContent('dialog .summary')) ?? '', /every thread to prefer=0/, 'the dialog says what will happen');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog', { state: 'detached' });
    assert.deepEqual([...policies(pid)], ['prefer:0'], 'the policy changed in the kernel');
    const [set] = await journal();
    assert.equal((await journal()).length, before + 1);
    assert.deepEqual([set!.action, set!.source, set!.outcome], ['policy', 'api', 'ok']);
    await page.waitForSelector('#notices li >> text=prefer=0');
    await page.waitForSelector(`#detail table.threads td >> text="prefer:0"`);

    // Undo, from the process's journal.
    await tabTo(page, `[data-key="p${pid}-undo-${set!.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    assert.match((await page.textContent('dialog .summary')) ?? '', /back to bind:0/);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog', { state: 'detached' });
    assert.deepEqual([...policies(pid)], ['bind:0'], 'undo put back the policy before');
    const after = await journal();
    assert.equal(after.find((e) => e.id === set!.id)?.undoneBy, after[0]!.id);
    assert.deepEqual([after[0]!.action, after[0]!.undoes, after[0]!.outcome], ['undo', set!.id, 'ok']);
    await page.waitForSelector(`#detail table.threads td >> text="bind:0"`);
    assert.equal(await page.$(`[data-key="p${pid}-undo-${set!.id}"]`), null, 'an undone entry has no Undo button');
  });

  it("moves the target's job from the page (keyboard only): Escape changes nothing, confirming is journaled, undo from the page", async () => {
    await page.waitForSelector('[data-key="act-job"]');
    assert.match((await page.textContent('#detail .facts')) ?? '', new RegExp(`job ${JOB}`));
    // The Jobs list: the job, its process, its own Move button.
    await page.waitForSelector(`#jobs table.jobs >> text=${JOB}`);
    assert.match((await page.textContent('#jobs table.jobs tbody')) ?? '', new RegExp(`${COMM} ${pid}`));
    assert.ok(await page.$(`#jobs [data-key="job-move-${JOB}"]`));
    const cpusBefore = allowedCpus(pid);
    const countBefore = (await allJournal()).length;

    await tabTo(page, '[data-key="act-job"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'to', 'the focus starts on the first field');
    const summary = (await page.textContent('dialog .summary')) ?? '';
    assert.match(summary, new RegExp(`job ${JOB}, 1 process \\(${COMM} \\(pid ${pid}\\)\\)`), 'which processes move');
    assert.match(summary, /from the nodes its policies and CPUs name to node \S+/, 'from where to where');
    assert.match(summary, /journaled .* undoable/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog', { state: 'detached' });
    assert.equal((await allJournal()).length, countBefore, 'Escape: nothing ran');

    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0');
    assert.match((await page.textContent('dialog .summary')) ?? '', /to node 0: /);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog', { state: 'detached' });
    const [moved] = await allJournal();
    assert.deepEqual([moved!.action, moved!.source, moved!.pid, moved!.outcome], ['job-move', 'api', null, 'ok']);
    assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), COMM, 'the process is intact');
    assert.deepEqual(allowedCpus(pid), [...hardware().nodes.find((n) => n.node === 0)!.cpus], "it runs on node 0's CPUs");
    assert.deepEqual([...policies(pid)], ['bind:0'], 'bind=0 mapped from node 0 to node 0');
    await page.waitForSelector(`#notices li >> text=job ${JOB}`);

    // Undo, from the page's journal.
    await page.waitForSelector(`[data-key="j-undo-${moved!.id}"]`);
    await tabTo(page, `[data-key="j-undo-${moved!.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    assert.match((await page.textContent('dialog .summary')) ?? '', new RegExp(`#${moved!.id} changed: job ${JOB}`));
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog', { state: 'detached' });
    const after = await allJournal();
    assert.equal(after.find((e) => e.id === moved!.id)?.undoneBy, after[0]!.id);
    assert.deepEqual([after[0]!.action, after[0]!.undoes, after[0]!.outcome], ['undo', moved!.id, 'ok']);
    assert.deepEqual(allowedCpus(pid), cpusBefore, 'the affinity before');
    assert.deepEqual([...policies(pid)], ['bind:0']);
    await page.waitForSelector(`#journal tr[data-entry="${moved!.id}"] >> text=undone by`);
  });

  it('the placement panel: nothing before a pass, then the pass live (/events): each place: auto process, stay or move and why', async () => {
    assert.match((await page.textContent('#placement')) ?? '', /No placement pass yet/);
    // The first pass only looks (CPU use is a difference of two looks); the second decides.
    const first = await service.daemon.placeNow();
    assert.ok(first !== undefined && !first.measured);
    await page.waitForSelector(`#placement p[data-pass="${first.time}"]`);
    assert.match((await page.textContent('#placement')) ?? '', /not measured yet/);
    const pass = await service.daemon.placeNow();
    assert.ok(pass !== undefined && pass.measured);
    await page.waitForSelector(`#placement p[data-pass="${pass.time}"]`);
    await page.waitForSelector(`#placement table.placement tr[data-pid="${autoPid}"]`);
    const rows = await page.$$eval('#placement table.placement tbody tr', (trs) =>
      trs.map((tr) => ({ pid: Number(tr.getAttribute('data-pid')), act: tr.querySelector('[data-act]')?.getAttribute('data-act'), cells: [...tr.querySelectorAll('td')].map((c) => c.textContent ?? '') })),
    );
    assert.deepEqual(
      rows.map((r) => r.pid),
      pass.decisions.map((d) => d.pid),
      'a row per decision, in order',
    );
    const mine = rows.find((r) => r.pid === autoPid);
    assert.ok(mine, 'the place: auto target is there');
    const d = pass.decisions.find((x) => x.pid === autoPid)!;
    assert.equal(mine.act, d.act ? 'move' : 'stay');
    assert.match(mine.cells[0]!, new RegExp(`${AUTO_COMM} ${autoPid}`));
    assert.equal(mine.cells[2], d.reason, 'the reason, as the daemon gave it');
    assert.match(mine.cells[4]!, d.best === null ? /none holds it/ : new RegExp(`^node \\S+.*\\(${d.best.score.toFixed(2)}`));
    assert.ok(!rows.some((r) => r.pid === pid), 'a process of another rule is not placed');
  });

  it('live: a change made elsewhere shows without a reload (/events)', async () => {
    const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    const res = await authed('/v1/policy', { method: 'POST', body: JSON.stringify({ pid, policy: 'local' }) });
    assert.equal(res.status, 200);
    const e = (await res.json()) as { id: number };
    assert.deepEqual([...policies(pid)], ['local']);
    await page.waitForSelector(`#detail table.threads td >> text="local"`);
    await page.waitForSelector(`#journal table.journal >> text="#${e.id}"`);
    const undo = await authed(`/v1/undo/${e.id}`, { method: 'POST' });
    assert.equal(undo.status, 200);
    await page.waitForSelector(`#detail table.threads td >> text="bind:0"`);
    await page.waitForSelector(`#journal tr[data-entry="${e.id}"] >> text=undone by`);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation').length), loads, 'no reload');
    assert.deepEqual([...policies(pid)], ['bind:0']);
  });

  it('every action opens by keyboard; Tab stays in its dialog, Escape cancels and changes nothing', async () => {
    const before = (await journal()).length;
    for (const [key, title] of [
      ['act-policy', /Set a memory policy/],
      ['act-move', /Move pages/],
      ['act-cpus', /Set CPUs/],
      ['act-job', new RegExp(`Move job ${JOB}`)],
    ] as const) {
      await tabTo(page, `[data-key="${key}"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      assert.match((await page.textContent('dialog h2')) ?? '', title);
      const fields = await page.$$eval('dialog button, dialog input, dialog select', (els) => els.filter((e) => !e.closest('[hidden]')).length);
      for (let i = 0; i < fields * 2 + 1; i++) {
        await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
        assert.ok(await page.evaluate(() => document.querySelector('dialog')?.contains(document.activeElement) === true), `${key}: the focus stays in the dialog`);
      }
      await page.keyboard.press('Escape');
      await page.waitForSelector('dialog', { state: 'detached' });
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['key']), key, 'the focus goes back to the button');
    }
    assert.equal((await journal()).length, before, 'nothing ran');
    assert.deepEqual([...policies(pid)], ['bind:0']);
  });

  it('Tab reaches every button of the page', async () => {
    const keys = (): Promise<string[]> => page.$$eval('button[data-key]', (els) => els.filter((e) => !e.closest('[hidden]') && !(e as HTMLButtonElement).disabled).map((e) => (e as HTMLElement).dataset['key']!));
    const first = await keys();
    const reached = new Set<string>();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < first.length * 3 + 50; i++) {
      await page.keyboard.press('Tab');
      const k = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['key']);
      if (k !== undefined) reached.add(k);
    }
    // Rows of processes the daemon does not manage come and go as their sizes change: what was
    // there all along must have been reached.
    const last = new Set(await keys());
    const stable = first.filter((k) => last.has(k));
    assert.ok(stable.includes(`open-${pid}`) && stable.includes('act-policy') && stable.some((k) => k.startsWith('j-undo-')), stable.join(' '));
    assert.deepEqual(stable.filter((k) => !reached.has(k)), []);
  });

  it('the screenshot: dist/test-artifacts/dashboard.png (and docs/dashboard.png when asked)', async () => {
    await page.evaluate(() => {
      window.scrollTo(0, 0);
      for (const el of document.querySelectorAll('.scroll')) el.scrollTop = 0;
      (document.activeElement as HTMLElement | null)?.blur();
    });
    // The notices fade by themselves; the picture shows the page, not the last message.
    await page.evaluate(() => document.getElementById('notices')?.replaceChildren());
    mkdirSync(join(ARTIFACT, '..'), { recursive: true });
    const png = await page.screenshot({ path: ARTIFACT, fullPage: true });
    assert.ok(png.length > 10_000);
    if (process.env['NUMAPOL_UPDATE_SCREENSHOT'] === '1') writeFileSync(README_PICTURE, png);
  });

  it('nothing from elsewhere, no console errors, no page errors', () => {
    assert.ok(requested.length > 0);
    assert.deepEqual(requested.filter((u) => new URL(u).origin !== base), [], 'every request to the daemon');
    assert.deepEqual(problems, []);
  });
});
