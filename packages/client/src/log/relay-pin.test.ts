/** The relay pin trusts the first relay key it sees (or the pinned id) and refuses any other. */
import { accountIdFromPublicKey, createCryptoSuite } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { openMemoryClientStore } from '../store/memory-client-store.js';
import { RelayPin } from './relay-pin.js';

const suite = createCryptoSuite(globalThis.crypto.subtle);
const ORIGIN = 'relay.example.org/log';

async function relayInfo(fill: number) {
  const publicKey = await suite.ed25519.publicKey(new Uint8Array(32).fill(fill));
  return { relayId: accountIdFromPublicKey(publicKey), publicKey, origin: ORIGIN };
}

describe('RelayPin', () => {
  it('keeps the first relay seen, so a relay with another key later is not trusted', async () => {
    const store = openMemoryClientStore();
    const first = await relayInfo(1);
    await new RelayPin({ api: { info: () => Promise.resolve(first) }, store }).relay();
    const other = await relayInfo(2);
    const later = new RelayPin({ api: { info: () => Promise.resolve(other) }, store });
    expect((await later.relay()).relayId).toBe(first.relayId);
  });

  it('refuses a relay whose id is not its key’s', async () => {
    const info = { ...(await relayInfo(1)), relayId: (await relayInfo(2)).relayId };
    const pin = new RelayPin({
      api: { info: () => Promise.resolve(info) },
      store: openMemoryClientStore(),
    });
    await expect(pin.relay()).rejects.toMatchObject({ code: 'CLIENT_LOG_KEY_MISMATCH' });
  });

  it('refuses a relay that is not the one pinned, and stores nothing', async () => {
    const store = openMemoryClientStore();
    const info = await relayInfo(1);
    const pinned = (await relayInfo(2)).relayId;
    const pin = new RelayPin({
      api: { info: () => Promise.resolve(info) },
      store,
      relayId: pinned,
    });
    await expect(pin.relay()).rejects.toMatchObject({ code: 'CLIENT_LOG_KEY_MISMATCH' });
    expect(await store.get('log/relay')).toBeUndefined();
  });

  it('asks the relay once', async () => {
    const info = await relayInfo(1);
    let asked = 0;
    const api = { info: () => Promise.resolve((asked++, info)) };
    const pin = new RelayPin({ api, store: openMemoryClientStore(), relayId: info.relayId });
    await pin.relay();
    await pin.relay();
    expect(asked).toBe(1);
  });
});
