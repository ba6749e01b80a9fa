/**
 * Builds the web app into dist/: index.html plus hashed assets, no inline scripts (so a strict
 * `script-src 'self'` CSP holds). Workspace packages resolve to their TypeScript sources through
 * the `source` export condition, so the app never depends on a stale dist/ of core or client.
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/** The relay `npx vite` forwards API calls to. */
const DEV_RELAY = process.env.PARLEY_DEV_RELAY ?? 'http://127.0.0.1:8787';

export default defineConfig({
  base: '/',
  resolve: {
    conditions: ['source', ...defaultClientConditions],
    // @hpke/common falls back to Node's `crypto` only when WebCrypto is missing (never here).
    alias: [
      {
        find: /^crypto$/,
        replacement: fileURLToPath(new URL('src/platform/node-crypto-stub.ts', import.meta.url)),
      },
    ],
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // A CSP of `default-src 'self'` forbids data: URLs for scripts and fonts.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  // `npx vite` for development: the API and WebSocket go to a relay (`npm start`) through Vite.
  server: {
    host: '127.0.0.1',
    proxy: {
      '/v1': { target: DEV_RELAY, ws: true },
      '/healthz': { target: DEV_RELAY },
    },
  },
});
