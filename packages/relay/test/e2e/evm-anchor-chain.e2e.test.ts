/**
 * The relay's EVM anchor chain on a real local chain (anvil): submit → pending → final, the head,
 * refusals by the contract, start checks, an unfunded key, the RPC going down and a reorg before
 * finality.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublicClient,
  createTestClient,
  http,
  parseEther,
  type Address,
  type Hex,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { chainAt, deployAnchorContract, startDevChain, type DevChain } from '@parley/contracts';
import { createEvmAnchorChain, type EvmAnchorChain } from '../../src/anchor/evm-anchor-chain.js';
import type { AnchorChain, AnchorStatus, Hex32 } from '../../src/anchor/anchor-chain.js';

const bytes32 = (byte: number): Hex32 => `0x${byte.toString(16).padStart(2, '0').repeat(32)}`;
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

let devChain: DevChain;
let contract: Address;
let relay: EvmAnchorChain;
const relayKey = generatePrivateKey();

function testClient(chain: DevChain) {
  return createTestClient({
    mode: 'anvil',
    chain: chainAt(chain.rpcUrl, chain.chainId),
    transport: http(chain.rpcUrl),
  });
}

function reader() {
  return createPublicClient({
    chain: chainAt(devChain.rpcUrl, devChain.chainId),
    transport: http(devChain.rpcUrl),
  });
}

function connect(privateKey: Hex, overrides: { contract?: Address; chainId?: number } = {}) {
  return createEvmAnchorChain({
    rpcUrl: devChain.rpcUrl,
    chainId: overrides.chainId ?? devChain.chainId,
    contract: overrides.contract ?? contract,
    privateKey,
  });
}

/** Mines blocks until the transaction is no longer pending; at most `blocks` of them. */
async function untilSettled(chain: AnchorChain, transaction: Hex32, blocks = 5) {
  let status: AnchorStatus = await chain.status(transaction);
  for (let mined = 0; status.state === 'pending' && mined < blocks; mined += 1) {
    await testClient(devChain).mine({ blocks: 1 });
    status = await chain.status(transaction);
  }
  return status;
}

/**
 * The code of a rejected promise's RelayError, checking the key (and any other `secrets`) is
 * nowhere in the error.
 */
async function codeOf(
  promise: Promise<unknown>,
  key: Hex = relayKey,
  secrets: readonly string[] = [],
): Promise<string> {
  const error: unknown = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e,
  );
  let text = '';
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    text += `${e.message}\n${e.stack ?? ''}`;
  expect(text.toLowerCase()).not.toContain(key.slice(2).toLowerCase());
  for (const secret of secrets) expect(text).not.toContain(secret);
  return (error as { code?: string }).code ?? 'no code';
}

beforeAll(async () => {
  devChain = await startDevChain();
  const deployer = generatePrivateKey();
  await devChain.fund(privateKeyToAccount(deployer).address, parseEther('10'));
  await devChain.fund(privateKeyToAccount(relayKey).address, parseEther('1'));
  contract = await deployAnchorContract({
    rpcUrl: devChain.rpcUrl,
    chainId: devChain.chainId,
    privateKey: deployer,
  });
  relay = await connect(relayKey);
}, 60_000);

afterAll(async () => {
  await devChain.stop();
});

describe('the EVM anchor chain on anvil', () => {
  it('checks the chain at start and knows its account and finality tag', () => {
    expect(relay.isEnabled).toBe(true);
    expect(relay.account).toBe(privateKeyToAccount(relayKey).address);
    expect(relay.chainId).toBe(devChain.chainId);
    expect(relay.hasFinalityTag).toBe(true);
  });

  it('submits at once, stays pending until the block is finalized, then reports where', async () => {
    const logId = bytes32(1);
    expect(await relay.head(logId)).toEqual({ size: 0, root: bytes32(0), owner: ZERO_ADDRESS });
    const { transaction } = await relay.submit({ logId, size: 5, root: bytes32(0xaa) });
    expect(transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await relay.status(transaction)).toEqual({ state: 'pending' });

    // A restarted relay resumes from the persisted hash with a new connection.
    const restarted = await connect(relayKey);
    const status = await untilSettled(restarted, transaction);
    expect(status.state).toBe('final');
    if (status.state !== 'final') return;
    const block = await reader().getBlock({ blockNumber: BigInt(status.blockNumber) });
    expect(status.blockHash).toBe(block.hash);
    expect(status.blockTime).toBe(Number(block.timestamp));
    expect(status.logIndex).toBe(0);
    expect(await relay.head(logId)).toEqual({ size: 5, root: bytes32(0xaa), owner: relay.account });
  });

  it('refuses an anchor whose size does not grow, and one of a log another account owns', async () => {
    const logId = bytes32(2);
    const { transaction } = await relay.submit({ logId, size: 3, root: bytes32(0xbb) });
    expect((await untilSettled(relay, transaction)).state).toBe('final');
    expect(await codeOf(relay.submit({ logId, size: 3, root: bytes32(0xcc) }))).toBe(
      'RELAY_ANCHOR_SIZE_NOT_GROWING',
    );
    expect(await codeOf(relay.submit({ logId, size: 2, root: bytes32(0xcc) }))).toBe(
      'RELAY_ANCHOR_SIZE_NOT_GROWING',
    );
    const otherKey = generatePrivateKey();
    await devChain.fund(privateKeyToAccount(otherKey).address, parseEther('1'));
    const other = await connect(otherKey);
    expect(await codeOf(other.submit({ logId, size: 9, root: bytes32(0xdd) }), otherKey)).toBe(
      'RELAY_ANCHOR_NOT_LOG_OWNER',
    );
  });

  it('counts confirmations on a chain without a finalized tag', async () => {
    // The same node behind a fetch that answers like a chain without the tag (pre-merge, some L2s).
    const noFinalityTag: typeof fetch = async (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      if (!body.includes('"finalized"')) return fetch(input, init);
      const { id } = JSON.parse(body) as { id: number };
      const error = { code: -32602, message: 'invalid block tag: finalized' };
      return Response.json({ jsonrpc: '2.0', id, error });
    };
    const counting = await createEvmAnchorChain({
      rpcUrl: devChain.rpcUrl,
      chainId: devChain.chainId,
      contract,
      privateKey: relayKey,
      confirmations: 4,
      fetch: noFinalityTag,
    });
    expect(counting.hasFinalityTag).toBe(false);
    const { transaction } = await counting.submit({ logId: bytes32(6), size: 1, root: bytes32(6) });
    const test = testClient(devChain);
    await test.mine({ blocks: 2 });
    // Finalized by the tag (head − 2) already, but only 3 of the 4 confirmations.
    expect(await relay.status(transaction)).toMatchObject({ state: 'final' });
    expect(await counting.status(transaction)).toEqual({ state: 'pending' });
    await test.mine({ blocks: 1 });
    expect(await counting.status(transaction)).toMatchObject({ state: 'final' });
  });

  it('refuses to start on another chain id or without a contract at the address', async () => {
    expect(await codeOf(connect(relayKey, { chainId: devChain.chainId + 1 }))).toBe(
      'RELAY_ANCHOR_CHAIN_MISMATCH',
    );
    const empty = privateKeyToAccount(generatePrivateKey()).address;
    expect(await codeOf(connect(relayKey, { contract: empty }))).toBe(
      'RELAY_ANCHOR_CONTRACT_MISSING',
    );
  });

  it('says an unfunded key cannot pay, without sending anything or showing the key', async () => {
    const poorKey = generatePrivateKey();
    const poor = await connect(poorKey);
    const logId = bytes32(3);
    expect(await codeOf(poor.submit({ logId, size: 1, root: bytes32(1) }), poorKey)).toBe(
      'RELAY_ANCHOR_UNFUNDED',
    );
    expect((await poor.head(logId)).size).toBe(0);
  });

  it('reports a transaction whose block was reorged away before finality as dropped', async () => {
    const test = testClient(devChain);
    const snapshot = await test.snapshot();
    const { transaction } = await relay.submit({ logId: bytes32(4), size: 1, root: bytes32(4) });
    expect(await relay.status(transaction)).toEqual({ state: 'pending' });
    await test.revert({ id: snapshot });
    await test.mine({ blocks: 3 });
    expect(await relay.status(transaction)).toEqual({ state: 'dropped' });
    expect((await relay.head(bytes32(4))).size).toBe(0);
    // The caller submits again; the chain accepts it.
    const again = await relay.submit({ logId: bytes32(4), size: 1, root: bytes32(4) });
    expect((await untilSettled(relay, again.transaction)).state).toBe('final');
  });

  it('says the RPC failed when the node stops, at start and for every call', async () => {
    const doomed = await startDevChain();
    const deployer = generatePrivateKey();
    await doomed.fund(privateKeyToAccount(deployer).address, parseEther('1'));
    const address = await deployAnchorContract({
      rpcUrl: doomed.rpcUrl,
      chainId: doomed.chainId,
      privateKey: deployer,
    });
    // A provider's URL with its API key in the query: it must not reach an error (nor a log).
    const token = 'sekret-api-token';
    const options = {
      rpcUrl: `${doomed.rpcUrl}/?apikey=${token}`,
      chainId: doomed.chainId,
      contract: address,
      privateKey: deployer,
    };
    const anchor = await createEvmAnchorChain(options);
    const { transaction } = await anchor.submit({ logId: bytes32(5), size: 1, root: bytes32(5) });
    await doomed.stop();
    const down = (promise: Promise<unknown>) => codeOf(promise, deployer, [token]);
    expect(await down(anchor.submit({ logId: bytes32(5), size: 2, root: bytes32(6) }))).toBe(
      'RELAY_ANCHOR_RPC_FAILED',
    );
    expect(await down(anchor.status(transaction))).toBe('RELAY_ANCHOR_RPC_FAILED');
    expect(await down(anchor.head(bytes32(5)))).toBe('RELAY_ANCHOR_RPC_FAILED');
    expect(await down(createEvmAnchorChain(options))).toBe('RELAY_ANCHOR_RPC_FAILED');
  });
});
