/** The read routes: status, nodes, processes, rules, the journal, the plan, placement and admission. */
import type { FastifyInstance } from 'fastify';
import { NumapolError } from '../../../errors.js';
import { hardware, listVmas, showProcess } from '../../../ops/index.js';
import type { Daemon } from '../../daemon.js';
import { MemoryViews } from '../../views/memory-view.js';
import { parseSince } from '../../journal/index.js';
import { parseSize } from '../../config/units.js';
import { jsonForm } from '../../journal/json.js';
import { anyArray, anyObject, errors, idParam, journalEntry, journalQuery, pidParam } from '../schemas.js';

export function readRoutes(app: FastifyInstance, daemon: Daemon, root: string | undefined): void {
  const ro = root === undefined ? {} : { root };
  const views = new MemoryViews(daemon, root);
  app.get('/v1/status', { schema: { summary: "the daemon's state: mode, rules, processes, connector, queues", response: { 200: anyObject, ...errors } } }, () => daemon.status());

  app.get('/v1/nodes', { schema: { summary: 'nodes: CPUs, memory size/free/used per node, distances (numapol hardware)', response: { 200: anyObject, ...errors } } }, () => hardware(ro));

  app.get<{ Querystring: { all?: boolean } }>(
    '/v1/processes',
    {
      schema: {
        summary: 'processes a rule matches, each with its rule and the state of its actions; all=true adds every process seen',
        querystring: { type: 'object', properties: { all: { type: 'boolean' } } },
        response: { 200: anyArray, ...errors },
      },
    },
    (req) => daemon.processes(req.query.all === true),
  );

  app.get<{ Params: { pid: number } }>(
    '/v1/processes/:pid',
    {
      schema: {
        summary: 'one process: its rule and actions, threads and policies, VMAs with pages per node, its journal',
        params: pidParam,
        response: { 200: anyObject, ...errors },
      },
    },
    (req) => {
      const pid = req.params.pid;
      const show = showProcess(pid, ro);
      const view = daemon.process(pid);
      // VMA addresses and policies' node masks are bigints: sent as "0x…" hex, as the CLI prints them.
      return jsonForm({ pid, daemon: view ?? null, show, vmas: listVmas(pid, ro).vmas, journal: daemon.journalEntries({ pid, limit: 200 }).filter((e) => view === undefined || e.start === view.start) });
    },
  );

  app.get('/v1/rules', { schema: { summary: 'the rules, in the order they are tried (the first match wins)', response: { 200: anyArray, ...errors } } }, () => daemon.rules());

  app.get<{ Querystring: { pid?: number; since?: string; rule?: string; action?: string; limit?: number } }>(
    '/v1/journal',
    { schema: { summary: 'journal entries, newest first', querystring: journalQuery, response: { 200: { type: 'array', items: journalEntry }, ...errors } } },
    (req) => {
      const q = req.query;
      return daemon.journalEntries({
        ...(q.pid !== undefined ? { pid: q.pid } : {}),
        ...(q.since !== undefined ? { since: parseSince(q.since, { option: 'since' }) } : {}),
        ...(q.rule !== undefined ? { rule: q.rule } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        limit: q.limit ?? 1000,
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/journal/:id',
    { schema: { summary: 'one journal entry', params: idParam, response: { 200: journalEntry, ...errors } } },
    (req) => {
      const e = daemon.journalEntry(req.params.id);
      if (e === undefined) throw new NumapolError('ENOENT', `journal entry ${req.params.id} does not exist`, { usage: true });
      return e;
    },
  );

  app.get<{ Querystring: { top?: number } }>(
    '/v1/memory',
    {
      schema: {
        summary: 'nodes (memory, CPU use, distances) and where the memory of managed processes and the largest others is, against where their threads run',
        querystring: { type: 'object', properties: { top: { type: 'integer', minimum: 0, maximum: 1000 } } },
        response: { 200: anyObject, ...errors },
      },
    },
    (req) => views.look(req.query.top ?? 20),
  );

  app.get('/v1/jobs', { schema: { summary: 'the jobs rules make (job: NAME): their rules and processes', response: { 200: anyArray, ...errors } } }, () => daemon.jobs());

  // Decisions put their words and candidate lists together when read: plain JSON here.
  app.get(
    '/v1/placement',
    { schema: { summary: "automatic placement's last pass: each place: auto process's current placement, every candidate node set with its score and parts, the decision and why", response: { 200: anyObject, ...errors } } },
    () => plain(daemon.placement()),
  );

  app.get<{ Querystring: { cpus: number; mem: string } }>(
    '/v1/advise',
    {
      schema: {
        summary: 'admission (numad -w): the nodes a new job of CPUS busy CPUs and MEM bytes should get, every candidate scored, with the reasons',
        querystring: { type: 'object', required: ['cpus', 'mem'], properties: { cpus: { type: 'number', minimum: 0 }, mem: { type: 'string' } } },
        response: { 200: anyObject, ...errors },
      },
    },
    (req) => plain(daemon.advise({ cpus: req.query.cpus, memBytes: parseSize(req.query.mem) })),
  );

  app.get('/v1/plan', { schema: { summary: 'what the daemon would do now and has not done (advised, pending, queued, failed actions)', response: { 200: anyArray, ...errors } } }, () => daemon.plan());
}

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}
