/**
 * The one map from anything thrown while serving a peer (HTTP route, Fastify's router and body
 * parsers, Node's HTTP parser, a WebSocket frame) to the relay's error catalogue, and how it is
 * logged: the relay's own failures at `error` with their stack, problems a peer caused at `info`
 * without one, at most a few lines per peer and minute (docs/operators.md §Logs).
 */
import { errorBody as wireErrorBody, type ErrorBody } from '@parley/core';
import type { FastifyBaseLogger } from 'fastify';
import { TokenBuckets } from '../limits/token-bucket.js';
import { isRelayError, RelayError, type RelayErrorCode } from '../errors.js';

/** Log lines one peer address may cause per minute (burst); further ones are counted only. */
export const PEER_LOG_LINES_PER_MINUTE = 10;

// Fastify's own codes that a peer can cause, and what the catalogue calls them.
const FASTIFY_CODES: Readonly<Record<string, RelayErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'RELAY_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'RELAY_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'RELAY_MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'RELAY_MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'RELAY_MALFORMED_BODY',
  FST_ERR_BAD_URL: 'RELAY_BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'RELAY_URL_TOO_LONG',
  FST_ERR_VALIDATION: 'RELAY_INVALID_REQUEST',
};

// Node's HTTP parser errors (the `clientError` event), by code.
const HTTP_PARSER_CODES: Readonly<Record<string, RelayErrorCode>> = {
  HPE_HEADER_OVERFLOW: 'RELAY_HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'RELAY_REQUEST_TIMEOUT',
};

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Maps anything thrown while serving a peer to the catalogue; unknown errors are RELAY_INTERNAL. */
export function toRelayError(error: unknown): RelayError {
  if (isRelayError(error)) return error;
  if (typeof error === 'object' && error !== null && 'validation' in error) {
    const message = error instanceof Error ? error.message : 'invalid';
    return new RelayError('RELAY_INVALID_REQUEST', `(${message})`);
  }
  const code = codeOf(error);
  if (code !== undefined) {
    const mapped = FASTIFY_CODES[code] ?? HTTP_PARSER_CODES[code];
    if (mapped !== undefined) return new RelayError(mapped);
    // ws reports oversized, invalid or badly masked frames as WS_ERR_* (the client's doing).
    if (code.startsWith('WS_ERR_')) return new RelayError('RELAY_INVALID_FRAME', `(${code})`);
    // Node's HTTP parser: a request that is not HTTP.
    if (code.startsWith('HPE_')) return new RelayError('RELAY_MALFORMED_REQUEST', `(${code})`);
  }
  // Fastify reports JSON syntax errors as 400s with the parser's SyntaxError.
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? error.statusCode
      : undefined;
  if (error instanceof SyntaxError || (typeof status === 'number' && status < 500)) {
    return new RelayError('RELAY_MALFORMED_BODY');
  }
  return new RelayError('RELAY_INTERNAL');
}

/** The JSON body of an error answer. */
export function errorBody(error: RelayError): ErrorBody {
  return wireErrorBody({ code: error.code, message: error.message });
}

/** The JSON body of a refusal that is not a RelayError (a code and its own message). */
export function refusalBody(code: string, message: string): ErrorBody {
  return wireErrorBody({ code, message });
}

/** Logs what a peer's request or frame led to, with the per-peer budget. */
export interface PeerErrorLog {
  /**
   * Logs `relayError` (mapped from `cause`) for `peer`: RELAY_INTERNAL at error with the cause's
   * stack, always; anything a peer caused at info, code and route only, within the budget.
   */
  report(peer: string, cause: unknown, relayError: RelayError, context: object): void;
}

/** A PeerErrorLog on `log`, with the clock the budget refills by. */
export function createPeerErrorLog(log: FastifyBaseLogger, clock: () => number): PeerErrorLog {
  const budgets = new TokenBuckets(PEER_LOG_LINES_PER_MINUTE / 60, PEER_LOG_LINES_PER_MINUTE);
  const suppressed = new Map<string, number>();
  let lastPruneAt = 0;
  return {
    report(peer, cause, relayError, context) {
      if (relayError.code === 'RELAY_INTERNAL') {
        log.error({ ...context, err: cause }, 'request failed');
        return;
      }
      const now = clock();
      if (now - lastPruneAt > 60_000) {
        budgets.prune(now);
        suppressed.clear();
        lastPruneAt = now;
      }
      if (budgets.take(peer, now) > 0) {
        // Bounded: cleared every minute, one number per address.
        suppressed.set(peer, (suppressed.get(peer) ?? 0) + 1);
        return;
      }
      const dropped = suppressed.get(peer);
      suppressed.delete(peer);
      log.info(
        {
          ...context,
          peer,
          code: relayError.code,
          ...(dropped === undefined ? {} : { suppressed: dropped }),
        },
        'peer error',
      );
    },
  };
}
