/**
 * A rule's action spec as a short stable hash: when a reloaded file changes a rule, the daemon
 * compares hashes to know whether the processes it already acted on must be acted on again.
 * Only what the rule does counts (not its name or match); policies count by meaning
 * (`bind=0,1` is `bind:0-1`), and text meaning "the target's nodes" by its text.
 */
import { createHash } from 'node:crypto';
import { formatPolicy } from '../../policy/format.js';
import type { NodeListSpec, PolicySpec, Rule } from './types.js';

function policyKey(p: PolicySpec): string {
  return p.perTarget ? `target:${p.text.replace(/\s+/g, '').toLowerCase()}` : formatPolicy(p.policy);
}

function nodesKey(n: NodeListSpec): string {
  return n.perTarget ? `target:${n.text.replace(/\s+/g, '').toLowerCase()}` : n.nodes.join(',');
}

/** Plain data in a fixed shape: absent things are absent, so adding a key later changes no old hash. */
function actionSpec(rule: Rule): Record<string, unknown> {
  const spec: Record<string, unknown> = { kind: rule.kind };
  if (rule.mode !== undefined) spec['mode'] = rule.mode;
  if (rule.kind === 'shm') {
    spec['shm'] = rule.shm.file ?? (rule.shm.key !== undefined ? `key:${rule.shm.key}` : `id:${rule.shm.id}`);
    spec['policy'] = policyKey(rule.policy);
    return spec;
  }
  if (rule.exclude) spec['exclude'] = true;
  if (rule.policy !== undefined) spec['policy'] = policyKey(rule.policy);
  if (rule.vmas.length > 0) spec['vmas'] = rule.vmas.map((v) => [v.key, policyKey(v.policy), v.move]);
  if (rule.cpus !== undefined) spec['cpus'] = rule.cpus.nodes !== undefined ? { nodes: nodesKey(rule.cpus.nodes) } : { cpus: rule.cpus.cpus.cpus.join(',') };
  if (rule.migrate !== undefined) spec['migrate'] = [nodesKey(rule.migrate.from), nodesKey(rule.migrate.to), rule.migrate.rate];
  if (rule.job !== undefined) spec['job'] = rule.job;
  if (rule.place !== undefined) spec['place'] = rule.place;
  return spec;
}

/** JSON with keys sorted, so equal specs give equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** 16 hex digits of SHA-256 over the rule's action spec. */
export function specHash(rule: Rule): string {
  return createHash('sha256').update(canonical(actionSpec(rule))).digest('hex').slice(0, 16);
}
