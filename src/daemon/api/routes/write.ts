/** The write routes: set a policy, set CPUs, migrate pages, move a job, undo. Each runs in the daemon's lanes and is journaled. */
import type { FastifyInstance } from 'fastify';
import type { Action } from '../../actions/action.js';
import { vmaFilterOf } from '../../actions/vma-kinds.js';
import type { Daemon } from '../../daemon.js';
import { UsageError } from '../../../errors.js';
import { cpusRequest, errors, idParam, journalEntry, migrateRequest, policyRequest } from '../schemas.js';

interface PolicyBody {
  pid: number;
  policy: string;
  threads?: number[];
  vma?: string;
  move?: boolean;
}

interface MigrateBody {
  pid: number;
  from: string;
  to: string;
  rate?: number;
}

interface CpusBody {
  pid: number;
  nodes?: string;
  cpus?: string;
}

function policyAction(b: PolicyBody): Action {
  if (b.vma === undefined) {
    if (b.move !== undefined) throw new UsageError('move needs vma: it moves the pages of VMAs');
    return { kind: 'policy', policy: b.policy, ...(b.threads !== undefined ? { threads: b.threads } : {}) };
  }
  if (b.threads !== undefined) throw new UsageError('threads and vma do not go together: a VMA policy holds for every thread');
  try {
    vmaFilterOf(b.vma);
  } catch {
    throw new UsageError(`vma '${b.vma}': use heap, stack, anon, shm or file:GLOB`);
  }
  return { kind: 'vma-policy', vma: b.vma, policy: b.policy, move: b.move === true };
}

export function writeRoutes(app: FastifyInstance, daemon: Daemon): void {
  const answer = { 200: journalEntry, ...errors };
  app.post<{ Body: PolicyBody }>(
    '/v1/policy',
    { schema: { summary: "set a running process's policy: its threads' (set_mempolicy) or its VMAs' (mbind)", body: policyRequest, response: answer } },
    (req) => daemon.request({ pid: req.body.pid, action: policyAction(req.body) }),
  );
  app.post<{ Body: CpusBody }>(
    '/v1/cpus',
    { schema: { summary: "set the CPU affinity of every thread of a process", body: cpusRequest, response: answer } },
    (req) => daemon.request({ pid: req.body.pid, action: { kind: 'cpus', ...(req.body.nodes !== undefined ? { nodes: req.body.nodes } : { cpus: req.body.cpus ?? '' }) } }),
  );
  app.post<{ Body: MigrateBody }>(
    '/v1/migrate',
    { schema: { summary: "move a process's pages from some nodes to others, paced", body: migrateRequest, response: answer } },
    (req) =>
      daemon.request({
        pid: req.body.pid,
        action: { kind: 'migrate', from: req.body.from, to: req.body.to, ...(req.body.rate !== undefined ? { rateBytesPerSecond: req.body.rate * 1e6 } : {}) },
      }),
  );
  app.post<{ Params: { name: string }; Body: { to: string; from?: string } }>(
    '/v1/jobs/:name/move',
    {
      schema: {
        summary: "move a whole job (a rule's job: NAME, or a cgroup by its path, URL-encoded) to other nodes: policies with relative placement kept, CPUs, and pages node to partner node, each shared page once, paced; one journal entry, undone whole",
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
        body: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', minLength: 1 }, from: { type: 'string', minLength: 1 } } },
        response: answer,
      },
    },
    (req) => daemon.moveJob({ job: req.params.name, to: req.body.to, ...(req.body.from === undefined ? {} : { from: req.body.from }) }),
  );
  app.post<{ Params: { id: number } }>(
    '/v1/undo/:id',
    { schema: { summary: 'put back what a journal entry changed, if its process is still the same one', params: idParam, response: answer } },
    (req) => daemon.undo(req.params.id),
  );
}
