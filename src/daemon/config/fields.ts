/**
 * Building blocks of the configuration schema: maps that refuse unknown keys (naming the key
 * meant), values in units, paths and names. Each carries its description, which the published
 * JSON Schema shows in editors. Problems are worded here, as the user will read them.
 */
import * as z from 'zod';
import { NumapolError } from '../../errors.js';
import type { IssueParams } from './issues.js';
import { unknownKeyProblem } from './suggest.js';
import {
  DURATION_PATTERN,
  formatDuration,
  parseDuration,
  parsePerSecond,
  parseRate,
  parseSize,
  PER_SECOND_PATTERN,
  RATE_PATTERN,
  SIZE_PATTERN,
} from './units.js';

/** Issue params: a problem with the key rather than its value (a key that does not belong). */
export const AT_KEY: IssueParams = { anchor: 'key' };
/** Issue params: something the map lacks (reported at the map). */
export const MISSING: IssueParams = { kind: 'missing' };
const UNKNOWN_KEY: IssueParams = { kind: 'unknown' };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a YAML value reads in "got …". */
export function describeValue(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number') return `the number ${v}`;
  return String(v);
}

/**
 * A failed check: the thrown problem's message as an issue on the value. Only usage errors (bad
 * text, unknown node) are the file's fault; anything else (an unreadable /sys) is thrown on.
 */
export function fail(ctx: z.RefinementCtx, e: unknown): typeof z.NEVER {
  if (!(e instanceof NumapolError) || !e.usage) throw e;
  ctx.addIssue({ code: 'custom', message: e.message });
  return z.NEVER;
}

/** Run `f`; a NumapolError it throws becomes the value's problem. */
export function attempt<T>(ctx: z.RefinementCtx, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return fail(ctx, e);
  }
}

/**
 * A map with known keys. Unknown keys are problems at the key, each with a suggestion; they are
 * kept in the parsed value (loose), so that rule checks see what was written.
 */
export function strict<S extends z.ZodRawShape>(shape: S, description: string, what = 'a map of keys and values') {
  const known = Object.keys(shape);
  return z
    .looseObject(shape, expected(what))
    .superRefine(
      (value, ctx) => {
        for (const key of Object.keys(value)) {
          if (!known.includes(key)) ctx.addIssue({ code: 'custom', path: [key], message: unknownKeyProblem(key, known), params: UNKNOWN_KEY });
        }
      },
      { when: (p) => isPlainObject(p.value) },
    )
    .meta({ description, additionalProperties: false });
}

/** `expected WHAT, got …` for values of the wrong YAML type. */
export function expected(what: string) {
  return { error: (iss: { input?: unknown }) => `expected ${what}, got ${describeValue(iss.input)}` };
}

const numberOrText = (what: string) => z.union([z.number(), z.string()], expected(what));

/** Milliseconds, written `500ms`, `5s`, `2m`, `1h` or as seconds. */
export function duration(description: string, minMs: number) {
  return numberOrText('a duration such as 500ms, 5s, 2m or 1h')
    .transform((v, ctx) => {
      const ms = attempt(ctx, () => parseDuration(v));
      if (ms < minMs) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(String(v))} is too short: at least ${formatDuration(minMs)}` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({
      description,
      anyOf: [
        { type: 'number', minimum: minMs / 1000, description: 'seconds' },
        { type: 'string', pattern: DURATION_PATTERN },
      ],
    });
}

/** Bytes per second, written `200MB/s` (10^6 bytes), `50MiB/s` (2^20 bytes)… */
export function rate(description: string) {
  return z
    .string(expected('a rate such as 200MB/s'))
    .transform((v, ctx) => attempt(ctx, () => parseRate(v)))
    .meta({ description, pattern: RATE_PATTERN });
}

/** Bytes, written `300MB`, `1GiB`, `512k`, or a bare number of bytes. */
export function size(description: string) {
  return numberOrText('a size such as 300MB, 1GiB or 512k')
    .transform((v, ctx) => attempt(ctx, () => parseSize(v)))
    .meta({ description, anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: SIZE_PATTERN }] });
}

/** Events per second, written `50/s` or as a number. */
export function perSecond(description: string) {
  return numberOrText('a number per second such as 50/s')
    .transform((v, ctx) => attempt(ctx, () => parsePerSecond(v)))
    .meta({ description, anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', pattern: PER_SECOND_PATTERN }] });
}

/** An absolute file path. */
export function absolutePath(description: string) {
  return z
    .string(expected('an absolute path'))
    .refine((p) => p.startsWith('/'), { error: 'expected an absolute path (starting with /)' })
    .meta({ description, pattern: '^/' });
}

export const NAME_PATTERN = '^[A-Za-z0-9_.-]+$';

/** Rule and job names: letters, digits, `_`, `.`, `-`. */
export function name(description: string) {
  return z
    .string(expected('a name'))
    .regex(new RegExp(NAME_PATTERN), { error: 'a name is letters, digits, "_", "." and "-" only' })
    .meta({ description });
}

/** Non-empty text: globs and the like. */
export function text(description: string, what: string) {
  return z.string(expected(what)).min(1, { error: `expected ${what}, got empty text` }).meta({ description });
}

/** A whole number in [min, max]. */
export function integer(description: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number(expected('a whole number'))
    .int({ error: 'expected a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .meta({ description });
}

export function bool(description: string) {
  return z.boolean(expected('true or false')).meta({ description });
}

/** A node or CPU list: YAML may give a lone number (`from: 0`) or text (`"0-1"`). */
export function listText(what: string) {
  return numberOrText(what).transform((v) => String(v));
}
