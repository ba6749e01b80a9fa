/**
 * Admission of WebSocket connections: a total cap, and a smaller cap on connections that have
 * not authenticated yet, in total and per client address, so that sockets opened and left
 * silent cannot take the slots honest clients need (docs/operators.md §Limits).
 */

/** Why a connection is refused, or undefined if it may open. */
export type AdmissionRefusal = 'RELAY_TOO_MANY_CONNECTIONS' | 'RELAY_TOO_MANY_UNAUTHENTICATED';

/** The caps `ConnectionAdmission` enforces. */
export interface AdmissionLimits {
  readonly maxConnections: number;
  readonly maxUnauthenticatedConnections: number;
  readonly maxUnauthenticatedPerAddress: number;
}

/** Counts open connections by state and address; every `admit` is matched by one `release`. */
export class ConnectionAdmission {
  readonly #limits: AdmissionLimits;
  readonly #unauthenticatedByAddress = new Map<string, number>();
  #open = 0;
  #unauthenticated = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  /** Open connections, authenticated or not. */
  get open(): number {
    return this.#open;
  }

  /** Admits a new (unauthenticated) connection from `address`, or says why not. */
  admit(address: string): AdmissionRefusal | undefined {
    if (this.#open >= this.#limits.maxConnections) return 'RELAY_TOO_MANY_CONNECTIONS';
    const fromAddress = this.#unauthenticatedByAddress.get(address) ?? 0;
    if (
      this.#unauthenticated >= this.#limits.maxUnauthenticatedConnections ||
      fromAddress >= this.#limits.maxUnauthenticatedPerAddress
    ) {
      return 'RELAY_TOO_MANY_UNAUTHENTICATED';
    }
    this.#open += 1;
    this.#unauthenticated += 1;
    this.#unauthenticatedByAddress.set(address, fromAddress + 1);
    return undefined;
  }

  /** Moves an admitted connection from `address` to the authenticated state. */
  authenticated(address: string): void {
    this.#forgetUnauthenticated(address);
  }

  /** Releases an admitted connection, given whether it had authenticated. */
  release(address: string, wasAuthenticated: boolean): void {
    this.#open -= 1;
    if (!wasAuthenticated) this.#forgetUnauthenticated(address);
  }

  #forgetUnauthenticated(address: string): void {
    this.#unauthenticated -= 1;
    const left = (this.#unauthenticatedByAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.#unauthenticatedByAddress.delete(address);
    else this.#unauthenticatedByAddress.set(address, left);
  }
}
