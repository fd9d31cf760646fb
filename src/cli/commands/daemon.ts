import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import type { DaemonStatus } from '../../daemon/daemon.js';
import { noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { callDaemon, socketPath } from '../daemon-client.js';
import { SOCKET_OPTION } from '../daemon-options.js';

const DEFAULT_CONFIG = '/etc/numapol/numapol.yaml';

type DaemonResult =
  | { readonly kind: 'stopped'; readonly restored: number }
  | { readonly kind: 'check'; readonly file: string; readonly rules: number; readonly warnings: readonly string[] }
  | { readonly kind: 'schema'; readonly schema: unknown }
  | { readonly kind: 'unit'; readonly text: string }
  | { readonly kind: 'status'; readonly status: DaemonStatus };

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0';
  }
}

/** Runs the service until SIGTERM or SIGINT; SIGHUP reloads the configuration. */
async function runForeground(configPath: string, socket: string | undefined): Promise<DaemonResult> {
  const { startService } = await import('../../daemon/service.js');
  const svc = await startService({ configPath, ...(socket !== undefined ? { socket } : {}), version: version() });
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      process.off('SIGHUP', hup);
      svc.close().then((r) => resolve({ kind: 'stopped', restored: r.restored }), reject);
    };
    const hup = (): void => {
      svc.reload();
    };
    process.on('SIGHUP', hup);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

export default defineCommand<DaemonResult>({
  name: 'daemon',
  summary: 'The batch process manager: places processes by rules, journals every change, serves an API (foreground).',
  usage: 'numapol daemon [--config FILE] [--socket PATH] | numapol daemon --check FILE | numapol daemon status [--json] | numapol daemon --schema | numapol daemon --unit',
  options: {
    config: { type: 'string', valueName: 'FILE', description: `the configuration (default ${DEFAULT_CONFIG})` },
    check: { type: 'string', valueName: 'FILE', description: 'validate FILE against the schema and this machine, and exit: 0, or 2 with the error and its line and column' },
    schema: { type: 'boolean', description: "print the configuration's JSON Schema (for editors) and exit" },
    unit: { type: 'boolean', description: 'print a systemd unit that runs this numapol (install as /etc/systemd/system/numapol.service)' },
    ...SOCKET_OPTION,
  },
  details: `Runs in the foreground (a systemd unit ships with the package). SIGHUP or a change of the file reloads
the configuration; a bad file is refused whole and the running configuration stays. SIGTERM finishes the
action in flight and exits 0; with restore-on-exit: true it first undoes its own actions on processes that
are still running.
'numapol daemon status' asks the running daemon (exit 1 when none answers). JSON fields of status: pid,
startedAt, mode, rules, tracked, managed, connector (on, unavailable, off), connectorError, events, overruns,
rescans, lastRescanMs, queued {stops, pages}.`,
  run: async ({ positionals, values }) => {
    const socket = optString(values, 'socket');
    if (positionals[0] === 'status') {
      noExtraArgs(positionals, 1, 'daemon status');
      return { kind: 'status', status: await callDaemon<DaemonStatus>(socketPath(socket), 'GET', '/v1/status') };
    }
    noExtraArgs(positionals, 0, 'daemon');
    const check = optString(values, 'check');
    if (values['unit'] === true) {
      const { serviceUnit } = await import('../../daemon/unit/service-unit.js');
      return { kind: 'unit', text: serviceUnit({ bin: process.argv[1] ?? 'numapol', ...(optString(values, 'config') !== undefined ? { config: optString(values, 'config')! } : {}) }) };
    }
    if (values['schema'] === true) {
      const { configJsonSchema } = await import('../../daemon/config/index.js');
      return { kind: 'schema', schema: configJsonSchema() };
    }
    if (check !== undefined) {
      if (optString(values, 'config') !== undefined) throw new UsageError('daemon: --check FILE names the file to check: no --config with it');
      const { loadConfigFile } = await import('../../daemon/config/index.js');
      const loaded = loadConfigFile(check);
      return { kind: 'check', file: check, rules: loaded.config.rules.length, warnings: loaded.warnings.map((w) => w.message) };
    }
    return runForeground(optString(values, 'config') ?? DEFAULT_CONFIG, socket ?? process.env['NUMAPOL_SOCKET']);
  },
  render: (r) => {
    switch (r.kind) {
      case 'stopped':
        return '';
      case 'schema':
        return JSON.stringify(r.schema, null, 2);
      case 'unit':
        return r.text;
      case 'check':
        return [...r.warnings.map((w) => `warning: ${w}`), `${r.file}: ok (${r.rules} rule${r.rules === 1 ? '' : 's'})`].join('\n');
      case 'status': {
        const s = r.status;
        return [
          `pid           ${s.pid} (since ${s.startedAt})`,
          `mode          ${s.mode}`,
          `rules         ${s.rules}`,
          `processes     ${s.tracked} seen, ${s.managed} managed`,
          `connector     ${s.connector}${s.connectorError ? ` (${s.connectorError})` : ''}: ${s.events} events, ${s.overruns} overruns`,
          `rescans       ${s.rescans}, last ${s.lastRescanMs.toFixed(1)} ms`,
          `queued        ${s.queued.stops} stops, ${s.queued.pages} page moves`,
        ].join('\n');
      }
    }
  },
});
