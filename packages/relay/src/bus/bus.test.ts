/** The in-process bus: envelopes reach their topic's subscribers, checkpoints every subscriber, failures reject. */
import { describe, expect, it } from 'vitest';
import { createInProcessBus, type AcceptedEnvelope } from './bus.js';

function envelope(topicKey: string, seq: number): AcceptedEnvelope {
  return {
    topicKey,
    seq,
    cid: `cid-${seq}`,
    receivedAt: seq,
    leafIndex: seq,
    bytes: new Uint8Array(1),
  };
}

describe('createInProcessBus', () => {
  it('delivers an envelope only to its topic’s subscribers, in publish order, until unsubscribed', async () => {
    const bus = createInProcessBus();
    const seen: number[] = [];
    const other: number[] = [];
    const stop = bus.subscribe('a', (event) => seen.push(event.seq));
    bus.subscribe('b', (event) => other.push(event.seq));
    await bus.publish(envelope('a', 1));
    await bus.publish(envelope('a', 2));
    stop();
    await bus.publish(envelope('a', 3));
    expect(seen).toEqual([1, 2]);
    expect(other).toEqual([]);
  });

  it('carries checkpoints to every checkpoint subscriber', async () => {
    const bus = createInProcessBus();
    const notes: string[] = [];
    bus.subscribeCheckpoints((checkpoint) => notes.push(`1:${checkpoint.note}`));
    const stop = bus.subscribeCheckpoints((checkpoint) => notes.push(`2:${checkpoint.note}`));
    await bus.publishCheckpoint({ size: 3, note: 'three' });
    stop();
    await bus.publishCheckpoint({ size: 4, note: 'four' });
    expect(notes).toEqual(['1:three', '2:three', '1:four']);
  });

  it('rejects a publish whose handler threw, after delivering to the other handlers', async () => {
    const bus = createInProcessBus();
    const seen: number[] = [];
    bus.subscribe('a', () => {
      throw new Error('subscriber broke');
    });
    bus.subscribe('a', (event) => seen.push(event.seq));
    await expect(bus.publish(envelope('a', 1))).rejects.toThrow('subscriber broke');
    expect(seen).toEqual([1]);
  });

  it('rejects publishing once closed', async () => {
    const bus = createInProcessBus();
    await bus.close();
    await expect(bus.publish(envelope('a', 1))).rejects.toThrow();
    await expect(bus.publishCheckpoint({ size: 0, note: '' })).rejects.toThrow();
  });
});
