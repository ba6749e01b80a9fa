/** The transport: refusals carry the relay's code, no answer is unreachable, bad bodies invalid. */
import { encodeCanonical, errorBody } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../errors.js';
import { RelayHttp, answerBytes, decodeAnswer } from './relay-http.js';

/** A fetch that answers every request with `response` and records what it was asked. */
function fetchAnswering(response: () => Response) {
  const requests: { url: string; init: RequestInit | undefined }[] = [];
  const fake: typeof fetch = (input, init) => {
    requests.push({ url: input as string, init });
    return Promise.resolve(response());
  };
  return { fake, requests };
}

async function codeOf(promise: Promise<unknown>): Promise<[string, string | undefined]> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ClientError)) throw new Error('expected a ClientError');
  return [error.code, error.relayCode];
}

describe('RelayHttp', () => {
  it('sends JSON with the bearer token to the relay path and reads a JSON answer', async () => {
    const { fake, requests } = fetchAnswering(() => Response.json({ fine: true }));
    const http = new RelayHttp({ relayUrl: 'https://relay.example/', fetch: fake });
    const answer = await http.request('POST', '/v1/x', { json: { a: 1 }, token: 't0k' });
    expect(answer).toEqual({ status: 200, body: { fine: true } });
    expect(requests[0]?.url).toBe('https://relay.example/v1/x');
    const headers = requests[0]?.init?.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer t0k');
    expect(requests[0]?.init?.body).toBe('{"a":1}');
  });

  it('reports a refusal with the code of core’s error body', async () => {
    const body = errorBody({ code: 'RELAY_RATE_LIMITED', message: 'slow down' });
    const { fake } = fetchAnswering(() => Response.json(body, { status: 429 }));
    const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
    expect(await codeOf(http.request('GET', '/v1/info'))).toEqual([
      'CLIENT_RELAY_REFUSED',
      'RELAY_RATE_LIMITED',
    ]);
  });

  it('names the HTTP status when a refusal has no error body', async () => {
    const { fake } = fetchAnswering(() => Response.json({ nothing: 1 }, { status: 503 }));
    const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
    expect(await codeOf(http.request('GET', '/v1/info'))).toEqual([
      'CLIENT_RELAY_REFUSED',
      'HTTP_503',
    ]);
  });

  it('is unreachable when fetch fails', async () => {
    const fake: typeof fetch = () => Promise.reject(new TypeError('network down'));
    const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
    expect((await codeOf(http.request('GET', '/v1/info')))[0]).toBe('CLIENT_RELAY_UNREACHABLE');
  });

  it('refuses a successful answer that is not JSON as an invalid answer', async () => {
    const { fake } = fetchAnswering(() => new Response('<html>', { status: 200 }));
    const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
    expect((await codeOf(http.request('GET', '/v1/info')))[0]).toBe('CLIENT_RELAY_ANSWER_INVALID');
  });

  it('decodes a DAG-CBOR answer when asked for cbor', async () => {
    const bytes = encodeCanonical({ lastSeq: 3 });
    const { fake } = fetchAnswering(
      () =>
        new Response(new Uint8Array(bytes), { headers: { 'content-type': 'application/cbor' } }),
    );
    const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
    expect((await http.request('GET', '/p', { accept: 'cbor' })).body).toEqual({ lastSeq: 3 });
  });

  it('refuses CBOR that is not canonical as an invalid answer', async () => {
    const { fake } = fetchAnswering(
      () =>
        new Response(new Uint8Array([0xff, 0x00]), {
          headers: { 'content-type': 'application/cbor' },
        }),
    );
    const http = new RelayHttp({ relayUrl: 'https://relay.example', fetch: fake });
    expect((await codeOf(http.request('GET', '/p', { accept: 'cbor' })))[0]).toBe(
      'CLIENT_RELAY_ANSWER_INVALID',
    );
  });
});

describe('decodeAnswer and answerBytes', () => {
  const schema = {
    type: 'object',
    properties: { n: { type: 'integer' } },
    required: ['n'],
  } as const;

  it('returns a body that satisfies its schema', () => {
    expect(decodeAnswer(schema, { n: 2 }, 'body')).toEqual({ n: 2 });
  });

  it('throws CLIENT_RELAY_ANSWER_INVALID for a body that breaks it', () => {
    expect(() => decodeAnswer(schema, { n: 'two' }, 'body')).toThrow(
      expect.objectContaining({ code: 'CLIENT_RELAY_ANSWER_INVALID' }),
    );
    expect(() => answerBytes('***', 'field')).toThrow(
      expect.objectContaining({ code: 'CLIENT_RELAY_ANSWER_INVALID' }),
    );
  });
});
