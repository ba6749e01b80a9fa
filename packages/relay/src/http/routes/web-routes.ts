/**
 * The web app (packages/web, docs/web.md), served from `web.dir` at `/`: `index.html` and the
 * files beside it, with strict security headers. The app routes in the page (no deep paths), so
 * every other path stays the relay's JSON 404 (RELAY_NOT_FOUND), API or not.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RelayConfig } from '../../config/config.js';
import { RelayError } from '../../errors.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Same-origin only: the app's scripts and styles come from the relay, it talks to the relay's
 * API and WebSocket, and nothing may frame it.
 */
const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; " +
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
    "form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Registers GET / and the app's files.
 * @throws RelayError RELAY_URL_TOO_LONG, RELAY_NOT_FOUND for /v1/ paths no API route took
 */
export function registerWebRoutes(app: FastifyInstance, web: RelayConfig['web']): void {
  const root = normalize(web.dir).replace(/[\\/]+$/, '');
  const schema = { hide: true };

  const serve = async (path: string, reply: FastifyReply) => {
    const file = await resolveFile(root, path);
    if (file === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The web app is not built. Run `npm run build:web` (or `npm start`, which builds it), ' +
            `or point --web-dir at a built app (looked in ${root}).\n`,
        );
    }
    const body = await readFile(file);
    const hashedAsset = file.includes(`${sep}assets${sep}`);
    void reply.headers({
      ...WEB_SECURITY_HEADERS,
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // Built assets carry their content hash in their name; the page itself must stay fresh.
      'cache-control': hashedAsset ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    return reply.send(body);
  };

  app.get('/', { schema }, (_request, reply) => serve('/', reply));
  app.get<{ Params: { '*': string } }>('/*', { schema }, (request, reply) => {
    const path = request.params['*'];
    // An API path never gets the web app: Fastify sends a /v1/ path whose parameter is longer
    // than its maxParamLength (100) here rather than to the route.
    if (path === 'v1' || path.startsWith('v1/')) {
      if (path.split('/').some((segment) => segment.length > 100)) {
        throw new RelayError('RELAY_URL_TOO_LONG');
      }
      throw new RelayError('RELAY_NOT_FOUND', `(no route GET /${path.split('?')[0] ?? ''})`);
    }
    return serve(`/${path}`, reply);
  });
}

/**
 * The file for a request path inside `root` (`/` is index.html); undefined if the app is not
 * built. Paths that leave the root, name no file or hold odd characters are a 404.
 */
async function resolveFile(root: string, path: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new RelayError('RELAY_NOT_FOUND', '(bad path)');
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part === '..')) {
    throw new RelayError('RELAY_NOT_FOUND', '(bad path)');
  }
  const index = join(root, 'index.html');
  if (!(await isFile(index))) return undefined;
  if (decoded === '/' || decoded === '') return index;
  const candidate = normalize(join(root, decoded));
  if (!candidate.startsWith(`${root}${sep}`)) {
    throw new RelayError('RELAY_NOT_FOUND', '(bad path)');
  }
  if (await isFile(candidate)) return candidate;
  throw new RelayError('RELAY_NOT_FOUND', `(no route GET ${path})`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
