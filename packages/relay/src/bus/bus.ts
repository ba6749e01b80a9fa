/**
 * Fan-out of committed events to live subscribers: envelopes by topic, and signed checkpoints.
 * The store is the source of truth and the bus only a hint: an event is published after it is
 * durable, so a publish that fails loses nothing — subscribers that missed it catch up from the
 * store (a socket pages from its last seq; a client fetches the latest checkpoint). The default
 * is in-process; a networked bus (Redis pub/sub, a later issue) implements the same interface.
 */

/** An envelope committed to the store. */
export interface AcceptedEnvelope {
  readonly topicKey: string;
  readonly seq: number;
  readonly cid: string;
  readonly receivedAt: number;
  readonly leafIndex: number;
  readonly bytes: Uint8Array;
}

/** A checkpoint signed and stored by the log writer. */
export interface PublishedCheckpoint {
  readonly size: number;
  /** The signed note, as served by GET /v1/log/checkpoint. */
  readonly note: string;
}

/** Publish/subscribe of envelopes by topic key (the topic in base64url) and of checkpoints. */
export interface Bus {
  /**
   * Delivers `event` to the subscribers of its topic. Resolves once handed on; rejects if the
   * bus could not carry it (the envelope is durable anyway: see above).
   */
  publish(event: AcceptedEnvelope): Promise<void>;
  /** Delivers a stored checkpoint to every checkpoint subscriber; rejects like `publish`. */
  publishCheckpoint(checkpoint: PublishedCheckpoint): Promise<void>;
  /** Calls `handler` for each envelope of `topicKey` until the returned function is called. */
  subscribe(topicKey: string, handler: (event: AcceptedEnvelope) => void): () => void;
  /** Calls `handler` for each checkpoint until the returned function is called. */
  subscribeCheckpoints(handler: (checkpoint: PublishedCheckpoint) => void): () => void;
  close(): Promise<void>;
}

/**
 * A bus inside one process: delivery in publish order, before `publish` resolves. A handler that
 * throws does not stop delivery to the others; `publish` then rejects with its error.
 * @throws nothing; after `close`, publishing rejects with Error
 */
export function createInProcessBus(): Bus {
  const handlers = new Map<string, Set<(event: AcceptedEnvelope) => void>>();
  const checkpointHandlers = new Set<(checkpoint: PublishedCheckpoint) => void>();
  let isClosed = false;
  function deliver<T>(set: Iterable<(value: T) => void> | undefined, value: T): Promise<void> {
    if (isClosed) return Promise.reject(new Error('the bus is closed'));
    let failure: unknown;
    for (const handler of set ?? []) {
      try {
        handler(value);
      } catch (error) {
        failure ??= error;
      }
    }
    return failure === undefined
      ? Promise.resolve()
      : Promise.reject(
          failure instanceof Error
            ? failure
            : new Error('a bus handler failed', { cause: failure }),
        );
  }
  return {
    publish: (event) => deliver(handlers.get(event.topicKey), event),
    publishCheckpoint: (checkpoint) => deliver(checkpointHandlers, checkpoint),
    subscribe(topicKey, handler) {
      let set = handlers.get(topicKey);
      if (set === undefined) {
        set = new Set();
        handlers.set(topicKey, set);
      }
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) handlers.delete(topicKey);
      };
    },
    subscribeCheckpoints(handler) {
      checkpointHandlers.add(handler);
      return () => {
        checkpointHandlers.delete(handler);
      };
    },
    close() {
      isClosed = true;
      handlers.clear();
      checkpointHandlers.clear();
      return Promise.resolve();
    },
  };
}
