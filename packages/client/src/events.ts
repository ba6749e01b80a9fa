/** A small typed event emitter (no Node `events` dependency, so it runs in browsers). */
import type { HistoryProblem } from '@parley/core';
import type { LiveProblem } from './chats/entries.js';
import type { ChatKind } from './chats/records.js';
import type { StoredDirectoryEvidence } from './directory/key-transparency.js';
import type { StoredEvidence } from './log/evidence.js';
import type { StoredMessage } from './store/client-store.js';

/** The events a Client emits, with their payloads. */
export interface ClientEvents {
  /** A message was added to a chat's history (received, or queued by this device). */
  message: { chatId: string; message: StoredMessage };
  /** A reaction, an edit or a delete changed a stored message: here it is as it now stands. */
  'message-changed': { chatId: string; message: StoredMessage };
  /** The relay stored a message this device sent. */
  sent: { chatId: string; id: number; seq: number; cid: string };
  /** A chat's membership changed; `removed` when this account was removed. */
  'members-changed': { chatId: string; members: readonly string[]; removed?: boolean };
  /** This account joined a chat through an invitation. */
  invited: { chatId: string; name: string; inviter: string; kind: ChatKind };
  /**
   * An invitation in this account's inbox was dropped, never shown: unauthenticated (v1), not
   * signed by a device certified for its inviter, or for a group it does not describe.
   */
  'invitation-rejected': { seq: number; reason: string };
  /** An envelope of a chat was refused (replay, non-member, undecryptable…); it is skipped. */
  rejected: { chatId: string; seq: number; reason: string };
  /**
   * Something in a chat's history is wrong: a gap still open after asking the relay again, a
   * broken link, an equivocation, a reordering. Carries the signed entries as evidence.
   */
  'history-problem': { chatId: string; problem: LiveProblem | HistoryProblem };
  /** The relay's log contradicts itself or a receipt: signed evidence, also kept in the store. */
  evidence: { evidence: StoredEvidence };
  /** An envelope of a chat is proven to be in the relay's log (checkpoint of `size` leaves). */
  included: { chatId: string; cid: string; leafIndex: number; size: number };
  /**
   * A directory entry contradicts what this device knows: one of its own account that it did not
   * publish, or an older entry served after a newer one. Also kept (`directoryEvidence()`).
   */
  'directory-warning': { evidence: StoredDirectoryEvidence };
  /** A background operation failed. */
  error: { chatId?: string; code: string; message: string };
}

/** Emits one client event (what a service is given instead of the whole emitter). */
export type Emit = <K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]) => void;

/** Reports a failed background operation as an `error` event. */
export type Report = (chatId: string | undefined, error: unknown) => void;

/** The `Report` that emits through `emit`: ClientError and CoreError codes pass through. */
export function reporterOf(emit: Emit): Report {
  return (chatId, error) => {
    const code =
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      typeof error.code === 'string'
        ? error.code
        : 'CLIENT_INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    emit('error', { ...(chatId === undefined ? {} : { chatId }), code, message });
  };
}

type Handler<T> = (payload: T) => void;

/** Typed on/off/once/emit. Handlers run synchronously; one that throws does not stop the rest. */
export class Emitter<Events extends object> {
  readonly #handlers = new Map<keyof Events, Set<Handler<never>>>();

  on<K extends keyof Events>(event: K, handler: Handler<Events[K]>): () => void {
    const set = this.#handlers.get(event) ?? new Set();
    set.add(handler);
    this.#handlers.set(event, set);
    return () => {
      this.off(event, handler);
    };
  }

  off<K extends keyof Events>(event: K, handler: Handler<Events[K]>): void {
    this.#handlers.get(event)?.delete(handler);
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const handler of this.#handlers.get(event) ?? []) {
      try {
        (handler as Handler<Events[K]>)(payload);
      } catch {
        // A faulty listener must not break the client.
      }
    }
  }
}
