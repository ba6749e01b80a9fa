/**
 * A local development chain: anvil (from the npm package `@foundry-rs/anvil`, which ships the
 * binary) on 127.0.0.1, for tests and for `npm start` without any setup. It is a throwaway chain
 * on this machine, never a real network; everything anchored to it vanishes when it stops unless
 * `stateFile` keeps it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The chain id anvil uses unless told otherwise. */
export const DEV_CHAIN_ID = 31337;

/** How long anvil may take to print its listening address. */
const START_TIMEOUT_MS = 30_000;

/** Options of a development chain. */
export interface DevChainOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  readonly chainId?: number;
  /** Seconds between blocks; default: a block per transaction (instant mining). */
  readonly blockTimeSeconds?: number;
  /**
   * Slots per epoch: with 1 (default) the `safe` and `finalized` tags follow the head closely,
   * so finality waits take a block or two.
   */
  readonly slotsInAnEpoch?: number;
  /** A file the chain's state is loaded from (if it exists) and saved to on stop. */
  readonly stateFile?: string;
}

/** A running development chain. */
export interface DevChain {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly pid: number;
  /** Sets the balance of `address` (a development chain's faucet: `anvil_setBalance`). */
  fund(address: `0x${string}`, wei: bigint): Promise<void>;
  /** Stops anvil (SIGTERM, then SIGKILL after 5 s); resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * The anvil binary of this platform, from the optional dependency `@foundry-rs/anvil` installs.
 * @throws Error when this platform has no anvil package installed
 */
export function anvilBinaryPath(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch ?? process.arch}`;
  const fromAnvil = createRequire(
    createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json'),
  );
  try {
    const packageJson = fromAnvil.resolve(`${platformPackage}/package.json`);
    return join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch (cause) {
    throw new Error(
      `no anvil binary for ${process.platform}/${process.arch} (${platformPackage})`,
      {
        cause,
      },
    );
  }
}

/**
 * Starts anvil on 127.0.0.1 and resolves once it accepts JSON-RPC.
 * @throws Error when anvil exits or does not listen within 30 s
 */
export async function startDevChain(options: DevChainOptions = {}): Promise<DevChain> {
  const chainId = options.chainId ?? DEV_CHAIN_ID;
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--chain-id',
    String(chainId),
    '--slots-in-an-epoch',
    String(options.slotsInAnEpoch ?? 1),
  ];
  if (options.blockTimeSeconds !== undefined)
    args.push('--block-time', String(options.blockTimeSeconds));
  if (options.stateFile !== undefined) args.push('--state', options.stateFile);
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const rpcUrl = await listeningUrl(child);
  const pid = child.pid ?? 0;
  return {
    rpcUrl,
    chainId,
    pid,
    fund: (address, wei) => rpc(rpcUrl, 'anvil_setBalance', [address, `0x${wei.toString(16)}`]),
    stop: () => stopProcess(child),
  };
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<void> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method} failed: ${body.error.message}`);
}

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`anvil did not start within ${START_TIMEOUT_MS} ms: ${output.slice(-500)}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /Listening on (\d+\.\d+\.\d+\.\d+:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(`http://${match[1]}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `anvil exited (${signal ?? String(code)}) before listening: ${output.slice(-500)}`,
        ),
      );
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
