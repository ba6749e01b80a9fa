/** The operations service: metrics, connection admission, readiness and the relay's own state. */
import type { RelayConfig } from '../config/config.js';
import type { PeerErrorLog } from '../http/error-mapping.js';
import type { ConnectionAdmission } from '../limits/connection-admission.js';
import type { RelayMetrics } from './metrics.js';

/** Whether the relay is shutting down, and how many sockets it holds. */
export interface RelayState {
  draining: boolean;
  connections: number;
}

/** What the operations routes, the socket and the error handlers use. */
export interface OpsService {
  readonly relayId: string;
  readonly config: RelayConfig;
  readonly metrics: RelayMetrics;
  readonly admission: ConnectionAdmission;
  /** Where errors of a peer's request or frame are logged (client-caused ones within a budget). */
  readonly peerLog: PeerErrorLog;
  readonly state: RelayState;
  /** True if the stores answer (GET /readyz). */
  isHealthy(): Promise<boolean>;
}
