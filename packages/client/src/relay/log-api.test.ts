/** The public log routes over an injected fetch: info, proofs, leaves decoded; bad bodies refused. */
import {
  errorBody,
  toBase64Url,
  type ConsistencyProofBody,
  type InclusionProofBody,
  type LeavesBody,
  type RelayInfoAnswer,
} from '@parley/core';
import { describe, expect, it } from 'vitest';
import { LogApi } from './log-api.js';
import { RelayHttp } from './relay-http.js';

/** The log API of a relay whose every route answers with `answer(path)`. */
function logOver(answer: (path: string) => Response): LogApi {
  const fake: typeof fetch = (input) => Promise.resolve(answer(new URL(input as string).pathname));
  return new LogApi(new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake }));
}

const hash = new Uint8Array(32).fill(5);

describe('LogApi', () => {
  it('reads the relay’s key and log origin, with the default origin when none is given', async () => {
    const info: RelayInfoAnswer = { relayId: 'r1', publicKey: toBase64Url(hash) };
    const api = logOver(() => Response.json(info));
    expect(await api.info()).toEqual({ relayId: 'r1', publicKey: hash, origin: 'parley-relay/r1' });
  });

  it('decodes an inclusion proof’s hashes', async () => {
    const proof: InclusionProofBody = {
      index: 1,
      size: 2,
      leafHash: toBase64Url(hash),
      proof: [toBase64Url(hash)],
    };
    const api = logOver(() => Response.json(proof));
    expect(await api.inclusionProof(1, 2)).toEqual({
      index: 1,
      size: 2,
      leafHash: hash,
      proof: [hash],
    });
  });

  it('decodes a consistency proof and a range of leaves', async () => {
    const consistency: ConsistencyProofBody = { from: 1, to: 2, proof: [toBase64Url(hash)] };
    const leaves: LeavesBody = { leaves: [{ index: 0, cid: 'bafy' }] };
    const api = logOver((path) =>
      Response.json(path.includes('consistency') ? consistency : leaves),
    );
    expect(await api.consistencyProof(1, 2)).toEqual([hash]);
    expect(await api.leaves(0, 1)).toEqual([{ index: 0, cid: 'bafy' }]);
  });

  it('refuses a proof whose hash is not base64url as an invalid answer', async () => {
    const api = logOver(() => Response.json({ from: 1, to: 2, proof: ['%%'] }));
    await expect(api.consistencyProof(1, 2)).rejects.toMatchObject({
      code: 'CLIENT_RELAY_ANSWER_INVALID',
    });
  });

  it('refuses info without the relay’s key as an invalid answer', async () => {
    const api = logOver(() => Response.json({ relayId: 'r1' }));
    await expect(api.info()).rejects.toMatchObject({ code: 'CLIENT_RELAY_ANSWER_INVALID' });
  });

  it('answers undefined for a checkpoint size the relay does not hold', async () => {
    const api = logOver((path) =>
      path.endsWith('/7')
        ? Response.json(errorBody({ code: 'RELAY_NOT_FOUND', message: 'none' }), { status: 404 })
        : new Response('note text'),
    );
    expect(await api.checkpointOfSize(7)).toBeUndefined();
    expect(await api.checkpointOfSize(8)).toBe('note text');
  });
});
