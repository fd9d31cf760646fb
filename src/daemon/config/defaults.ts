/**
 * The configuration of a file that sets nothing, and a machine for schema uses that check no
 * value against one (the defaults, the JSON Schema).
 */
import type { MachineChecks } from './machine.js';
import { configSchema } from './schema.js';
import type { DaemonConfig } from './types.js';

/** For schemas that never parse a rule: any use is a bug. */
export const NO_MACHINE: MachineChecks = {
  policy: noMachine,
  nodes: noMachine,
  cpuNodes: noMachine,
  cpus: noMachine,
  uid: noMachine,
  get onlineNodes(): never {
    return noMachine();
  },
};

function noMachine(): never {
  throw new Error('internal: a schema without a machine was asked to check a value against one');
}

/** Every setting at its default, no rules. */
export function defaultConfig(): DaemonConfig {
  return configSchema(NO_MACHINE).parse({});
}
