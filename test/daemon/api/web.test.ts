// The dashboard's routes (the page and its assets, from a folder of our own here; the real page is
// tested in a browser by test/web/) and the package root they find dist/web from; and
// GET /v1/processes/:pid on a live process, whose VMA addresses are bigints inside numapol.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/daemon/api/app.js';
import { CONTENT_SECURITY_POLICY, packageRoot } from '../../../src/daemon/api/routes/web.js';
import { parseConfigText } from '../../../src/daemon/config/index.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { openJournal } from '../../../src/daemon/journal/index.js';
import { compileConfig } from '../../../src/daemon/rules/compile.js';
import { FakeMachine, FakeRunner, facts } from '../fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'numapol-web-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

function daemon(): Daemon {
  const runner = new FakeRunner();
  return new Daemon({ config: compileConfig(parseConfigText('rules: []', 't.yaml').config), source: new FakeMachine(), journal: openJournal(':memory:'), run: runner.run, undo: runner.undo });
}

describe('the dashboard routes', () => {
  const web = join(dir, 'web');
  const d = daemon();
  let app: FastifyInstance;
  let locked: FastifyInstance;
  const token = 'a-long-enough-test-token-0123456789';
  before(async () => {
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(web, 'app.js'), 'export {};');
    writeFileSync(join(web, 'app.css'), 'body{}');
    writeFileSync(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'secret.txt'), 'not an asset');
    d.start();
    app = await buildApp({ daemon: d, web: { dir: web } });
    locked = await buildApp({ daemon: d, web: { dir: web }, token });
  });
  after(async () => {
    await app.close();
    await locked.close();
    await d.stop();
  });

  it('GET / is index.html, under a Content-Security-Policy of this origin only', async () => {
    const res = await app.inject('/');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.body, '<!doctype html><title>t</title>');
    assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    for (const directive of String(res.headers['content-security-policy']).split('; ')) {
      const [name, ...sources] = directive.split(' ');
      assert.ok(sources.every((s) => s === "'self'" || s === "'none'"), `${name} allows ${sources.join(' ')}`);
    }
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('the assets, each with its type; nothing else in or out of the folder', async () => {
    for (const [name, type] of [['app.js', /^text\/javascript/], ['app.css', /^text\/css/], ['favicon.svg', /^image\/svg\+xml/]] as const) {
      const res = await app.inject(`/assets/${name}`);
      assert.equal(res.statusCode, 200, name);
      assert.match(String(res.headers['content-type']), type, name);
      assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    }
    for (const url of ['/assets/nothing.js', '/assets/..%2Fsecret.txt', '/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/secret.txt']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /not an asset/, url);
    }
  });

  it('over TCP, the page and its assets need the token like every route', async () => {
    for (const url of ['/', '/assets/app.js']) {
      assert.equal((await locked.inject(url)).statusCode, 401, url);
      assert.equal((await locked.inject({ url, headers: { authorization: `Bearer ${token}` } })).statusCode, 200, url);
    }
    const first = await locked.inject(`/?token=${token}`);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/');
  });

  it('not built: GET / says how to build it', async () => {
    const bare = await buildApp({ daemon: d, web: { dir: join(dir, 'none') } });
    try {
      const res = await bare.inject('/');
      assert.equal(res.statusCode, 404);
      assert.match(res.json().error.message, /npm run build/);
      assert.equal((await bare.inject('/assets/app.js')).statusCode, 404);
    } finally {
      await bare.close();
    }
  });

  it('the routes are not in the OpenAPI description: they are not the API', async () => {
    const doc = (await app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    assert.deepEqual(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/assets')), []);
  });
});

describe('packageRoot: where dist/web is', () => {
  it('from tsc output and from the CLI bundle, in a checkout or under node_modules', () => {
    const pkg = join(dir, 'pkg');
    const other = join(pkg, 'node_modules', 'other');
    mkdirSync(join(pkg, 'dist', 'src', 'cli'), { recursive: true });
    mkdirSync(join(other, 'dist'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'numapol' }));
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'other' }));
    assert.equal(packageRoot(join(pkg, 'dist', 'src', 'daemon', 'api', 'routes', 'web.js')), pkg);
    assert.equal(packageRoot(join(pkg, 'dist', 'src', 'cli', 'numapol-body.cjs')), pkg);
    assert.equal(packageRoot(join(other, 'dist', 'x.js')), pkg, "another package's package.json is passed by");
    assert.equal(packageRoot('/numapol-nowhere/x.js'), undefined);
  });

  it('this build: the checkout holding the compiled tests', () => {
    // Compiled to dist/test/daemon/api/: the checkout is four levels up.
    assert.equal(packageRoot(), fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, ''));
  });
});

describe('GET /v1/processes/:pid on a live process', () => {
  it('answers with VMA addresses as hex, threads and their policies', async () => {
    const machine = new FakeMachine();
    const runner = new FakeRunner();
    const d = new Daemon({ config: compileConfig(parseConfigText('rules: []', 't.yaml').config), source: machine, journal: openJournal(':memory:'), run: runner.run, undo: runner.undo, self: 1 });
    machine.add(facts(process.pid, { comm: 'node' }));
    d.start();
    const app = await buildApp({ daemon: d });
    try {
      const res = await app.inject(`/v1/processes/${process.pid}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as { pid: number; show: { threads: { tid: number; policyText: string }[] }; vmas: { start: string; end: string; pages: number }[] };
      assert.equal(body.pid, process.pid);
      assert.ok(body.show.threads.some((t) => t.tid === process.pid && t.policyText.length > 0));
      assert.ok(body.vmas.length > 0);
      for (const v of body.vmas) {
        assert.match(v.start, /^0x[0-9a-f]+$/);
        assert.ok(BigInt(v.end) > BigInt(v.start));
      }
    } finally {
      await app.close();
      await d.stop();
    }
  });
});
