/**
 * Keys at rest: after a real conversation through a relay, the SQLite files of a client hold
 * none of its device seed, HPKE private key, KeyPackage private keys, MLS group secrets or
 * message texts — another local user who copies client.db learns none of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeCanonical } from '@parley/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRelays, startRelay } from '@parley/test-support/relay-process';
import {
  cleanupClients,
  closeClient,
  eventually,
  fullHistory,
  groupState,
  openClient,
  texts,
  type TestClient,
} from './support/clients.js';

afterEach(async () => {
  await cleanupClients();
  await cleanupRelays();
});

/** The bytes of the store file and its write-ahead log, as another user would copy them. */
function fileBytes(path: string): Buffer {
  const parts = [readFileSync(path)];
  if (existsSync(`${path}-wal`)) parts.push(readFileSync(`${path}-wal`));
  return Buffer.concat(parts);
}

/** Every secret the client keeps, read back through its (sealed) store. */
async function secretsOf(opened: TestClient, chatId: string): Promise<Map<string, Uint8Array>> {
  const secrets = new Map<string, Uint8Array>();
  const device = await opened.store.get('device');
  if (device === undefined) throw new Error('no device keys stored');
  const { seed, hpkePrivateKey } = decodeCanonical(device) as {
    seed: Uint8Array;
    hpkePrivateKey: Uint8Array;
  };
  secrets.set('device seed', seed);
  secrets.set('device HPKE private key', hpkePrivateKey);
  const packages = await opened.store.keys('kp/');
  expect(packages.length).toBeGreaterThan(0);
  for (const key of packages) {
    const value = await opened.store.get(key);
    if (value === undefined) continue;
    const { init, hpke, sig } = decodeCanonical(value) as Record<string, Uint8Array>;
    secrets.set(`${key} init key`, init ?? new Uint8Array());
    secrets.set(`${key} HPKE key`, hpke ?? new Uint8Array());
    secrets.set(`${key} signature key`, sig ?? new Uint8Array());
  }
  // The MLS group state's secrets: the epoch's key schedule, the path's private keys and the
  // signature key. (Windows of the serialized state would also catch its public keys, which
  // occur in public bytes too and so match by chance.)
  const state = await groupState(opened.store, chatId);
  for (const [name, value] of Object.entries(state.keySchedule)) {
    if (value instanceof Uint8Array) secrets.set(`MLS ${name}`, value);
  }
  expect(secrets.has('MLS exporterSecret')).toBe(true);
  for (const [node, key] of Object.entries(state.privatePath.privateKeys)) {
    secrets.set(`MLS path key of node ${node}`, key);
  }
  secrets.set('MLS signature private key', state.signaturePrivateKey);
  return secrets;
}

function readableIn(bytes: Buffer, secrets: Map<string, Uint8Array>, words: string[]): string[] {
  const found = [...secrets].filter(([, value]) => bytes.includes(Buffer.from(value)));
  return [
    ...found.map(([name]) => name),
    ...words.filter((word) => bytes.includes(Buffer.from(word, 'utf8'))),
  ];
}

describe('a client store copied by another local user', () => {
  it('holds no device key, KeyPackage key, MLS secret or message text in its bytes', async () => {
    const relay = await startRelay();
    const alice = await openClient({ relayUrl: relay.url });
    const bob = await openClient({ relayUrl: relay.url });
    const aliceChat = await alice.client.chats.openPair(bob.client.accountId);
    await aliceChat.send('the spare key is under the blue flowerpot');
    await bob.client.sync();
    const bobChat = await bob.client.chats.get(aliceChat.id);
    await bobChat.send('thanks, landing at gate forty-two');
    const seen = await eventually(
      async () => {
        await alice.client.sync();
        return texts(await fullHistory(aliceChat));
      },
      (list) => list.length === 2,
    );
    expect(seen).toEqual([
      'the spare key is under the blue flowerpot',
      'thanks, landing at gate forty-two',
    ]);
    const words = ['blue flowerpot', 'gate forty-two'];

    for (const opened of [alice, bob]) {
      const secrets = await secretsOf(opened, aliceChat.id);
      expect(readableIn(fileBytes(opened.path), secrets, words)).toEqual([]);
      await closeClient(opened);
      expect(readableIn(fileBytes(opened.path), secrets, words)).toEqual([]);
    }
  });
});
