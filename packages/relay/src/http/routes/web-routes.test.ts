import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../test/support/in-process-relay.js';

const relays: TestRelay[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A built app: index.html, a hashed asset, and a secret beside the directory. */
function builtApp(): string {
  const parent = mkdtempSync(join(tmpdir(), 'parley-web-'));
  dirs.push(parent);
  const dir = join(parent, 'dist');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  writeFileSync(join(parent, 'secret.txt'), 'not for the web');
  return dir;
}

async function relayServing(dir: string): Promise<TestRelay> {
  const relay = await startTestRelay({ flags: { 'web-dir': dir } });
  relays.push(relay);
  return relay;
}

describe('the web app at /', () => {
  it('serves index.html and assets with strict security headers and the right caching', async () => {
    const relay = await relayServing(builtApp());
    const page = await relay.request('GET', '/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Parley</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-cache');

    const asset = await relay.request('GET', '/assets/app-1a2b.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await relay.request('GET', '/favicon.svg')).headers['content-type']).toBe(
      'image/svg+xml',
    );
  });

  it('never leaves its directory and keeps API paths as JSON 404s', async () => {
    const relay = await relayServing(builtApp());
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
      '/missing.js',
    ]) {
      const answer = await relay.request('GET', path);
      // Fastify itself refuses some malformed paths with 400 before any route runs.
      expect([400, 404], path).toContain(answer.statusCode);
      expect(answer.body, path).not.toContain('not for the web');
    }
    const api = await relay.request('GET', '/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'RELAY_NOT_FOUND' } });
    expect((await relay.request('GET', '/v1/info')).statusCode).toBe(200);
  });

  it('says how to build the app when it is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'parley-web-'));
    dirs.push(empty);
    const relay = await relayServing(empty);
    const answer = await relay.request('GET', '/');
    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain('npm run build:web');
  });
});
