/**
 * `/events`: a Server-Sent Events stream of what the daemon does, for the dashboard and for
 * anyone with curl: every journaled action (`action`), processes that rules match starting and
 * exiting (`process`), rule matches (`rule-match`), reloads, overruns and rescans (`rescan`,
 * at most one a second). A comment every 15 s keeps proxies from closing an idle stream.
 */
import type { FastifyInstance } from 'fastify';
import type { Daemon } from '../../daemon.js';

const FORWARDED = ['action', 'process', 'rule-match', 'reload', 'overrun', 'placement'] as const;
const HEARTBEAT_MS = 15_000;

export function eventRoutes(app: FastifyInstance, daemon: Daemon): void {
  app.get('/events', { schema: { summary: 'Server-Sent Events: action, process, rule-match, reload, overrun, placement, rescan' } }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let id = 0;
    const send = (event: string, data: unknown): void => {
      res.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('hello', daemon.status());
    const handlers = FORWARDED.map((name) => {
      const h = (data: unknown): void => send(name, data);
      daemon.on(name, h);
      return [name, h] as const;
    });
    let lastRescan = 0;
    const onRescan = (data: unknown): void => {
      const now = Date.now();
      if (now - lastRescan < 1000) return;
      lastRescan = now;
      send('rescan', data);
    };
    daemon.on('rescan', onRescan);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const done = (): void => {
      clearInterval(beat);
      for (const [name, h] of handlers) daemon.off(name, h);
      daemon.off('rescan', onRescan);
    };
    req.raw.on('close', done);
    res.on('error', done);
  });
}
