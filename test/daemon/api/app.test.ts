// The API through fastify's inject: routes, errors, the token, and the OpenAPI description
// checked against the routes that exist and the answers they give.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/daemon/api/app.js';
import { parseConfigText } from '../../../src/daemon/config/index.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { openJournal } from '../../../src/daemon/journal/index.js';
import { compileConfig } from '../../../src/daemon/rules/compile.js';
import { machineRoot } from '../config/helpers.js';
import { FakeMachine, FakeRunner, facts } from '../fakes.js';

const ROOT = machineRoot('sys-guest-4node');
// Admission reads idle CPU per node from /proc/stat (the guest tree has one CPU per node).
mkdirSync(join(ROOT, 'proc'), { recursive: true });
writeFileSync(join(ROOT, 'proc', 'stat'), ['cpu  400 0 0 400 0 0 0 0 0 0', ...[0, 1, 2, 3].map((c) => `cpu${c} 100 0 0 100 0 0 0 0 0 0`), ''].join('\n'));
const CONFIG = `
rules:
  - name: cache
    match: { comm: "memcached" }
    policy: interleave=0-3
  - name: quiet
    match: { comm: "backup*" }
    exclude: true
`;

function rig(): { daemon: Daemon; machine: FakeMachine; runner: FakeRunner } {
  const machine = new FakeMachine();
  const runner = new FakeRunner();
  const daemon = new Daemon({ config: compileConfig(parseConfigText(CONFIG, 't.yaml', { root: ROOT }).config), source: machine, journal: openJournal(':memory:'), run: runner.run, undo: runner.undo, root: ROOT });
  return { daemon, machine, runner };
}

describe('API', () => {
  const r = rig();
  let app: FastifyInstance;
  before(async () => {
    r.daemon.start();
    r.machine.add(facts(100, { comm: 'memcached' }));
    r.machine.add(facts(101, { comm: 'backupd' }));
    r.machine.add(facts(102, { comm: 'other' }));
    await r.daemon.idle();
    app = await buildApp({ daemon: r.daemon, root: ROOT });
  });
  after(async () => {
    await app.close();
    await r.daemon.stop();
  });

  it('status, nodes, processes, rules, plan', async () => {
    const status = (await app.inject('/v1/status')).json();
    assert.equal(status.managed, 1);
    assert.equal(status.connector, 'on');
    const nodes = (await app.inject('/v1/nodes')).json();
    assert.deepEqual(nodes.online, [0, 1, 2, 3], 'the fixture machine');
    const procs = (await app.inject('/v1/processes')).json() as { pid: number; state: string; rule: string }[];
    assert.deepEqual(procs.map((p) => [p.pid, p.state, p.rule]), [[100, 'managed', 'cache'], [101, 'excluded', 'quiet']]);
    const all = (await app.inject('/v1/processes?all=true')).json() as unknown[];
    assert.equal(all.length, 3);
    const rules = (await app.inject('/v1/rules')).json() as { name: string; rule: { match: unknown } }[];
    assert.deepEqual(rules.map((x) => x.name), ['cache', 'quiet']);
    assert.deepEqual(rules[0]?.rule.match, { comm: 'memcached' });
    assert.deepEqual((await app.inject('/v1/plan')).json(), []);
  });

  it('the journal, with filters; one entry; a missing one is 404', async () => {
    const list = (await app.inject('/v1/journal?pid=100')).json() as { id: number; action: string; outcome: string }[];
    assert.deepEqual(list.map((e) => [e.action, e.outcome]), [['policy', 'ok']]);
    assert.deepEqual((await app.inject('/v1/journal?pid=102')).json(), []);
    assert.equal((await app.inject('/v1/journal?since=1h')).json().length, 1);
    const one = await app.inject(`/v1/journal/${list[0]!.id}`);
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().rule, 'cache');
    const missing = await app.inject('/v1/journal/999');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'ENOENT');
    const bad = await app.inject('/v1/journal?since=someday');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /since/);
  });

  it('set a policy, migrate, set CPUs: run and journaled as api requests; bad bodies are 400', async () => {
    const set = await app.inject({ method: 'POST', url: '/v1/policy', payload: { pid: 102, policy: 'bind=1' } });
    assert.equal(set.statusCode, 200, set.body);
    assert.deepEqual([set.json().source, set.json().action, set.json().outcome], ['api', 'policy', 'ok']);
    const vma = await app.inject({ method: 'POST', url: '/v1/policy', payload: { pid: 102, policy: 'bind=1', vma: 'heap', move: true } });
    assert.equal(vma.json().action, 'vma-policy');
    const mig = await app.inject({ method: 'POST', url: '/v1/migrate', payload: { pid: 102, from: '0', to: '1', rate: 50 } });
    assert.deepEqual(mig.json().params, { kind: 'migrate', from: '0', to: '1', rateBytesPerSecond: 50e6 });
    const cpus = await app.inject({ method: 'POST', url: '/v1/cpus', payload: { pid: 102, nodes: '1' } });
    assert.equal(cpus.json().action, 'cpus');
    assert.deepEqual(r.runner.runs.slice(-4).map((x) => x.action.kind), ['policy', 'vma-policy', 'migrate', 'cpus']);
    for (const payload of [{ pid: 102 }, { pid: 'x', policy: 'bind=1' }, { pid: 102, policy: 'bind=1', extra: 1 }, { pid: 102, policy: 'bind=1', vma: 'brain' }, { pid: 102, policy: 'bind=1', move: true }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/policy', payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.ok(typeof res.json().error.message === 'string');
    }
    assert.equal((await app.inject({ method: 'POST', url: '/v1/cpus', payload: { pid: 102 } })).statusCode, 400);
    const gone = await app.inject({ method: 'POST', url: '/v1/policy', payload: { pid: 4242, policy: 'bind=1' } });
    assert.equal(gone.statusCode, 404);
    assert.equal(gone.json().error.message, 'pid 4242 is gone');
  });

  it('undo: 200, then 409 for a second undo, 404 for no such entry', async () => {
    const [e] = (await app.inject('/v1/journal?pid=100')).json() as { id: number }[];
    const u = await app.inject({ method: 'POST', url: `/v1/undo/${e!.id}` });
    assert.equal(u.statusCode, 200, u.body);
    assert.equal(u.json().undoes, e!.id);
    const again = await app.inject({ method: 'POST', url: `/v1/undo/${e!.id}` });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'EALREADY');
    assert.equal((await app.inject({ method: 'POST', url: '/v1/undo/31337' })).statusCode, 404);
  });

  it('an unknown route is a 404 with an error body', async () => {
    const res = await app.inject('/v1/nothing');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'ENOENT');
  });

  it('the OpenAPI description lists every route, and answers match their schemas', async () => {
    const doc = (await app.inject('/openapi.json')).json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
    assert.match(doc.openapi, /^3\./);
    const routes = app.printRoutes({ commonPrefix: false });
    const expected: [string, string][] = [
      ['get', '/v1/status'],
      ['get', '/v1/nodes'],
      ['get', '/v1/processes'],
      ['get', '/v1/processes/{pid}'],
      ['get', '/v1/rules'],
      ['get', '/v1/journal'],
      ['get', '/v1/journal/{id}'],
      ['get', '/v1/plan'],
      ['get', '/v1/memory'],
      ['get', '/v1/jobs'],
      ['get', '/v1/placement'],
      ['get', '/v1/advise'],
      ['post', '/v1/jobs/{name}/move'],
      ['post', '/v1/policy'],
      ['post', '/v1/cpus'],
      ['post', '/v1/migrate'],
      ['post', '/v1/undo/{id}'],
      ['get', '/events'],
    ];
    for (const [method, path] of expected) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path} is described`);
      assert.ok(routes.includes(path.replace(/\{(\w+)\}/g, ':$1').split('/').pop()!), `${path} is a route`);
    }
    const described = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`));
    assert.deepEqual(described.sort(), expected.map(([m, p]) => `${m} ${p}`).sort(), 'nothing described that is not a route');
    // Answers against the described 200 schemas.
    const ajv = new Ajv2020.default({ strict: false });
    const check = async (path: string, url: string): Promise<void> => {
      const schema = doc.paths[path]?.['get']?.responses['200']?.content?.['application/json']?.schema;
      assert.ok(schema, `${path} has a 200 schema`);
      const body = (await app.inject(url)).json();
      assert.ok(ajv.validate(schema, body), `${url}: ${ajv.errorsText()}`);
    };
    await check('/v1/status', '/v1/status');
    await check('/v1/journal', '/v1/journal');
    await check('/v1/processes', '/v1/processes');
    await check('/v1/plan', '/v1/plan');
    await check('/v1/placement', '/v1/placement');
    await check('/v1/advise', '/v1/advise?cpus=1&mem=64MiB');
  });

  it('admission: the nodes for a job, every candidate scored; a bad size is a 400', async () => {
    const res = await app.inject('/v1/advise?cpus=0.5&mem=1MiB');
    assert.equal(res.statusCode, 200, res.body);
    const a = res.json() as { request: { cpus: number; memBytes: number }; nodes: number[]; candidates: { nodes: number[]; score: number; fits: boolean }[]; reason: string };
    assert.deepEqual(a.request, { cpus: 0.5, memBytes: 2 ** 20 });
    assert.ok(a.candidates.length > 0 && a.candidates.every((c, i) => i === 0 || c.score <= a.candidates[i - 1]!.score), 'best first');
    assert.ok(a.nodes.length > 0 && a.candidates[0]!.fits, a.reason);
    const bad = await app.inject('/v1/advise?cpus=1&mem=lots');
    assert.equal(bad.statusCode, 400);
  });

  it('job move: an unknown job is refused, naming the jobs there are', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/jobs/nosuch/move', payload: { to: '1' } });
    assert.equal(res.statusCode, 404, res.body);
    assert.match(res.json().error.message, /job 'nosuch' does not exist/);
    const noTo = await app.inject({ method: 'POST', url: '/v1/jobs/nosuch/move', payload: {} });
    assert.equal(noTo.statusCode, 400);
  });
});

describe('API over TCP: the token', () => {
  const r = rig();
  let app: FastifyInstance;
  const token = 'a-long-enough-test-token-0123456789';
  before(async () => {
    r.daemon.start();
    app = await buildApp({ daemon: r.daemon, root: ROOT, token });
  });
  after(async () => {
    await app.close();
    await r.daemon.stop();
  });

  it('every route needs it: 401 without, 200 with the bearer', async () => {
    for (const url of ['/v1/status', '/v1/journal', '/openapi.json', '/']) {
      const res = await app.inject(url);
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    assert.equal((await app.inject({ url: '/v1/status', headers: { authorization: 'Bearer nope' } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'POST', url: '/v1/policy', payload: { pid: 1, policy: 'bind=0' } })).statusCode, 401);
    assert.equal((await app.inject({ url: '/v1/status', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
  });

  it('/?token= gives an HttpOnly SameSite=Strict cookie and drops the token from the address', async () => {
    const res = await app.inject(`/v1/status?token=${token}&x=1`);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/v1/status?x=1');
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const value = /numapol_token=([^;]+)/.exec(cookie)?.[1];
    assert.ok(value);
    assert.equal((await app.inject({ url: '/v1/status', headers: { cookie: `numapol_token=${value}` } })).statusCode, 200);
    assert.equal((await app.inject({ url: '/v1/status?token=wrong' })).statusCode, 401);
  });
});
