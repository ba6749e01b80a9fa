/**
 * Makes sure packages/web/dist is current before a test serves it: builds it with Vite when it is
 * missing or older than any source it is built from (the app, core and the SDK).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web package's directory and its build output. */
const WEB_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

const SOURCES = [
  join(WEB_DIR, 'src'),
  join(WEB_DIR, 'public'),
  join(WEB_DIR, 'index.html'),
  join(WEB_DIR, 'vite.config.ts'),
  join(WEB_DIR, '../core/src'),
  join(WEB_DIR, '../client/src'),
];
const BUILD_TIMEOUT_MS = 180_000;

/** The latest modification time of a file or of anything under a directory. */
async function newestMtimeMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    newest = Math.max(newest, await newestMtimeMs(join(path, entry)));
  }
  return newest;
}

/** True if dist/index.html is missing or older than a source. */
async function isStale(): Promise<boolean> {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  for (const source of SOURCES) if ((await newestMtimeMs(source)) > built) return true;
  return false;
}

/** Runs `npx vite build` in packages/web unless dist/ is current. */
export async function ensureWebBuilt(): Promise<void> {
  if (!(await isStale())) return;
  const child = spawn('npx', ['vite', 'build'], {
    cwd: WEB_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => {
    child.once('close', resolve);
  });
  clearTimeout(timer);
  if (code !== 0 || (await isStale())) {
    throw new Error(`vite build failed (exit ${String(code)}):\n${output}`);
  }
}
