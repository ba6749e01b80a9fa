/**
 * The browser entry point, and the only module that reads the page's globals: it wires them into
 * the app's environment and renders the app. The relay is the page's own origin.
 */
import { openIndexedDbClientStore } from '@parley/client/browser';
import { render } from 'preact';
import type { AppEnv } from './platform/env.js';
import { App } from './ui/app.js';
import './styles.css';

function saveFile(fileName: string, bytes: Uint8Array): void {
  const url = URL.createObjectURL(
    new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }),
  );
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers read the blob after click() returns.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 60_000);
}

/** A Web Locks lock taken without waiting, held until the returned function is called. */
function tryLock(name: string): Promise<(() => void) | undefined> {
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(undefined);
          return undefined;
        }
        return new Promise<void>((release) => {
          resolve(() => {
            release();
          });
        });
      })
      .catch(reject);
  });
}

const env: AppEnv = {
  relayUrl: window.location.origin,
  openStore: (name) => openIndexedDbClientStore(name),
  fetch: window.fetch.bind(window),
  WebSocket: window.WebSocket,
  subtle: window.crypto.subtle,
  random: (length) => window.crypto.getRandomValues(new Uint8Array(length)),
  clock: () => Date.now(),
  timers: {
    setTimeout: (callback, delayMs) => window.setTimeout(callback, delayMs),
    clearTimeout: (handle) => {
      window.clearTimeout(handle);
    },
  },
  saveFile,
  copyText: (text) => navigator.clipboard.writeText(text),
  tryLock,
};

const root = document.getElementById('app');
if (root !== null) {
  render(
    <App
      env={env}
      setTitle={(title) => {
        document.title = title;
      }}
    />,
    root,
  );
}
