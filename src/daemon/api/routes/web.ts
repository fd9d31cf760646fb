/**
 * The dashboard: GET / serves dist/web/index.html, GET /assets/NAME the bundle beside it (app.js,
 * app.css, the icon), as scripts/bundle-web.mjs writes them. The files are read at each request,
 * so a rebuild shows without a restart. Everything comes from here: the Content-Security-Policy
 * allows this origin only, so the page works offline and runs no script it was not shipped with.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NumapolError } from '../../../errors.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The package's root: the first directory above this module holding numapol's package.json. The
 * module runs from tsc's output (dist/src/daemon/api/routes/) and from the CLI bundle
 * (dist/src/cli/), in a checkout or installed under node_modules: only the walk up finds both.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'numapol') return dir;
      } catch {
        // Not JSON: someone else's file; keep walking.
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface WebOptions {
  /** Where index.html and the assets are (default: dist/web of the package). */
  readonly dir?: string;
}

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return TYPES[dot < 0 ? '' : name.slice(dot)] ?? 'application/octet-stream';
}

function notBuilt(dir: string): NumapolError {
  return new NumapolError('ENOENT', `the dashboard is not built (no ${dir}/index.html): run npm run build`);
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** The dashboard's routes, hidden from the OpenAPI description (they are not the API). */
export function webRoutes(o: WebOptions = {}): (app: FastifyInstance) => void {
  const root = packageRoot();
  const dir = o.dir ?? (root === undefined ? undefined : join(root, 'dist', 'web'));
  return (app) => {
    app.get('/', { schema: { hide: true } }, (_req, reply) => {
      const index = dir === undefined ? undefined : join(dir, 'index.html');
      if (index === undefined || !existsSync(index)) throw notBuilt(dir ?? 'dist/web');
      return secure(reply).header('cache-control', 'no-cache').type(TYPES['.html']!).send(readFileSync(index));
    });
    app.get<{ Params: { name: string } }>('/assets/:name', { schema: { hide: true } }, (req, reply) => {
      const name = req.params.name;
      // Only the files the bundle wrote, by their exact names: no path reaches outside the folder.
      const files = dir !== undefined && existsSync(dir) ? readdirSync(dir) : [];
      if (name === 'index.html' || !files.includes(name)) throw new NumapolError('ENOENT', `no asset ${name}`);
      return secure(reply).header('cache-control', 'no-cache').type(typeOf(name)).send(readFileSync(join(dir!, name)));
    });
  };
}
