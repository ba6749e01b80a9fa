/** The harness side of a load-generator process: fork it, send commands, await replies. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Reply } from './protocol.js';

const GENERATOR = fileURLToPath(new URL('./load-generator.js', import.meta.url));

/** A forked load generator. */
export class Generator {
  readonly #child: ChildProcess;
  #waiting: { type: Reply['type']; resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  #failure: Error | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (reply: Reply) => {
      if (reply.type === 'error') {
        this.#fail(new Error(`load generator failed: ${reply.message}`));
        return;
      }
      const index = this.#waiting.findIndex((w) => w.type === reply.type);
      if (index < 0) return;
      const [waiter] = this.#waiting.splice(index, 1);
      waiter?.resolve(reply);
    });
    child.once('exit', (code, signal) => {
      this.#fail(new Error(`load generator exited (${String(code)} ${String(signal)})`));
    });
  }

  /** Forks a generator process (no inherited Node flags such as --cpu-prof). */
  static start(): Generator {
    return new Generator(
      fork(GENERATOR, [], { serialization: 'advanced', execArgv: [], stdio: 'inherit' }),
    );
  }

  /** Sends `command` and resolves with the first reply of type `expect`; rejects on failure. */
  request<T extends Reply['type']>(
    command: Command,
    expect: T,
  ): Promise<Extract<Reply, { type: T }>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({
        type: expect,
        resolve: (reply) => {
          resolve(reply as Extract<Reply, { type: T }>);
        },
        reject,
      });
      this.#child.send(command);
    });
  }

  /** Asks the process to exit and waits for it. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) =>
      this.#child.once('exit', () => {
        resolve();
      }),
    );
    this.#child.send({ type: 'exit' } satisfies Command);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}

/** Starts `n` generators. */
export function startGenerators(n: number): Generator[] {
  return Array.from({ length: n }, () => Generator.start());
}

/** Stops every generator. */
export async function stopGenerators(generators: readonly Generator[]): Promise<void> {
  await Promise.all(generators.map((g) => g.stop()));
}
