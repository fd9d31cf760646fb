/** A daemon's socket that answers GET /v1/memory with a given view: what `numapol top` asks of one. */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeDaemon {
  readonly socket: string;
  /** The paths asked for, in order. */
  readonly asked: string[];
  close(): Promise<void>;
}

export async function fakeDaemon(answer: (path: string) => unknown): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'numapol-top-daemon-'));
  const socket = join(dir, 'numapol.sock');
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = JSON.stringify(answer(req.url ?? ''));
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(socket);
  await once(server, 'listening');
  return {
    socket,
    asked,
    close: async () => {
      server.close();
      await once(server, 'close');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
