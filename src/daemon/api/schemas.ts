/**
 * JSON Schemas of the API: fastify validates requests against them, and the OpenAPI document is
 * made from them (openapi.json), so the description cannot drift from the routes. Objects allow
 * more properties than they list: responses carry ops reports whose fields are documented with
 * each command (`numapol COMMAND --help`).
 */
const nullable = (type: string) => ({ type: [type, 'null'] });

export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

export const journalEntry = {
  type: 'object',
  required: ['id', 'time', 'pid', 'comm', 'rule', 'action', 'outcome'],
  additionalProperties: true,
  properties: {
    id: { type: 'integer' },
    time: { type: 'string', description: 'ISO 8601, UTC' },
    pid: nullable('integer'),
    start: { ...nullable('integer'), description: 'the process start time (clock ticks after boot): with pid, its identity' },
    comm: nullable('string'),
    cgroup: nullable('string'),
    rule: { ...nullable('string'), description: 'the rule that acted; null for API requests' },
    source: { type: 'string', enum: ['rule', 'api', 'undo', 'shutdown', 'file'] },
    action: { type: 'string', description: 'policy, vma-policy, cpus, migrate, shm-policy, undo' },
    mode: { type: 'string', enum: ['enforce', 'advise'] },
    params: { description: 'what was asked' },
    before: { description: 'the state before: what undo puts back' },
    result: { description: "the operation's report" },
    outcome: { type: 'string', enum: ['ok', 'partial', 'failed', 'gone', 'advised', 'skipped', 'running', 'interrupted'] },
    error: nullable('string'),
    spec: nullable('string'),
    undoes: nullable('integer'),
    undoneBy: nullable('integer'),
  },
} as const;

export const pidParam = {
  type: 'object',
  required: ['pid'],
  properties: { pid: { type: 'integer', minimum: 1 } },
} as const;

export const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

export const policyRequest = {
  type: 'object',
  required: ['pid', 'policy'],
  additionalProperties: false,
  properties: {
    pid: { type: 'integer', minimum: 1 },
    policy: { type: 'string', description: 'any policy text numapol accepts: bind=0-1, interleave=all, prefer=2, default…' },
    threads: { type: 'array', items: { type: 'integer', minimum: 1 }, description: 'only these threads (default: every thread)' },
    vma: { type: 'string', description: 'a VMA policy instead: heap, stack, anon, shm or file:GLOB' },
    move: { type: 'boolean', description: 'with vma: move the pages already there' },
  },
} as const;

export const migrateRequest = {
  type: 'object',
  required: ['pid', 'from', 'to'],
  additionalProperties: false,
  properties: {
    pid: { type: 'integer', minimum: 1 },
    from: { type: 'string', description: 'source nodes, e.g. "0" or "0-1"' },
    to: { type: 'string', description: 'destination nodes, relative placement kept' },
    rate: { type: 'number', exclusiveMinimum: 0, description: 'MB/s (10^6 bytes/s) at most; the global migrate-rate still applies' },
  },
} as const;

export const cpusRequest = {
  type: 'object',
  required: ['pid'],
  additionalProperties: false,
  properties: {
    pid: { type: 'integer', minimum: 1 },
    nodes: { type: 'string', description: 'the CPUs of these nodes' },
    cpus: { type: 'string', description: 'these CPUs, e.g. "0-3,8"' },
  },
  oneOf: [{ required: ['nodes'] }, { required: ['cpus'] }],
} as const;

export const journalQuery = {
  type: 'object',
  properties: {
    pid: { type: 'integer', minimum: 1 },
    since: { type: 'string', description: 'ISO time, or relative: 10m, 2h, 3d' },
    rule: { type: 'string' },
    action: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 100000 },
  },
} as const;

export const anyObject = { type: 'object', additionalProperties: true } as const;
export const anyArray = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;

/** Standard error answers every route may give. */
export const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 500: errorBody, 503: errorBody } as const;
