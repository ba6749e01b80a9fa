/**
 * The log writer's lease: only the process holding it closes batches and signs checkpoints, so a
 * relay of several processes has one log writer (docs/adr/0017-relay-ports.md). The in-process
 * lease is always held; a PostgreSQL advisory lock implements the same interface later.
 */

/** A lease on one named role, held by at most one process at a time. */
export interface Lease {
  /** Tries to take the lease; true if this process holds it afterwards. */
  acquire(): Promise<boolean>;
  /** Extends a held lease; false if it was lost (another process may hold it now). */
  renew(): Promise<boolean>;
  /** Gives the lease up (a no-op if not held). */
  release(): Promise<void>;
  /** True while this process holds the lease, as far as it last knew. */
  isHeld(): boolean;
}

/** The lease of a relay that runs as one process: acquiring always succeeds. @throws nothing */
export function createInProcessLease(): Lease {
  let held = false;
  return {
    acquire() {
      held = true;
      return Promise.resolve(true);
    },
    renew() {
      return Promise.resolve(held);
    },
    release() {
      held = false;
      return Promise.resolve();
    },
    isHeld: () => held,
  };
}
