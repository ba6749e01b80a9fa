/** Pages of a topic: the JSON and the DAG-CBOR form decode to the same envelopes, bad ones fail. */
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../crypto/base64url.js';
import { decodeCanonical, encodeCanonical } from '../encoding/canonical.js';
import { decodeEnvelopePage } from './topic-envelope.js';

const bytes = new Uint8Array([1, 2, 3, 250]);
const item = { seq: 4, cid: 'bafy', receivedAt: 10, leafIndex: 2 };

describe('decodeEnvelopePage', () => {
  it('decodes a JSON page (base64url) and a CBOR page (byte strings) to the same envelopes', () => {
    const json = { envelopes: [{ ...item, envelope: toBase64Url(bytes) }], lastSeq: 9 };
    const cbor = decodeCanonical(
      encodeCanonical({ envelopes: [{ ...item, envelope: bytes }], lastSeq: 9 }),
    );
    const expected = { ok: true, value: { envelopes: [{ ...item, bytes }], lastSeq: 9 } };
    expect(decodeEnvelopePage(json)).toEqual(expected);
    expect(decodeEnvelopePage(cbor)).toEqual(expected);
  });

  it('refuses a page without lastSeq, an item without leafIndex, and bytes that are neither form', () => {
    expect(decodeEnvelopePage({ envelopes: [] })).toMatchObject({
      ok: false,
      detail: 'page.lastSeq is missing',
    });
    const { leafIndex: _dropped, ...noLeaf } = item;
    expect(
      decodeEnvelopePage({ envelopes: [{ ...noLeaf, envelope: 'AQ' }], lastSeq: 1 }),
    ).toMatchObject({
      ok: false,
    });
    expect(decodeEnvelopePage({ envelopes: [{ ...item, envelope: 5 }], lastSeq: 5 })).toMatchObject(
      {
        ok: false,
        detail: 'page.envelopes[0].envelope is not bytes',
      },
    );
    expect(
      decodeEnvelopePage({ envelopes: [{ ...item, envelope: '@@' }], lastSeq: 5 }),
    ).toMatchObject({
      ok: false,
      detail: 'page.envelopes[0].envelope is not base64url',
    });
  });
});
