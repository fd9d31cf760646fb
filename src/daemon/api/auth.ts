/**
 * Bearer-token authentication for the TCP listener (the Unix socket is guarded by its mode, 0600
 * root). Every route needs the token, as `Authorization: Bearer TOKEN` or as the cookie a browser
 * gets by opening `/?token=TOKEN` once: the page answers with an HttpOnly, SameSite=Strict cookie
 * and a redirect to the same address without the token, so the token leaves the address bar.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const TOKEN_COOKIE = 'numapol_token';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h !== undefined && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export function requireToken(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(req.url, 'http://x');
    const given = url.searchParams.get('token');
    if (given !== null && req.method === 'GET' && same(given, token)) {
      url.searchParams.delete('token');
      const clean = url.pathname + (url.search === '?' ? '' : url.search);
      return reply
        .header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`)
        .header('cache-control', 'no-store')
        .redirect(clean, 303);
    }
    const t = bearer(req) ?? cookieToken(req);
    if (t !== undefined && same(t, token)) return;
    return reply.status(401).header('www-authenticate', 'Bearer').send({ error: { code: 'EUNAUTHORIZED', message: 'a bearer token is required (Authorization: Bearer TOKEN, or open /?token=TOKEN once)' } });
  });
}
