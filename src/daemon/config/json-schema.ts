/**
 * The configuration's schema as JSON Schema (draft 2020-12), for editors: yaml-language-server
 * completes keys, shows each one's description and default, and flags unknown keys. It describes
 * what the file may hold; the loader checks more (nodes that exist, regexes that compile).
 */
import * as z from 'zod';
import { NO_MACHINE } from './defaults.js';
import { VMA_AREAS } from './action-schema.js';
import { configSchema } from './schema.js';

export type JsonSchema = Record<string, unknown>;

/** The `vmas:` map: its areas by name and `file:GLOB` keys, instead of zod's any-key record. */
function vmasShape(schema: JsonSchema): void {
  const value = schema['additionalProperties'] as JsonSchema;
  delete schema['x-numapol-vmas'];
  delete schema['propertyNames'];
  const area = (description: string): JsonSchema => ({ ...structuredClone(value), description });
  schema['properties'] = Object.fromEntries(
    VMA_AREAS.map((a) => [a, area({ heap: 'The heap ([heap]).', stack: 'The main thread\'s stack ([stack]).', anon: 'Private anonymous mappings (heap included).', shm: 'Shared memory mappings (tmpfs, SysV, shared anonymous).' }[a])]),
  );
  schema['patternProperties'] = { '^file:.+$': area('Mappings of files whose path matches the glob after "file:".') };
  schema['additionalProperties'] = false;
  schema['minProperties'] = 1;
}

export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema(NO_MACHINE), {
    io: 'input',
    target: 'draft-2020-12',
    override: (ctx) => {
      const s = ctx.jsonSchema as JsonSchema;
      if (s['x-numapol-vmas'] === true) vmasShape(s);
    },
  }) as JsonSchema;
  return { ...schema, title: 'numapol daemon configuration' };
}
