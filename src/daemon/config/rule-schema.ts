/**
 * One rule: a name, what it applies to (`match:` processes or an `shm:` object) and what it
 * does. Which keys go together is checked here, on the keys as written, so that a misplaced
 * key is reported at its own line whatever else is wrong in the rule.
 */
import * as z from 'zod';
import { cpusSchema, migrateSchema, policySchema, shmSchema, vmasSchema, type CheckedCpuBinding, type CheckedMigrate, type CheckedVmaAction } from './action-schema.js';
import { AT_KEY, MISSING, bool, expected, isPlainObject, name, strict } from './fields.js';
import { inactiveReason, type Checked, type MachineChecks } from './machine.js';
import { matchSchema } from './match-schema.js';
import { MODES, type MatchRule, type Mode, type Rule } from './types.js';
import type { NodeSet } from '../../policy/model.js';

/** Keys that make a match rule act. */
const ACTIONS = ['policy', 'vmas', 'cpus', 'migrate'] as const;
/** Keys a rule with exclude: true must not have. */
const NOT_WITH_EXCLUDE = [...ACTIONS, 'job', 'place'] as const;
/** Keys an shm rule must not have. */
const NOT_WITH_SHM = ['vmas', 'cpus', 'migrate', 'exclude', 'job', 'place'] as const;

export function modeSchema(description: string) {
  return z.enum(MODES, expected('enforce or advise')).meta({ description });
}

function ruleShape(machine: MachineChecks) {
  return {
    name: name('Name of the rule, unique in the file: letters, digits, "_", "." and "-". The journal records it.'),
    match: matchSchema(machine).optional(),
    shm: shmSchema().optional(),
    policy: policySchema(machine).optional(),
    vmas: vmasSchema(machine).optional(),
    cpus: cpusSchema(machine).optional(),
    migrate: migrateSchema(machine).optional(),
    exclude: bool('Leave matching processes alone: no later rule applies to them. Takes no actions.').optional(),
    mode: modeSchema('This rule\'s mode, overriding the daemon\'s: enforce acts, advise only records what it would do.').optional(),
    job: name('Name of the job the matching processes belong to.').optional(),
    place: z.literal('auto', expected('auto')).meta({ description: 'auto: the daemon places the processes itself (see auto).' }).optional(),
  };
}

/** Which keys go together, from the keys written (whatever their values). */
function checkKeys(rule: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const has = (k: string): boolean => Object.hasOwn(rule, k);
  if (has('match') && has('shm')) {
    ctx.addIssue({ code: 'custom', path: ['shm'], message: 'a rule has match (processes) or shm (a shared memory object), not both', params: AT_KEY });
  } else if (!has('match') && !has('shm')) {
    ctx.addIssue({ code: 'custom', message: 'a rule needs match (which processes) or shm (which shared memory object)', params: MISSING });
  } else if (has('shm')) {
    for (const k of NOT_WITH_SHM.filter(has)) {
      ctx.addIssue({ code: 'custom', path: [k], message: `an shm rule takes only policy (and mode): remove ${JSON.stringify(k)}`, params: AT_KEY });
    }
    if (!has('policy')) ctx.addIssue({ code: 'custom', path: ['policy'], message: 'missing required key "policy": an shm rule sets the object\'s policy' });
  } else if (rule['exclude'] === true) {
    for (const k of NOT_WITH_EXCLUDE.filter(has)) {
      ctx.addIssue({ code: 'custom', path: [k], message: `a rule with exclude: true takes no actions: remove ${JSON.stringify(k)} or exclude`, params: AT_KEY });
    }
  } else if (!NOT_WITH_EXCLUDE.some(has) && !(has('exclude') && rule['exclude'] !== false)) {
    ctx.addIssue({ code: 'custom', message: 'the rule does nothing: give an action (policy, vmas, cpus, migrate), exclude: true, job or place', params: MISSING });
  }
  // set_mempolicy has no home node; set_mempolicy_home_node works on ranges.
  const policy = rule['policy'];
  if (isPlainObject(policy) && isPlainObject(policy['value']) && isPlainObject(policy['value']['policy']) && policy['value']['policy']['homeNode'] !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['policy'],
      message: has('shm')
        ? 'a home node is not kept by a shared memory object: remove home='
        : 'a home node is set on address ranges (set_mempolicy_home_node), not on a whole process: give it under vmas',
    });
  }
}

export function ruleSchema(machine: MachineChecks) {
  return strict(ruleShape(machine), 'A rule: which processes (match) or which shared memory object (shm), and what to do.', 'a rule (a map with name, match and actions)')
    .superRefine(checkKeys, { when: (p) => isPlainObject(p.value) })
    .meta({ oneOf: [{ required: ['name', 'match'] }, { required: ['name', 'shm', 'policy'] }] })
    .transform((r): Rule => {
      const missing = new Set<number>();
      const unwrap = <T>(c: Checked<T>): T => {
        for (const n of c.missing) missing.add(n);
        return c.value;
      };
      const common: { name: string; mode?: Mode } = { name: r.name, ...(r.mode === undefined ? {} : { mode: r.mode }) };
      let rule: Rule;
      if (r.shm !== undefined) {
        rule = { kind: 'shm', ...common, shm: r.shm, policy: unwrap(r.policy!) }; // checkKeys: an shm rule has policy
      } else {
        const m: { -readonly [K in keyof MatchRule]: MatchRule[K] } = {
          kind: 'match',
          ...common,
          match: r.match!, // checkKeys: a rule without shm has match
          exclude: r.exclude ?? false,
          vmas: (r.vmas ?? []).map((v: CheckedVmaAction) => ({ ...v, policy: unwrap(v.policy) })),
        };
        if (r.policy !== undefined) m.policy = unwrap(r.policy);
        if (r.cpus !== undefined) m.cpus = cpuBinding(r.cpus, unwrap);
        if (r.migrate !== undefined) m.migrate = migrate(r.migrate, unwrap);
        if (r.job !== undefined) m.job = r.job;
        if (r.place !== undefined) m.place = r.place;
        rule = m;
      }
      if (missing.size === 0) return rule;
      const missingNodes: NodeSet = [...missing].sort((a, b) => a - b);
      return { ...rule, inactive: { missingNodes, reason: inactiveReason(missingNodes, machine.onlineNodes) } };
    });
}

type Unwrap = <T>(c: Checked<T>) => T;

function cpuBinding(c: CheckedCpuBinding, unwrap: Unwrap): MatchRule['cpus'] {
  return 'nodes' in c ? { nodes: unwrap(c.nodes) } : { cpus: c.cpus };
}

function migrate(m: CheckedMigrate, unwrap: Unwrap): MatchRule['migrate'] {
  return { from: unwrap(m.from), to: unwrap(m.to), rate: m.rate };
}
