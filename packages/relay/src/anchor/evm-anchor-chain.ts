/** The anchoring port on an EVM chain: the ParleyAnchor contract through JSON-RPC (viem). */
import {
  BaseError,
  BlockNotFoundError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  SocketClosedError,
  TimeoutError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  createPublicClient,
  createWalletClient,
  http,
  parseEventLogs,
  type Address,
  type Hex,
  type PrivateKeyAccount,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { PARLEY_ANCHOR, chainAt } from '@parley/contracts';
import { RelayError, type RelayErrorCode } from '../errors.js';
import type { AnchorChain, AnchorHead, AnchorStatus, Hex32 } from './anchor-chain.js';

/** Confirmations that make a block final on a chain without a `finalized` tag, by default. */
const DEFAULT_CONFIRMATIONS = 12;

/** Where and with which key the relay anchors. */
export interface EvmAnchorOptions {
  readonly rpcUrl: string;
  /** The EIP-155 chain id the node must serve. */
  readonly chainId: number;
  /** The ParleyAnchor contract's address. */
  readonly contract: Address;
  /** The anchor account's secp256k1 private key; never logged nor put in an error. */
  readonly privateKey: Hex;
  /** Blocks on top (the block itself counts) that make it final where there is no `finalized` tag. */
  readonly confirmations?: number;
  /** The fetch the JSON-RPC transport uses (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** An anchor chain on an EVM network, with the account that pays for the anchors. */
export interface EvmAnchorChain extends AnchorChain {
  readonly chainId: number;
  readonly contract: Address;
  /** The anchor account's address (fund it to pay gas). */
  readonly account: Address;
  /** True when the node serves the `finalized` block tag; else `confirmations` decide. */
  readonly hasFinalityTag: boolean;
}

/**
 * Connects to the chain and checks it before anchoring anything: the node serves `chainId` and
 * the contract has code.
 * @throws RelayError RELAY_ANCHOR_RPC_FAILED, RELAY_ANCHOR_CHAIN_MISMATCH,
 *   RELAY_ANCHOR_CONTRACT_MISSING, RELAY_CONFIG_INVALID (a malformed key or confirmations)
 */
export async function createEvmAnchorChain(options: EvmAnchorOptions): Promise<EvmAnchorChain> {
  const confirmations = options.confirmations ?? DEFAULT_CONFIRMATIONS;
  if (!Number.isSafeInteger(confirmations) || confirmations < 1)
    throw new RelayError('RELAY_CONFIG_INVALID', 'anchor confirmations must be at least 1.');
  const account = accountOf(options.privateKey);
  const chain = chainAt(options.rpcUrl, options.chainId);
  const transport = http(options.rpcUrl, {
    retryCount: 1,
    ...(options.fetch === undefined ? {} : { fetchFn: options.fetch }),
  });
  // No cached block number: a status poll must see the head as it is now.
  const reader = createPublicClient({ chain, transport, cacheTime: 0 });
  const wallet = createWalletClient({ account, chain, transport });
  const contract = options.contract;
  const hide = redactor(options.rpcUrl);
  const rpc = <T>(read: () => Promise<T>): Promise<T> => rpcRead(read, hide);

  const served = await rpc(() => reader.getChainId());
  if (served !== options.chainId)
    throw new RelayError(
      'RELAY_ANCHOR_CHAIN_MISMATCH',
      `Configured ${String(options.chainId)}, the node serves ${String(served)}.`,
    );
  const code = await rpc(() => reader.getCode({ address: contract }));
  if (code === undefined || code === '0x')
    throw new RelayError('RELAY_ANCHOR_CONTRACT_MISSING', `Address ${contract}.`);
  const hasFinalityTag = await rpc(async () => {
    try {
      await reader.getBlock({ blockTag: 'finalized' });
      return true;
    } catch (error) {
      // The node answered but does not know the tag; a transport failure is an RPC failure.
      if (isTransportFailure(error)) throw error;
      return false;
    }
  });

  async function isFinal(blockNumber: bigint): Promise<boolean> {
    if (hasFinalityTag) {
      const finalized = await reader.getBlock({ blockTag: 'finalized' });
      return blockNumber <= finalized.number;
    }
    const head = await reader.getBlockNumber();
    return head - blockNumber + 1n >= BigInt(confirmations);
  }

  async function status(transaction: Hex32): Promise<AnchorStatus> {
    const receipt = await reader
      .getTransactionReceipt({ hash: transaction })
      .catch(unlessNotFound(TransactionReceiptNotFoundError));
    if (receipt === null) {
      const known = await reader
        .getTransaction({ hash: transaction })
        .catch(unlessNotFound(TransactionNotFoundError));
      return known === null ? { state: 'dropped' } : { state: 'pending' };
    }
    if (!(await isFinal(receipt.blockNumber))) return { state: 'pending' };
    // Checked after finality, so the block compared with is the one that stays.
    const block = await reader
      .getBlock({ blockNumber: receipt.blockNumber })
      .catch(unlessNotFound(BlockNotFoundError));
    // A receipt of a block the node no longer has at that height: a reorg is under way.
    if (block?.hash !== receipt.blockHash) return { state: 'pending' };
    if (receipt.status !== 'success')
      return { state: 'reverted', blockNumber: Number(receipt.blockNumber) };
    const event = parseEventLogs({
      abi: PARLEY_ANCHOR.abi,
      eventName: 'Anchored',
      logs: receipt.logs,
    }).find((log) => log.address.toLowerCase() === contract.toLowerCase());
    if (event === undefined)
      throw new RelayError('RELAY_ANCHOR_REFUSED', `Transaction ${transaction} has no anchor.`);
    return {
      state: 'final',
      blockNumber: Number(receipt.blockNumber),
      blockHash: receipt.blockHash,
      blockTime: Number(block.timestamp),
      logIndex: event.logIndex,
    };
  }

  return {
    isEnabled: true,
    chainId: options.chainId,
    contract,
    account: account.address,
    hasFinalityTag,
    async submit({ logId, size, root }) {
      try {
        const call = {
          account,
          address: contract,
          abi: PARLEY_ANCHOR.abi,
          functionName: 'anchor',
          args: [logId, BigInt(size), root],
        } as const;
        const { request } = await reader.simulateContract(call);
        const [gas, fees, balance] = await Promise.all([
          reader.estimateContractGas(request),
          reader.estimateFeesPerGas(),
          reader.getBalance({ address: account.address }),
        ]);
        const cost = gas * fees.maxFeePerGas;
        if (balance < cost)
          throw new RelayError(
            'RELAY_ANCHOR_UNFUNDED',
            `Account ${account.address} holds ${String(balance)} wei, an anchor needs up to ${String(cost)}.`,
          );
        const transaction = await wallet.writeContract({
          ...call,
          gas,
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        });
        return { transaction };
      } catch (error) {
        throw toRelayError(error, 'RELAY_ANCHOR_REFUSED', hide);
      }
    },
    status: (transaction) => rpc(() => status(transaction)),
    async head(logId): Promise<AnchorHead> {
      const [owner, size, root] = await rpc(() =>
        reader.readContract({
          address: contract,
          abi: PARLEY_ANCHOR.abi,
          functionName: 'latest',
          args: [logId],
        }),
      );
      return { owner, size: Number(size), root };
    },
  };
}

/** The account of the key; a malformed key is refused without echoing it. */
function accountOf(privateKey: Hex): PrivateKeyAccount {
  try {
    return privateKeyToAccount(privateKey);
  } catch {
    throw new RelayError('RELAY_CONFIG_INVALID', 'The anchor key is not a secp256k1 private key.');
  }
}

/** Runs a read, turning its failures into RELAY_ANCHOR_RPC_FAILED (or their own code). */
async function rpcRead<T>(read: () => Promise<T>, hide: Redact): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw toRelayError(error, 'RELAY_ANCHOR_RPC_FAILED', hide);
  }
}

/** Removes a secret from a text before it can reach an error, and so a log. */
type Redact = (text: string) => string;

/**
 * Hides the RPC URL: a provider's URL often carries its API key in the path or query, and
 * viem's messages repeat the URL they failed on.
 */
function redactor(rpcUrl: string): Redact {
  const forms = [...new Set([rpcUrl, rpcUrl.replace(/\/+$/, '')])].filter((form) => form !== '');
  return (text) => forms.reduce((out, form) => out.split(form).join('<rpc url>'), text);
}

/** A cause that keeps the failure's name and message, redacted, and none of its fields. */
function redactedCause(error: unknown, hide: Redact): Error {
  const cause = new Error(hide(error instanceof Error ? error.message : String(error)));
  cause.name = error instanceof Error ? error.name : 'Error';
  return cause;
}

/** A catch handler that maps "not found" errors of `kind` to null and rethrows the rest. */
function unlessNotFound(kind: new (...args: never[]) => Error) {
  return (error: unknown): null => {
    if (error instanceof kind) return null;
    throw error;
  };
}

function isTransportFailure(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    error.walk(
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        e instanceof SocketClosedError,
    ) !== null
  );
}

/** The stable code of a chain failure; `fallback` for node answers that are no known failure. */
function toRelayError(error: unknown, fallback: RelayErrorCode, hide: Redact): RelayError {
  if (error instanceof RelayError) return error;
  const cause = redactedCause(error, hide);
  if (!(error instanceof BaseError)) return new RelayError(fallback, undefined, { cause });
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (revert instanceof ContractFunctionRevertedError) {
    const name = revert.data?.errorName;
    const code: RelayErrorCode =
      name === 'SizeMustGrow'
        ? 'RELAY_ANCHOR_SIZE_NOT_GROWING'
        : name === 'NotLogOwner'
          ? 'RELAY_ANCHOR_NOT_LOG_OWNER'
          : 'RELAY_ANCHOR_REFUSED';
    return new RelayError(code, undefined, { cause });
  }
  if (error.walk((e) => e instanceof InsufficientFundsError) !== null)
    return new RelayError('RELAY_ANCHOR_UNFUNDED', undefined, { cause });
  const code = isTransportFailure(error) ? 'RELAY_ANCHOR_RPC_FAILED' : fallback;
  return new RelayError(code, hide(error.shortMessage), { cause });
}
