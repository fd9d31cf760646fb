/** GET /metrics: Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import type { DaemonMetrics } from '../../metrics/metrics.js';

export function metricsRoute(app: FastifyInstance, metrics: DaemonMetrics): void {
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format): nodes, managed and largest processes, actions, pages moved, stop and rescan times' } }, async (_req, reply) => {
    const text = await metrics.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
