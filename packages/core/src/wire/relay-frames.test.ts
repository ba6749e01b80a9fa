/** Relay → client frames: the envelope push round-trips, and malformed frames are typed failures. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../crypto/base64url.js';
import { checkClientFrame } from './client-frames.js';
import { decodeRelayFrame, encodeEnvelopeFrame } from './relay-frames.js';
import { envelopeOfFrame } from './topic-envelope.js';

const pushed = fc.record({
  topic: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64Url),
  seq: fc.nat(),
  cid: fc.string({ minLength: 1, maxLength: 128 }),
  receivedAt: fc.nat(),
  leafIndex: fc.nat(),
  bytes: fc.uint8Array({ maxLength: 256 }),
});

describe('relay frames', () => {
  it('decodes an encoded envelope frame to the same envelope and bytes', () => {
    fc.assert(
      fc.property(pushed, ({ bytes, ...fields }) => {
        const frame = decodeRelayFrame(
          encodeEnvelopeFrame({ ...fields, envelope: toBase64Url(bytes) }),
        );
        if (!frame.ok || frame.value.type !== 'envelope') throw new Error('not an envelope frame');
        expect(envelopeOfFrame(frame.value)).toEqual({
          ok: true,
          value: {
            seq: fields.seq,
            cid: fields.cid,
            receivedAt: fields.receivedAt,
            leafIndex: fields.leafIndex,
            bytes,
          },
        });
      }),
    );
  });

  it('decodes each frame type the relay sends', () => {
    const frames = [
      { type: 'ready', accountId: 'a', expiresAt: 1 },
      { type: 'subscribed', topic: 't', lastSeq: 0 },
      { type: 'unsubscribed', topic: 't' },
      { type: 'checkpoint', note: 'origin\n1\nroot\n\n— sig\n' },
      { type: 'error', code: 'RELAY_RATE_LIMITED', message: 'slow down', ref: '1', retryAfter: 2 },
      {
        type: 'receipt',
        ref: '7',
        cid: 'c',
        topic: 't',
        seq: 1,
        receivedAt: 2,
        leafIndex: 3,
        mergeBy: 4,
        signature: 's',
        duplicate: false,
      },
    ];
    for (const frame of frames) {
      expect(decodeRelayFrame(JSON.stringify(frame))).toEqual({ ok: true, value: frame });
    }
  });

  it('refuses text that is not JSON, an unknown type and a frame missing a field', () => {
    expect(decodeRelayFrame('{')).toMatchObject({ ok: false, detail: 'frame is not JSON' });
    expect(decodeRelayFrame(new Uint8Array(2))).toMatchObject({ ok: false });
    expect(decodeRelayFrame('{"type":"gossip"}')).toMatchObject({
      ok: false,
      detail: 'frame.type is not a known frame',
    });
    expect(decodeRelayFrame('{"type":"envelope","topic":"t","seq":1}')).toMatchObject({
      ok: false,
      reason: 'wire-invalid',
    });
    expect(decodeRelayFrame('{"type":"receipt","cid":"c"}')).toMatchObject({ ok: false });
  });

  it('refuses a pushed envelope whose bytes are not base64url', () => {
    const frame = decodeRelayFrame(
      encodeEnvelopeFrame({
        topic: 't',
        seq: 1,
        cid: 'c',
        receivedAt: 1,
        leafIndex: 0,
        envelope: '***',
      }),
    );
    if (!frame.ok || frame.value.type !== 'envelope') throw new Error('not an envelope frame');
    expect(envelopeOfFrame(frame.value)).toMatchObject({ ok: false, reason: 'wire-invalid' });
  });
});

describe('client frames', () => {
  it('accepts each frame a client sends and refuses bad fields', () => {
    expect(checkClientFrame({ type: 'auth', token: 'x' }).ok).toBe(true);
    expect(checkClientFrame({ type: 'subscribe', topic: 't', after: 3 }).ok).toBe(true);
    expect(checkClientFrame({ type: 'publish', envelope: 'AA', writer: 'w', sig: 's' }).ok).toBe(
      true,
    );
    expect(checkClientFrame({ type: 'ack', topic: 't', seq: 2 }).ok).toBe(true);
    expect(checkClientFrame({ type: 'subscribe', topic: 't', after: -1 }).ok).toBe(false);
    expect(checkClientFrame({ type: 'ack', topic: 't', seq: 1.5 }).ok).toBe(false);
    expect(checkClientFrame({ type: 'unsubscribe' }).ok).toBe(false);
    expect(checkClientFrame({ type: 'receipt' })).toMatchObject({
      ok: false,
      detail: 'frame.type is not a known frame',
    });
  });
});
