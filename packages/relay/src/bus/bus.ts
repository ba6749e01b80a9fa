/**
 * Fan-out of accepted envelopes to live subscribers. The default is in-process; a multi-process
 * deployment plugs in a networked bus behind the same interface.
 */

/** What the bus carries: an envelope committed to the store. */
export interface AcceptedEnvelope {
  readonly topicKey: string;
  readonly seq: number;
  readonly cid: string;
  readonly receivedAt: number;
  readonly leafIndex: number;
  readonly bytes: Uint8Array;
}

/** Publish/subscribe by topic key (the topic in base64url). */
export interface Bus {
  publish(event: AcceptedEnvelope): void;
  /** Calls `handler` for each event of `topicKey` until the returned function is called. */
  subscribe(topicKey: string, handler: (event: AcceptedEnvelope) => void): () => void;
  close(): Promise<void>;
}

/** A bus inside one process: synchronous delivery, in publish order. */
export function createInProcessBus(): Bus {
  const handlers = new Map<string, Set<(event: AcceptedEnvelope) => void>>();
  return {
    publish(event) {
      const set = handlers.get(event.topicKey);
      if (set === undefined) return;
      for (const handler of set) handler(event);
    },
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
    close() {
      handlers.clear();
      return Promise.resolve();
    },
  };
}
