/** Deploys the anchor contract from the bytecode compiled in this build. */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Address,
  type Chain,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { PARLEY_ANCHOR } from './generated/parley-anchor.js';

/** Where and by whom the contract is deployed. */
export interface DeployOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** The deploying account's secp256k1 private key. */
  readonly privateKey: Hex;
}

/** A viem chain description for a chain known only by its id and RPC URL. */
export function chainAt(rpcUrl: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: `chain ${String(chainId)}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

/**
 * Deploys ParleyAnchor and waits for its receipt.
 * @returns the contract's address
 * @throws Error when the transaction reverts or the node refuses it (no funds, wrong chain id)
 */
export async function deployAnchorContract(options: DeployOptions): Promise<Address> {
  const chain = chainAt(options.rpcUrl, options.chainId);
  const transport = http(options.rpcUrl);
  const account = privateKeyToAccount(options.privateKey);
  const wallet = createWalletClient({ account, chain, transport });
  const reader = createPublicClient({ chain, transport });
  const hash = await wallet.deployContract({
    abi: PARLEY_ANCHOR.abi,
    bytecode: PARLEY_ANCHOR.bytecode,
  });
  const receipt = await reader.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || receipt.contractAddress == null) {
    throw new Error(`deploying ParleyAnchor failed in transaction ${hash}`);
  }
  return receipt.contractAddress;
}
