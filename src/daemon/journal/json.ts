/**
 * The JSON columns (params, before, result). Values go in the form the CLI and the API show
 * them (src/cli/json.ts): bigint addresses as "0x…" hex strings, Maps as objects, Sets as arrays.
 * What comes back is that JSON form, not the caller's objects: undo parses `before` itself.
 */
import { NumapolError } from '../../errors.js';

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

/** A value as the API answers it: its JSON form, parsed back (fastify's serializer throws on a bigint). */
export function jsonForm(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, replacer) ?? 'null') as unknown;
}

/** JSON text of a value; undefined and null both give null (SQL NULL). */
export function encodeJson(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  try {
    // A top-level function or symbol stringifies to undefined: stored as null like undefined.
    return JSON.stringify(value, replacer) ?? null;
  } catch (e) {
    throw new NumapolError('EINVAL', `journal entry ${what} cannot be stored as JSON: ${(e as Error).message}`, { cause: e });
  }
}

export function decodeJson(text: string | null, id: number, what: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new NumapolError('EJOURNAL', `journal entry ${id} has unreadable ${what} (not JSON): the file was changed outside numapol`, { cause: e });
  }
}
