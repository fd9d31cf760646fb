/**
 * The CLI's side of the daemon's API: HTTP/JSON over the daemon's Unix socket (`--socket PATH`,
 * else NUMAPOL_SOCKET, else /run/numapol/numapol.sock). An error answer becomes the daemon's own
 * NumapolError (code and message); no answer at all says how to start the daemon.
 */
import { request } from 'node:http';
import { NumapolError } from '../errors.js';

export const DEFAULT_SOCKET = '/run/numapol/numapol.sock';

export function socketPath(option: string | undefined): string {
  return option ?? process.env['NUMAPOL_SOCKET'] ?? DEFAULT_SOCKET;
}

/** Errors that mean "no daemon here for us" (none answers, or not ours to ask): do it locally. */
export function noDaemon(e: unknown): boolean {
  return e instanceof NumapolError && (e.code === 'ENODAEMON' || e.code === 'EACCES');
}

export function callDaemon<T>(socket: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        method,
        path,
        headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let data: unknown;
          try {
            data = text === '' ? null : JSON.parse(text);
          } catch {
            reject(new NumapolError('EPROTO', `the daemon on ${socket} answered ${res.statusCode} with something that is not JSON`));
            return;
          }
          if ((res.statusCode ?? 500) >= 400) {
            const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
            const status = res.statusCode ?? 500;
            reject(new NumapolError(err?.code ?? 'EDAEMON', err?.message ?? `the daemon answered ${status}`, { usage: status === 400, details: { status } }));
            return;
          }
          resolve(data as T);
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
        reject(new NumapolError('ENODAEMON', `no daemon answers on ${socket}: start it with 'numapol daemon' (or systemctl start numapol), or name its socket with --socket`, { cause: e }));
      } else if (e.code === 'EACCES') {
        reject(new NumapolError('EACCES', `not allowed to talk to the daemon on ${socket}: its socket is root's (mode 0600)`, { cause: e }));
      } else reject(new NumapolError(e.code ?? 'EIO', `talking to the daemon on ${socket}: ${e.message}`, { cause: e }));
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
