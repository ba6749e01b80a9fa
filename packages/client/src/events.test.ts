/** Event reporting: error codes pass through the reporter; one faulty listener stops no other. */
import { describe, expect, it } from 'vitest';
import { ClientError } from './errors.js';
import { Emitter, reporterOf, type ClientEvents } from './events.js';
import { recordingEmit } from '../test/support/unit-fixtures.js';

/** An emitter whose emit is callable from the test. */
class TestEmitter extends Emitter<ClientEvents> {
  fire<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    this.emit(event, payload);
  }
}

describe('reporterOf', () => {
  it('emits an error event with the ClientError code and the chat it concerns', () => {
    const { emit, events } = recordingEmit();
    reporterOf(emit)('chat-1', new ClientError('CLIENT_NOT_A_MEMBER'));
    expect(events).toMatchObject([
      { event: 'error', payload: { chatId: 'chat-1', code: 'CLIENT_NOT_A_MEMBER' } },
    ]);
    expect(events).toHaveLength(1);
  });

  it('passes any error with a string code through (CoreError), without a chat id', () => {
    const { emit, events } = recordingEmit();
    reporterOf(emit)(undefined, Object.assign(new Error('x'), { code: 'CORE_SCHEMA_INVALID' }));
    expect(events).toEqual([
      { event: 'error', payload: { code: 'CORE_SCHEMA_INVALID', message: 'x' } },
    ]);
  });

  it('reports anything without a code as CLIENT_INTERNAL', () => {
    const { emit, events } = recordingEmit();
    const report = reporterOf(emit);
    report(undefined, new TypeError('bad'));
    report(undefined, 'a string');
    report(undefined, { code: 42 });
    expect(events.map((e) => (e.event === 'error' ? e.payload.code : e.event))).toEqual([
      'CLIENT_INTERNAL',
      'CLIENT_INTERNAL',
      'CLIENT_INTERNAL',
    ]);
    expect(events[1]?.payload).toMatchObject({ message: 'a string' });
  });
});

describe('Emitter', () => {
  it('calls every handler of an event, even after one throws', () => {
    const emitter = new TestEmitter();
    const seen: number[] = [];
    emitter.on('sent', () => {
      throw new Error('faulty listener');
    });
    emitter.on('sent', (payload) => seen.push(payload.seq));
    emitter.fire('sent', { chatId: 'c', id: 1, seq: 7, cid: 'cid' });
    expect(seen).toEqual([7]);
  });

  it('stops calling a handler once it is off, by off() or by the function on() returned', () => {
    const emitter = new TestEmitter();
    const seen: string[] = [];
    const first = (payload: ClientEvents['sent']) => seen.push(`first ${payload.seq}`);
    emitter.on('sent', first);
    const stop = emitter.on('sent', (payload) => seen.push(`second ${payload.seq}`));
    emitter.fire('sent', { chatId: 'c', id: 1, seq: 1, cid: 'cid' });
    emitter.off('sent', first);
    stop();
    emitter.fire('sent', { chatId: 'c', id: 2, seq: 2, cid: 'cid' });
    expect(seen).toEqual(['first 1', 'second 1']);
  });

  it('keeps events apart: a handler hears only its own event', () => {
    const emitter = new TestEmitter();
    const seen: string[] = [];
    emitter.on('error', (payload) => seen.push(payload.code));
    emitter.fire('sent', { chatId: 'c', id: 1, seq: 1, cid: 'cid' });
    expect(seen).toEqual([]);
  });
});
