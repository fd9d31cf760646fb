/**
 * The daemon as a service: configuration, journal, the core, and the API on its Unix socket (and
 * on TCP when the config asks, with a token). `numapol daemon` is this plus signals; tests start
 * it in-process on a socket of their own.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, unlinkSync, watch, type FSWatcher } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NumapolError } from '../errors.js';
import { buildApp } from './api/app.js';
import { loadConfigFile, type ConfigWarning, type DaemonConfig } from './config/index.js';
import { Daemon } from './daemon.js';
import { DaemonMetrics } from './metrics/metrics.js';
import { openJournal, type Journal } from './journal/index.js';
import { liveSources } from './live-sources.js';
import { createLogger, type DaemonLogger } from './logger.js';
import { compileConfig } from './rules/compile.js';
import type { ProcessSource } from './ports.js';
import { warmEngine } from './warm-up.js';

export interface ServiceOptions {
  readonly configPath: string;
  /** Overrides the config's `socket` (the CLI's --socket, NUMAPOL_SOCKET). */
  readonly socket?: string;
  readonly root?: string;
  /** Default: a pino logger at the config's level, on stderr. */
  readonly log?: DaemonLogger;
  /** Default: /proc and the process-events connector. */
  readonly source?: ProcessSource;
  /** Warm the injection engine on a throwaway process before acting (default true). */
  readonly warmUp?: boolean;
  /** Reload when the config file changes (default true). */
  readonly watchConfig?: boolean;
  readonly version?: string;
}

export interface Service {
  readonly daemon: Daemon;
  readonly journal: Journal;
  readonly socket: string;
  readonly tcp?: { host: string; port: number };
  readonly log: DaemonLogger;
  /** Loads the config file again; a bad file keeps the running config and the error is returned. */
  reload(): { ok: true; warnings: readonly ConfigWarning[] } | { ok: false; error: string };
  /** Finishes the action in flight, restores when configured, closes the listeners and the journal. */
  close(): Promise<{ restored: number }>;
}

export async function startService(o: ServiceOptions): Promise<Service> {
  const ro = o.root === undefined ? {} : { root: o.root };
  const loaded = loadConfigFile(o.configPath, ro);
  let config: DaemonConfig = loaded.config;
  const log = o.log ?? createLogger(config.logLevel);
  for (const w of loaded.warnings) log.warn({ config: o.configPath, line: w.line, column: w.column }, w.message);
  const socket = o.socket ?? config.socket;
  const token = config.http !== null ? readToken(config.http.tokenFile) : undefined;
  const journal = openJournal(config.journal);
  if (journal.interruptedAtOpen.length > 0) {
    log.warn({ entries: journal.interruptedAtOpen }, 'actions the last run did not finish are marked interrupted');
  }
  if (o.warmUp !== false && o.root === undefined) {
    const w = warmEngine();
    log.info({ calls: w.calls, ms: Math.round(w.ms) }, w.error === undefined ? 'injection engine warm' : `engine warm-up skipped: ${w.error}`);
  }
  const daemon = new Daemon({ config: compileConfig(config), source: o.source ?? liveSources(o.root, (e) => log.error({ err: e.message }, 'process events stopped')), journal, log, ...ro });
  // Before start: the metrics count from the first rescan on.
  const metrics = new DaemonMetrics(daemon, { ...ro, topProcesses: config.metrics.topProcesses, ...(o.version ? { version: o.version } : {}) });
  daemon.start();
  const apps: FastifyInstance[] = [];
  let tcp: { host: string; port: number } | undefined;
  try {
    const local = await buildApp({ daemon, metrics, ...ro, ...(o.version ? { version: o.version } : {}) });
    apps.push(local);
    await listenUnix(local, socket);
    if (config.http !== null) {
      const remote = await buildApp({ daemon, metrics, ...ro, token: token!, ...(o.version ? { version: o.version } : {}) });
      apps.push(remote);
      await remote.listen({ host: config.http.listen.host, port: config.http.listen.port });
      const addr = remote.server.address();
      tcp = { host: config.http.listen.host, port: typeof addr === 'object' && addr !== null ? addr.port : config.http.listen.port };
    }
  } catch (e) {
    await daemon.stop();
    for (const a of apps) await a.close();
    journal.close();
    throw e;
  }
  log.info({ socket, ...(tcp ? { tcp: `${tcp.host}:${tcp.port}` } : {}), rules: config.rules.length, mode: config.mode }, 'numapol daemon started');

  const reload = (): ReturnType<Service['reload']> => {
    try {
      const next = loadConfigFile(o.configPath, ro);
      for (const w of next.warnings) log.warn({ config: o.configPath, line: w.line, column: w.column }, w.message);
      config = next.config;
      daemon.reload(compileConfig(config));
      log.info({ rules: config.rules.length, mode: config.mode }, 'configuration reloaded');
      return { ok: true, warnings: next.warnings };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      log.error({ err: error }, 'configuration not reloaded: keeping the running one');
      return { ok: false, error };
    }
  };

  let watcher: FSWatcher | undefined;
  if (o.watchConfig !== false) watcher = watchFile(o.configPath, reload);

  let closing: Promise<{ restored: number }> | undefined;
  const close = (): Promise<{ restored: number }> =>
    (closing ??= (async () => {
      watcher?.close();
      const r = await daemon.stop();
      for (const a of apps) await a.close();
      journal.close();
      log.info({ restored: r.restored }, 'numapol daemon stopped');
      return r;
    })());

  return { daemon, journal, socket, ...(tcp ? { tcp } : {}), log, reload, close };
}

/**
 * Editors replace a file rather than write it in place, which ends an inotify watch on the file
 * itself: the directory is watched, and changes are gathered for 200 ms before one reload.
 */
function watchFile(path: string, onChange: () => void): FSWatcher | undefined {
  let timer: NodeJS.Timeout | undefined;
  const base = path.slice(path.lastIndexOf('/') + 1);
  try {
    const w = watch(dirname(path), (_event, name) => {
      if (name !== null && name !== base) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, 200);
    });
    w.unref();
    return w;
  } catch {
    return undefined;
  }
}

/** The token file must be private: anyone who reads it can change any process's memory. */
function readToken(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    throw new NumapolError('ENOENT', `http.token-file ${file} cannot be read: ${(e as Error).message}; the daemon does not listen on TCP without a token`, { cause: e, usage: true });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new NumapolError('EACCES', `http.token-file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 ${file}`, { usage: true });
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) throw new NumapolError('EINVAL', `http.token-file ${file} holds a token of ${token.length} characters: use at least 16 (e.g. openssl rand -hex 32 > ${file})`, { usage: true });
  return token;
}

/** Listens on a Unix socket made 0600 from the start (umask), after removing a stale one. */
async function listenUnix(app: FastifyInstance, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (await answers(path)) throw new NumapolError('EADDRINUSE', `a daemon already answers on ${path}: stop it first, or give this one another --socket`);
  try {
    unlinkSync(path);
  } catch {
    // Nothing there.
  }
  const old = process.umask(0o177);
  try {
    await app.listen({ path });
  } finally {
    process.umask(old);
  }
  chmodSync(path, 0o600);
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
