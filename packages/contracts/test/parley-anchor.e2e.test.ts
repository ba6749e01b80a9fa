// The anchor contract on a real local chain (anvil): ownership, growth, events, the latest head, gas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  chainAt,
  deployAnchorContract,
  PARLEY_ANCHOR,
  startDevChain,
  type DevChain,
} from '../src/index.js';

const LOG_ID: Hex = `0x${'11'.repeat(32)}`;
const OTHER_LOG_ID: Hex = `0x${'22'.repeat(32)}`;
const root = (byte: number): Hex => `0x${byte.toString(16).padStart(2, '0').repeat(32)}`;

let chain: DevChain;
let reader: PublicClient;
let contract: Address;
const owner = generatePrivateKey();
const stranger = generatePrivateKey();

function walletOf(key: Hex) {
  return createWalletClient({
    account: privateKeyToAccount(key),
    chain: chainAt(chain.rpcUrl, chain.chainId),
    transport: http(chain.rpcUrl),
  });
}

async function anchor(key: Hex, logId: Hex, size: bigint, rootHash: Hex) {
  const hash = await walletOf(key).writeContract({
    address: contract,
    abi: PARLEY_ANCHOR.abi,
    functionName: 'anchor',
    args: [logId, size, rootHash],
  });
  return reader.waitForTransactionReceipt({ hash });
}

/** The custom error a call would revert with, by simulating it. */
async function revertReason(key: Hex, logId: Hex, size: bigint): Promise<string | undefined> {
  try {
    await reader.simulateContract({
      account: privateKeyToAccount(key),
      address: contract,
      abi: PARLEY_ANCHOR.abi,
      functionName: 'anchor',
      args: [logId, size, root(9)],
    });
    return undefined;
  } catch (error) {
    const revert =
      error instanceof BaseError
        ? error.walk((e) => e instanceof ContractFunctionRevertedError)
        : null;
    return revert instanceof ContractFunctionRevertedError
      ? revert.data?.errorName
      : 'not a revert';
  }
}

beforeAll(async () => {
  chain = await startDevChain();
  reader = createPublicClient({
    chain: chainAt(chain.rpcUrl, chain.chainId),
    transport: http(chain.rpcUrl),
  });
  for (const key of [owner, stranger])
    await chain.fund(privateKeyToAccount(key).address, parseEther('10'));
  contract = await deployAnchorContract({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    privateKey: owner,
  });
}, 60_000);

afterAll(async () => {
  await chain.stop();
});

describe('ParleyAnchor on anvil', () => {
  it('runs the bytecode this build compiled from source', async () => {
    const code = await reader.getCode({ address: contract });
    expect(code).toBe(PARLEY_ANCHOR.deployedBytecode);
    expect(PARLEY_ANCHOR.compiler).toMatch(/^solc 0\.8\.\d+/);
  });

  it('reports an empty head for a log nobody anchored', async () => {
    const [headOwner, size, rootHash] = await reader.readContract({
      address: contract,
      abi: PARLEY_ANCHOR.abi,
      functionName: 'latest',
      args: [OTHER_LOG_ID],
    });
    expect(headOwner).toBe('0x0000000000000000000000000000000000000000');
    expect(size).toBe(0n);
    expect(rootHash).toBe(`0x${'00'.repeat(32)}`);
  });

  it('gives the log id to its first anchorer, emits one event and keeps the latest head', async () => {
    const receipt = await anchor(owner, LOG_ID, 5n, root(1));
    expect(receipt.status).toBe('success');
    const events = await reader.getContractEvents({
      address: contract,
      abi: PARLEY_ANCHOR.abi,
      eventName: 'Anchored',
      fromBlock: receipt.blockNumber,
      toBlock: receipt.blockNumber,
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.args).toEqual({ logId: LOG_ID, size: 5n, root: root(1) });
    const latest = await reader.readContract({
      address: contract,
      abi: PARLEY_ANCHOR.abi,
      functionName: 'latest',
      args: [LOG_ID],
    });
    expect(latest).toEqual([privateKeyToAccount(owner).address, 5n, root(1)]);
  });

  it('refuses another account anchoring an owned log id', async () => {
    expect(await revertReason(stranger, LOG_ID, 6n)).toBe('NotLogOwner');
  });

  it('refuses a size that does not grow, and a first anchor of size 0', async () => {
    expect(await revertReason(owner, LOG_ID, 5n)).toBe('SizeMustGrow');
    expect(await revertReason(owner, LOG_ID, 4n)).toBe('SizeMustGrow');
    expect(await revertReason(stranger, OTHER_LOG_ID, 0n)).toBe('SizeMustGrow');
    expect(await revertReason(owner, LOG_ID, 6n)).toBeUndefined();
  });

  it('costs a constant, small amount of gas per anchor after the first', async () => {
    const first = await anchor(stranger, OTHER_LOG_ID, 1n, root(2));
    const later = [];
    for (let size = 2n; size <= 4n; size += 1n)
      later.push(await anchor(stranger, OTHER_LOG_ID, size * 1000n, root(Number(size) + 2)));
    // First anchor of a log: owner and head slots written from zero.
    expect(first.gasUsed).toBeLessThan(80_000n);
    // Later anchors rewrite two warm slots: the same cost whatever the size (calldata aside).
    const gas = later.map((receipt) => Number(receipt.gasUsed));
    expect(Math.max(...gas)).toBeLessThan(40_000);
    expect(Math.max(...gas) - Math.min(...gas)).toBeLessThan(100);
  });
});
