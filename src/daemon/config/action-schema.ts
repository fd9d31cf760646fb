/**
 * What a rule does: a process policy, per-area policies, CPU binding, page migration, and the
 * shared memory object of an shm rule. Policies and node lists are checked against the machine
 * (machine.ts); what a one-node machine lacks travels with the value as `missing`.
 */
import * as z from 'zod';
import { absolutePath, AT_KEY, MISSING, attempt, bool, expected, integer, isPlainObject, listText, rate, strict } from './fields.js';
import type { Checked, MachineChecks } from './machine.js';
import type { CpuListSpec, MigrateAction, NodeListSpec, PolicySpec, ShmObject, VmaAction, VmaArea } from './types.js';

const POLICY_HELP =
  'A memory policy in any form numapol reads: default, local, prefer=1, bind=0-1, interleave=all, ' +
  'weighted-interleave=0-3, preferred-many=0,2, with flags (bind=static:0-1, bind=balancing:0-1); ' +
  '`all` is the target\'s cpuset nodes, `+N` relative to them, `!N` all nodes but N.';

export function policySchema(machine: MachineChecks, description = POLICY_HELP) {
  return z
    .string(expected('a policy such as bind=0-1 or interleave=all'))
    .transform((v, ctx): Checked<PolicySpec> => attempt(ctx, () => machine.policy(v)))
    .meta({ description });
}

const NODES_HELP = 'a node list such as 0, 2-3, 0,2 or all';

function nodeList(machine: MachineChecks, description: string, cpus = false) {
  return listText(NODES_HELP)
    .transform((v, ctx): Checked<NodeListSpec> => attempt(ctx, () => (cpus ? machine.cpuNodes(v) : machine.nodes(v))))
    .meta({ description });
}

export const VMA_AREAS = ['heap', 'stack', 'anon', 'shm'] as const;

export interface CheckedVma {
  readonly policy: Checked<PolicySpec>;
  readonly move: boolean;
}

function vmaValue(machine: MachineChecks) {
  return strict(
    {
      policy: policySchema(machine, 'Policy of the areas (mbind); may end with home=N for bind and preferred-many.'),
      move: bool('Also move the pages already in the areas (mbind MPOL_MF_MOVE). Default false.').optional(),
    },
    'Policy for these memory areas.',
  ).transform((v): CheckedVma => ({ policy: v.policy, move: v.move ?? false }));
}

/** The key of a `vmas:` entry, or the problem with it. */
function vmaArea(key: string): { area: VmaArea; glob?: string } | string {
  if ((VMA_AREAS as readonly string[]).includes(key)) return { area: key as VmaArea };
  if (key.startsWith('file:')) {
    const glob = key.slice(5);
    return glob === '' ? 'file: needs a glob on the mapped file\'s path, e.g. "file:/usr/lib/*"' : { area: 'file', glob };
  }
  if (key === 'file') return 'give the file\'s glob after a colon, e.g. "file:/usr/lib/*"';
  return '';
}

export interface CheckedVmaAction extends Omit<VmaAction, 'policy'> {
  readonly policy: Checked<PolicySpec>;
}

export function vmasSchema(machine: MachineChecks) {
  const value = vmaValue(machine);
  return z
    .record(z.string(), value, expected('a map of memory areas (heap, stack, anon, shm, file:GLOB)'))
    .superRefine(
      (v, ctx) => {
        const keys = Object.keys(v);
        if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'vmas names no area: give heap, stack, anon, shm or file:GLOB', params: MISSING });
        for (const key of keys) {
          const a = vmaArea(key);
          if (typeof a !== 'string') continue;
          const problem = a !== '' ? a : unknownArea(key);
          ctx.addIssue({ code: 'custom', path: [key], message: problem, params: AT_KEY });
        }
      },
      { when: (p) => isPlainObject(p.value) },
    )
    .transform((v): CheckedVmaAction[] =>
      Object.entries(v).map(([key, action]) => {
        const a = vmaArea(key) as { area: VmaArea; glob?: string };
        return { key, area: a.area, ...(a.glob === undefined ? {} : { glob: a.glob }), policy: action.policy, move: action.move };
      }),
    )
    .meta({
      description: 'Policies per memory area: heap, stack, anon (private anonymous memory), shm (shared memory), or file:GLOB (mappings of files whose path matches).',
      'x-numapol-vmas': true,
    });
}

function unknownArea(key: string): string {
  const guess = [...VMA_AREAS].find((k) => k.startsWith(key.toLowerCase().slice(0, 2)));
  return `unknown memory area ${JSON.stringify(key)}: expected heap, stack, anon, shm or file:GLOB${guess === undefined ? '' : ` (did you mean ${JSON.stringify(guess)}?)`}`;
}

export type CheckedCpuBinding = { readonly nodes: Checked<NodeListSpec> } | { readonly cpus: CpuListSpec };

export function cpusSchema(machine: MachineChecks) {
  return strict(
    {
      nodes: nodeList(machine, 'Run on the CPUs of these nodes, e.g. 2-3 (like numactl --cpunodebind).', true).optional(),
      cpus: listText('a CPU list such as 0-3,8')
        .transform((v, ctx) => attempt(ctx, () => machine.cpus(v)))
        .meta({ description: 'Run on these CPUs, e.g. 0-3,8 (like numactl --physcpubind).' })
        .optional(),
    },
    'CPU affinity of the process\'s threads: give nodes or cpus, not both.',
  )
    .superRefine(exactlyOne(['nodes', 'cpus'], 'cpus needs nodes: NODELIST or cpus: CPULIST'), { when: (p) => isPlainObject(p.value) })
    .meta({ oneOf: [{ required: ['nodes'] }, { required: ['cpus'] }] })
    .transform((v): CheckedCpuBinding => (v.nodes !== undefined ? { nodes: v.nodes } : { cpus: v.cpus! }));
}

export interface CheckedMigrate {
  readonly from: Checked<NodeListSpec>;
  readonly to: Checked<NodeListSpec>;
  readonly rate: MigrateAction['rate'];
}

export function migrateSchema(machine: MachineChecks) {
  return strict(
    {
      from: nodeList(machine, 'Nodes whose pages move, e.g. 0 or "0-1".'),
      to: nodeList(machine, 'Nodes the pages go to, e.g. 1 or "2-3" (the k-th node of from goes to the k-th of to, as migrate_pages does).'),
      rate: rate('Bytes per second at most for this rule\'s moves, e.g. 50MB/s; also counted in the global migrate-rate.').optional(),
    },
    'Move the process\'s pages from some nodes to others (migrate_pages).',
  ).transform((v): CheckedMigrate => ({ from: v.from, to: v.to, rate: v.rate ?? null }));
}

/** SysV keys are key_t (int): decimal, negative as ipcs -m can show, or 0x hex. */
function sysvKey() {
  return z
    .union([z.number(), z.string()], expected('a System V key (a number or 0x hex)'))
    .transform((v, ctx): number => {
      const text = String(v).trim();
      const n = /^0x[0-9a-f]{1,8}$/i.test(text) ? parseInt(text.slice(2), 16) : /^-?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0xffffffff) {
        ctx.addIssue({ code: 'custom', message: `bad System V key ${JSON.stringify(v)}: expected a 32-bit number, decimal or 0x hex (as ipcs -m prints it)` });
        return z.NEVER;
      }
      if (n === 0) {
        ctx.addIssue({ code: 'custom', message: 'key 0 is IPC_PRIVATE, which names no segment: give the segment\'s id instead' });
        return z.NEVER;
      }
      return n;
    })
    .meta({ description: 'System V shared memory key, decimal or 0x hex as ipcs -m prints it.', anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^(0[xX][0-9a-fA-F]{1,8}|-?[0-9]+)$' }] });
}

export function shmSchema() {
  return strict(
    {
      file: absolutePath('A file on tmpfs (/dev/shm/...) or hugetlbfs.').optional(),
      key: sysvKey().optional(),
      id: integer('A System V shared memory id (shmid).', 0, 0x7fffffff).optional(),
    },
    'The shared memory object whose policy the rule keeps: give one of file, key or id.',
  )
    .superRefine(exactlyOne(['file', 'key', 'id'], 'shm needs file: PATH, key: KEY or id: SHMID'), { when: (p) => isPlainObject(p.value) })
    .meta({ oneOf: [{ required: ['file'] }, { required: ['key'] }, { required: ['id'] }] })
    .transform((v): ShmObject => (v.file !== undefined ? { file: v.file } : v.key !== undefined ? { key: v.key } : { id: v.id! }));
}

/** A map that must hold exactly one of `keys`: none is a problem at the map, several at their keys. */
function exactlyOne(keys: readonly string[], none: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const given = keys.filter((k) => Object.hasOwn(value, k));
    if (given.length === 0) ctx.addIssue({ code: 'custom', message: none, params: MISSING });
    if (given.length < 2) return;
    const list = keys.map((k) => JSON.stringify(k)).join(keys.length === 2 ? ' or ' : ', ');
    // Each is flagged: the first written is the one reported.
    for (const k of given) {
      ctx.addIssue({ code: 'custom', path: [k], message: `give only one of ${list}, not ${given.map((g) => JSON.stringify(g)).join(' and ')}`, params: AT_KEY });
    }
  };
}
