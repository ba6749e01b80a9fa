/** The relay's public log routes (docs/spec/log.md) for the SDK: info, checkpoints, proofs, leaves. */
import {
  consistencyProofSchema,
  inclusionProofSchema,
  leavesSchema,
  relayInfoSchema,
} from '@parley/core';
import { ClientError } from '../errors.js';
import { answerBytes, decodeAnswer, type RelayAnswer, type RelayHttp } from './relay-http.js';

/** What /v1/info says about the relay's identity. */
export interface RelayInfo {
  readonly relayId: string;
  readonly publicKey: Uint8Array;
  readonly origin: string;
}

/** An inclusion proof as served by the relay. */
export interface InclusionProofAnswer {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Uint8Array;
  readonly proof: Uint8Array[];
}

/** The log routes of one relay (public: no session). */
export class LogApi {
  readonly #http: RelayHttp;

  constructor(http: RelayHttp) {
    this.#http = http;
  }

  /**
   * The relay's id, Ed25519 key and log origin.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async info(): Promise<RelayInfo> {
    const body = (await this.#http.request('GET', '/v1/info')).body;
    const info = decodeAnswer(relayInfoSchema, body, 'info');
    return {
      relayId: info.relayId,
      publicKey: answerBytes(info.publicKey, 'info.publicKey'),
      origin: info.log?.origin ?? `parley-relay/${info.relayId}`,
    };
  }

  /**
   * The latest signed checkpoint (C2SP signed note, checked by the caller).
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async checkpoint(): Promise<string> {
    return textOf(await this.#http.request('GET', '/v1/log/checkpoint', { accept: 'text' }));
  }

  /**
   * The stored checkpoint of exactly `size` leaves, or undefined if the relay has none.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async checkpointOfSize(size: number): Promise<string | undefined> {
    try {
      return textOf(
        await this.#http.request('GET', `/v1/log/checkpoints/${size}`, { accept: 'text' }),
      );
    } catch (error) {
      if (error instanceof ClientError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * The inclusion proof of leaf `index` in the tree of `size` leaves.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async inclusionProof(index: number, size: number): Promise<InclusionProofAnswer> {
    const path = `/v1/log/proof/inclusion?size=${size}&index=${index}`;
    const body = (await this.#http.request('GET', path)).body;
    const answer = decodeAnswer(inclusionProofSchema, body, 'inclusion');
    return {
      index: answer.index,
      size: answer.size,
      leafHash: answerBytes(answer.leafHash, 'inclusion.leafHash'),
      proof: answer.proof.map((hash) => answerBytes(hash, 'inclusion.proof')),
    };
  }

  /**
   * The consistency proof between trees of `from` and `to` leaves.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    const path = `/v1/log/proof/consistency?from=${from}&to=${to}`;
    const body = (await this.#http.request('GET', path)).body;
    const answer = decodeAnswer(consistencyProofSchema, body, 'consistency');
    return answer.proof.map((hash) => answerBytes(hash, 'consistency.proof'));
  }

  /**
   * The leaves [start, end) as CIDs (at most 1000).
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async leaves(start: number, end: number): Promise<{ index: number; cid: string }[]> {
    const body = (await this.#http.request('GET', `/v1/log/leaves?start=${start}&end=${end}`)).body;
    return decodeAnswer(leavesSchema, body, 'leaves').leaves.map(({ index, cid }) => ({
      index,
      cid,
    }));
  }

  /**
   * A batch file's bytes by CID (checked against the CID by the caller).
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED
   */
  async batch(cid: string): Promise<Uint8Array> {
    const answer = await this.#http.request('GET', `/v1/log/batches/${encodeURIComponent(cid)}`, {
      accept: 'bytes',
    });
    if (!(answer.body instanceof Uint8Array)) throw new TypeError('expected the answer as bytes');
    return answer.body;
  }
}

/** The body of an answer read as text. */
function textOf(answer: RelayAnswer): string {
  if (typeof answer.body !== 'string') throw new TypeError('expected the answer as text');
  return answer.body;
}
