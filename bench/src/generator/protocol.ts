/** Messages between the harness and its load-generator processes (IPC, advanced serialization). */

/** Ingest: each connection keeps `inFlight` publishes outstanding on its own topic. */
export interface IngestJob {
  readonly role: 'ingest';
  readonly relayUrl: string;
  readonly wsUrl: string;
  readonly connections: number;
  readonly envelopesPerConnection: number;
  readonly inFlight: number;
  readonly payloadBytes: number;
  readonly durationMs: number;
}

/** Fan-out publisher: envelope k goes to topic k mod S, paced at `ratePerSecond`. */
export interface PublisherJob {
  readonly role: 'publisher';
  readonly relayUrl: string;
  readonly wsUrl: string;
  readonly connections: number;
  readonly topics: readonly string[];
  readonly payloadBytes: number;
}

/** Fan-out subscribers: one connection per entry, subscribed to that entry's topics. */
export interface SubscriberJob {
  readonly role: 'subscriber';
  readonly relayUrl: string;
  readonly wsUrl: string;
  readonly subscriptions: readonly (readonly string[])[];
}

/** Idle connections: authenticated sockets that do nothing. */
export interface IdleJob {
  readonly role: 'idle';
  readonly relayUrl: string;
  readonly wsUrl: string;
  readonly connections: number;
  readonly connectionsPerLogin: number;
}

export type Job = IngestJob | PublisherJob | SubscriberJob | IdleJob;

/** Harness → generator. */
export type Command =
  | { readonly type: 'setup'; readonly job: Job }
  | { readonly type: 'prepare'; readonly count: number }
  | { readonly type: 'start'; readonly ratePerSecond?: number }
  | { readonly type: 'count' }
  | { readonly type: 'collect' }
  | { readonly type: 'exit' };

/** What an ingest generator measured. */
export interface IngestResult {
  readonly sent: number;
  readonly acked: number;
  readonly errors: number;
  readonly firstSendAt: number;
  readonly lastAckAt: number;
  /** Send → receipt of every acknowledged envelope, ms. */
  readonly ackLatencyMs: Float64Array;
}

/** What a fan-out publisher sent: per envelope k its CID, topic index, send time and receipt. */
export interface PublisherResult {
  readonly cids: readonly string[];
  readonly topicIndex: Uint32Array;
  readonly sentAt: Float64Array;
  readonly acked: Uint8Array;
  readonly errors: number;
  readonly firstSendAt: number;
  readonly lastSendAt: number;
  readonly lastAckAt: number;
}

/** What each subscriber connection received since the last collect. */
export interface SubscriberResult {
  readonly connections: readonly {
    readonly cids: readonly string[];
    readonly receivedAt: Float64Array;
    /** Frames whose topic is not one this connection subscribed to. */
    readonly wrongTopic: number;
  }[];
  /** Frames whose bytes were decoded and checked (every 16th) and how many failed. */
  readonly checked: number;
  readonly corrupt: number;
}

/** Generator → harness. */
export type Reply =
  | { readonly type: 'ready' }
  | { readonly type: 'prepared' }
  | { readonly type: 'done'; readonly result: IngestResult | PublisherResult }
  | { readonly type: 'count'; readonly received: number }
  | { readonly type: 'collected'; readonly result: SubscriberResult }
  | { readonly type: 'error'; readonly message: string };
