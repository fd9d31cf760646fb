/**
 * The daemon's HTTP API as a fastify app factory: the service listens with it on the Unix socket
 * (and on TCP with a token), tests drive it in-process with `inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { Daemon } from '../daemon.js';
import { requireToken } from './auth.js';
import { installErrorHandler } from './http-errors.js';
import { readRoutes } from './routes/read.js';
import { writeRoutes } from './routes/write.js';
import { eventRoutes } from './routes/events.js';
import { metricsRoute } from './routes/metrics.js';
import type { DaemonMetrics } from '../metrics/metrics.js';
import { webRoutes, type WebOptions } from './routes/web.js';

export interface AppOptions {
  readonly daemon: Daemon;
  readonly root?: string;
  /** Every route requires this bearer token (the TCP listener). */
  readonly token?: string;
  /** More routes (metrics, events, the dashboard), added after the API's own. */
  readonly plugins?: readonly ((app: FastifyInstance) => void | Promise<void>)[];
  /** The dashboard at `/` (default: the package's dist/web). */
  readonly web?: WebOptions;
  readonly version?: string;
  /** Serves GET /metrics (one instance per service: both listeners share its counters). */
  readonly metrics?: DaemonMetrics;
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: true, removeAdditional: false } } });
  installErrorHandler(app);
  if (o.token !== undefined) requireToken(app, o.token);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'numapol daemon',
        version: o.version ?? '0',
        description: "Where running processes' memory lives on this NUMA machine, the rules that place it, and the journal of every change.",
      },
    },
  });
  readRoutes(app, o.daemon, o.root);
  writeRoutes(app, o.daemon);
  eventRoutes(app, o.daemon);
  if (o.metrics !== undefined) metricsRoute(app, o.metrics);
  webRoutes(o.web)(app);
  for (const p of o.plugins ?? []) await p(app);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.ready();
  return app;
}
