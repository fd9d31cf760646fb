/**
 * `numapol daemon` run as users run it (the shipped bin, its own process), for tests on the host
 * and in the guest: its config file, its socket, its API, and its log when something fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NUMAPOL_BIN } from './bin.js';

export async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function api<T>(socket: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: socket, method, path, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text === '' ? null : JSON.parse(text)) as T }));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export class DaemonProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'numapol-daemon-'));
  readonly config = join(this.dir, 'numapol.yaml');
  readonly socket = join(this.dir, 'numapol.sock');
  readonly journal = join(this.dir, 'journal.db');
  log = '';
  private child: ChildProcess | undefined;

  /** Writes the config; `${JOURNAL}` stands for this daemon's journal path. */
  write(yaml: string): void {
    writeFileSync(this.config, yaml.replaceAll('${JOURNAL}', this.journal));
  }

  async start(): Promise<void> {
    const c = spawn(process.execPath, [NUMAPOL_BIN, 'daemon', '--config', this.config, '--socket', this.socket], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = c;
    c.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    await until('the daemon to answer', async () => {
      if (c.exitCode !== null) throw new Error(`daemon exited ${c.exitCode}: ${this.log}`);
      return (await api(this.socket, 'GET', '/v1/status')).status === 200 ? true : undefined;
    }, 600_000);
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** SIGHUP, then waits until the daemon logged the reload (or its refusal). */
  async reload(): Promise<void> {
    const before = this.log.length;
    this.child?.kill('SIGHUP');
    await until('the reload', () => (/configuration (reloaded|not reloaded)/.test(this.log.slice(before)) ? true : undefined));
  }

  async stop(): Promise<number | null> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null) return c?.exitCode ?? null;
    c.kill('SIGTERM');
    return new Promise((resolve) => c.once('exit', (code) => resolve(code)));
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get<T>(path: string): Promise<T> {
    return api<T>(this.socket, 'GET', path).then((r) => {
      if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    });
  }

  post<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
    return api<T>(this.socket, 'POST', path, body);
  }
}
