/**
 * Errors as HTTP answers: a NumapolError keeps its code and message in the body, and its kind
 * picks the status (bad input 400, gone 404, conflicts 409, refused 403, shutting down 503).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { NumapolError } from '../../errors.js';

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const STATUS: Readonly<Record<string, number>> = {
  ESRCH: 404,
  ENOENT: 404,
  EALREADY: 409,
  ESTALE: 409,
  EPERM: 403,
  EACCES: 403,
  ESHUTDOWN: 503,
  EUNAUTHORIZED: 401,
};

export function statusOf(e: NumapolError): number {
  return STATUS[e.code] ?? (e.usage ? 400 : 500);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | NumapolError | Error, _req, reply) => {
    if (err instanceof NumapolError) {
      void reply.status(statusOf(err)).send({ error: { code: err.code, message: err.message.split('\n')[0] } });
      return;
    }
    const fe = err as FastifyError;
    if (fe.validation !== undefined || fe.statusCode === 400) {
      void reply.status(400).send({ error: { code: 'EUSAGE', message: fe.message } });
      return;
    }
    const status = fe.statusCode !== undefined && fe.statusCode >= 400 ? fe.statusCode : 500;
    void reply.status(status).send({ error: { code: fe.code ?? 'EINTERNAL', message: fe.message } });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { code: 'ENOENT', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
