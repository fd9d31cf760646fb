/**
 * Schema issues as the problems users read: what is wrong, worded for a YAML file, and which
 * text it points at (the value, the key, or the map a required key is missing from).
 */
import type * as z from 'zod';
import { describeValue } from './fields.js';
import type { Anchor, PathSegment } from './positions.js';

export interface Problem {
  readonly path: readonly PathSegment[];
  readonly anchor: Anchor;
  readonly problem: string;
  /**
   * `missing`: something the map at `mapPath` lacks; `unknown`: a key it should not have. A map
   * with an unknown key is not also said to lack one: the unknown key is likely its misspelling.
   */
  readonly kind: 'missing' | 'unknown' | 'value';
  readonly mapPath?: readonly PathSegment[];
}

/** What custom issues say about themselves (fields.ts, rule-schema.ts). */
export interface IssueParams {
  readonly anchor?: Anchor;
  readonly kind?: 'missing' | 'unknown';
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a map',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/**
 * Wording for issues whose schema gave none: a safety net, since the schema words its own
 * (fields.ts). Passed to safeParse as the error map of last resort.
 */
export function fallbackMessage(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${TYPE_WORDS[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'invalid_value':
      return `expected ${iss.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(iss.input)}`;
    case 'too_small':
      return iss.origin === 'array' ? 'the list is empty' : `must be at least ${String(iss.minimum)}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}`;
    default:
      return `bad value ${describeValue(iss.input)}`;
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let v: unknown = data;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return { found: false, value: undefined };
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return { found: true, value: v };
}

/** The issue as a problem; `data` is what the file held, to tell a missing key from a bad value. */
export function problemOf(issue: z.core.$ZodIssue, data: unknown): Problem {
  const path = issue.path.filter((s): s is PathSegment => typeof s === 'string' || typeof s === 'number');
  const params: IssueParams = issue.code === 'custom' ? ((issue as { params?: IssueParams }).params ?? {}) : {};
  if (params.kind === 'missing') return { path, anchor: 'value', problem: issue.message, kind: 'missing', mapPath: path };
  if (params.kind === 'unknown') return { path, anchor: 'key', problem: issue.message, kind: 'unknown' };
  // A required key that is not there: the problem is the map's, named after the key.
  if (!valueAt(data, path).found && path.length > 0) {
    const key = path[path.length - 1]!;
    const problem = issue.message.startsWith('missing') ? issue.message : `missing required key ${JSON.stringify(String(key))}`;
    return { path, anchor: 'value', problem, kind: 'missing', mapPath: path.slice(0, -1) };
  }
  return { path, anchor: params.anchor ?? 'value', problem: issue.message, kind: 'value' };
}
