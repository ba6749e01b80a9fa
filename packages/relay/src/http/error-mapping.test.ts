/** Unit tests of the one error mapper: what peers cause maps to RELAY_ codes and is logged briefly. */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { RelayError } from '../errors.js';
import {
  createPeerErrorLog,
  errorBody,
  PEER_LOG_LINES_PER_MINUTE,
  toRelayError,
} from './error-mapping.js';

function capture(): { log: FastifyBaseLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const log = pino({ level: 'info' }, stream) as unknown as FastifyBaseLogger;
  return { log, lines };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function coded(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('toRelayError', () => {
  it('maps Fastify router, parser and ws errors to RELAY_ codes', () => {
    expect(toRelayError(coded('FST_ERR_BAD_URL')).code).toBe('RELAY_BAD_URL');
    expect(toRelayError(coded('FST_ERR_MAX_PARAM_LENGTH')).code).toBe('RELAY_URL_TOO_LONG');
    expect(toRelayError(coded('HPE_HEADER_OVERFLOW')).code).toBe('RELAY_HEADERS_TOO_LARGE');
    expect(toRelayError(coded('HPE_INVALID_METHOD')).code).toBe('RELAY_MALFORMED_REQUEST');
    expect(toRelayError(coded('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')).code).toBe(
      'RELAY_INVALID_FRAME',
    );
    expect(toRelayError(Object.assign(new Error('x'), { validation: [] })).code).toBe(
      'RELAY_INVALID_REQUEST',
    );
  });

  it('maps an unknown throw to RELAY_INTERNAL and gives a body of exactly code and message', () => {
    const mapped = toRelayError(new TypeError('boom'));
    expect(mapped.code).toBe('RELAY_INTERNAL');
    expect(Object.keys(errorBody(mapped))).toEqual(['error']);
    expect(Object.keys(errorBody(mapped).error).sort()).toEqual(['code', 'message']);
  });
});

describe('createPeerErrorLog', () => {
  it('logs a peer-caused error at info without a stack', async () => {
    const { log, lines } = capture();
    const peerLog = createPeerErrorLog(log, () => 0);
    const cause = coded('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
    peerLog.report('203.0.113.1', cause, toRelayError(cause), { route: 'ws' });
    await flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe(30);
    expect(lines[0]?.code).toBe('RELAY_INVALID_FRAME');
    expect(JSON.stringify(lines[0])).not.toContain('stack');
  });

  it('logs at most the budget of lines per peer and minute, then again after a minute', async () => {
    const { log, lines } = capture();
    let now = 1_000_000;
    const peerLog = createPeerErrorLog(log, () => now);
    const cause = coded('FST_ERR_BAD_URL');
    for (let i = 0; i < 500; i += 1) peerLog.report('198.51.100.7', cause, toRelayError(cause), {});
    peerLog.report('198.51.100.8', cause, toRelayError(cause), {});
    await flush();
    expect(lines.filter((l) => l.peer === '198.51.100.7')).toHaveLength(PEER_LOG_LINES_PER_MINUTE);
    expect(lines.filter((l) => l.peer === '198.51.100.8')).toHaveLength(1);
    now += 61_000;
    peerLog.report('198.51.100.7', cause, toRelayError(cause), {});
    await flush();
    expect(lines.filter((l) => l.peer === '198.51.100.7')).toHaveLength(
      PEER_LOG_LINES_PER_MINUTE + 1,
    );
  });

  it('still logs an internal error at error with its stack, outside any budget', async () => {
    const { log, lines } = capture();
    const peerLog = createPeerErrorLog(log, () => 0);
    const cause = new TypeError('store broke');
    for (let i = 0; i < PEER_LOG_LINES_PER_MINUTE + 5; i += 1) {
      peerLog.report('192.0.2.1', cause, new RelayError('RELAY_INTERNAL'), {});
    }
    await flush();
    expect(lines).toHaveLength(PEER_LOG_LINES_PER_MINUTE + 5);
    expect(lines[0]?.level).toBe(50);
    expect(String((lines[0]?.err as { stack?: string }).stack)).toContain('store broke');
  });
});
