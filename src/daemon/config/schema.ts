/**
 * The configuration file's schema: the one description of every key, its default and its
 * checks, from which both the loader's validation and the published JSON Schema come.
 * Built per load around the machine the values are checked against.
 */
import * as z from 'zod';
import { absolutePath, bool, duration, expected, integer, perSecond, rate, strict } from './fields.js';
import type { MachineChecks } from './machine.js';
import { modeSchema, ruleSchema } from './rule-schema.js';
import { LOG_LEVELS, type DaemonConfig, type HttpListen } from './types.js';

export const DEFAULT_CONFIG_PATH = '/etc/numapol/numapol.yaml';

/** `HOST:PORT`; an IPv6 host in brackets (`[::1]:9100`). */
export function parseListen(text: string): HttpListen | string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return `bad listen address ${JSON.stringify(text)}: expected HOST:PORT, e.g. 127.0.0.1:9100 or [::1]:9100`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `bad port ${port} in ${JSON.stringify(text)}: expected 1-65535`;
  return { host: m[1] ?? m[2]!, port };
}

function httpSchema() {
  return strict(
    {
      listen: z
        .string(expected('HOST:PORT'))
        .transform((v, ctx): HttpListen => {
          const l = parseListen(v);
          if (typeof l !== 'string') return l;
          ctx.addIssue({ code: 'custom', message: l });
          return z.NEVER;
        })
        .meta({ description: 'Address and port of the HTTP API, e.g. 127.0.0.1:9100 or [::1]:9100.' }),
      'token-file': absolutePath('File holding the bearer token clients must send (required: the daemon serves TCP only with a token).').optional(),
    },
    'The HTTP API on a TCP port (besides the unix socket). Requires token-file.',
  )
    .superRefine(
      (v, ctx) => {
        if (!Object.hasOwn(v, 'token-file')) {
          ctx.addIssue({ code: 'custom', path: ['token-file'], message: 'missing required key "token-file": the daemon refuses TCP without a token' });
        }
      },
      { when: (p) => typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value) },
    )
    .meta({ required: ['listen', 'token-file'] })
    .transform((v) => ({ listen: v.listen, tokenFile: v['token-file']! }));
}

function autoSchema() {
  return strict(
    {
      interval: duration('Time between automatic placement passes. Default 10s.', 100).prefault('10s'),
      cooldown: duration('Time a process is left alone after it was moved. Default 300s.', 0).prefault('300s'),
      'max-moves': integer('Processes moved per pass at most. Default 1.', 1).prefault(1),
      threshold: z
        .number(expected('a number from 0 to 1'))
        .min(0, { error: 'must be from 0 to 1' })
        .max(1, { error: 'must be from 0 to 1' })
        .meta({ description: 'Smallest gain of placement score (0 to 1) worth a move. Default 0.1.' })
        .prefault(0.1),
    },
    'Automatic placement (rules with place: auto).',
  )
    .prefault({})
    .transform((v) => ({ interval: v.interval, cooldown: v.cooldown, maxMoves: v['max-moves'], threshold: v.threshold }));
}

function metricsSchema() {
  return strict(
    { 'top-processes': integer('Processes with their own per-node series (the largest by resident memory). Default 20.', 0).prefault(20) },
    'Prometheus metrics.',
  )
    .prefault({})
    .transform((v) => ({ topProcesses: v['top-processes'] }));
}

function rulesSchema(machine: MachineChecks) {
  return z
    .array(ruleSchema(machine), expected('a list of rules'))
    .superRefine((rules, ctx) => {
      // Names seen so far: index of their first rule.
      const seen = new Map<string, number>();
      rules.forEach((r, i) => {
        const n: unknown = (r as { name?: unknown } | null)?.name;
        if (typeof n !== 'string') return;
        const first = seen.get(n);
        if (first === undefined) seen.set(n, i);
        else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `rule name ${JSON.stringify(n)} is already used by rules[${first}]` });
      });
    }, { when: (p) => Array.isArray(p.value) })
    .nullable()
    .meta({ description: 'Rules, tried in order: the first whose match holds applies (an empty list does nothing).' })
    .prefault([])
    .transform((v) => v ?? []);
}

export function configSchema(machine: MachineChecks) {
  return strict(
    {
      mode: modeSchema('enforce: rules act; advise: the daemon only records what rules would do. Default enforce.').prefault('enforce'),
      rescan: duration('Time between full rescans of /proc (process events are seen as they happen). Default 5s, at least 100ms.', 100).prefault('5s'),
      journal: absolutePath('SQLite file where every change is recorded (and can be undone). Default /var/lib/numapol/journal.db.').prefault('/var/lib/numapol/journal.db'),
      'migrate-rate': rate('Bytes per second for all page moves made by rules together, e.g. 200MB/s (10^6 bytes) or 100MiB/s. Absent: unlimited.').optional(),
      'stop-rate': perSecond('Process stops per second at most (each policy change stops the process briefly), e.g. 50/s. Default 50.').prefault(50),
      'restore-on-exit': bool('Put back the policies the daemon changed when it stops. Default false.').prefault(false),
      socket: absolutePath('Unix socket of the API (numapol CLI commands talk to it). Default /run/numapol/numapol.sock.').prefault('/run/numapol/numapol.sock'),
      http: httpSchema().optional(),
      'log-level': z.enum(LOG_LEVELS, expected(`one of ${LOG_LEVELS.join(', ')}`)).meta({ description: 'Least severe log messages written. Default info.' }).prefault('info'),
      auto: autoSchema(),
      metrics: metricsSchema(),
      rules: rulesSchema(machine),
    },
    'numapol daemon configuration (/etc/numapol/numapol.yaml).',
    'a map of settings (mode, rescan, rules, …)',
  ).transform(
    (c): DaemonConfig => ({
      mode: c.mode,
      rescan: c.rescan,
      journal: c.journal,
      migrateRate: c['migrate-rate'] ?? null,
      stopRate: c['stop-rate'],
      restoreOnExit: c['restore-on-exit'],
      socket: c.socket,
      http: c.http ?? null,
      logLevel: c['log-level'],
      auto: c.auto,
      metrics: c.metrics,
      rules: c.rules,
    }),
  );
}
