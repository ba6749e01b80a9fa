/** One HTTP request to a relay under test and its answer, with the tests' suite and randomness. */
import {
  checkWire,
  createCryptoSuite,
  generateIdentity,
  newSharedTopic,
  type Identity,
  type JsonSchema,
  type FromSchema,
  type Topic,
} from '@parley/core';

/** The crypto suite and randomness the tests use (Node's WebCrypto). */
export const suite = createCryptoSuite(globalThis.crypto.subtle);

/** Cryptographically random bytes. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let offset = 0; offset < length; offset += 65_536) {
    globalThis.crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65_536)));
  }
  return bytes;
}

/** A fresh identity. */
export function newIdentity(): Promise<Identity> {
  return generateIdentity(suite, randomBytes);
}

/** A fresh shared topic (0x00 then 31 random bytes: never in the inbox namespace). */
export function randomTopic(): Topic {
  return newSharedTopic(randomBytes);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An HTTP answer with its body read as text and, when it is JSON, parsed. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown;
}

/** What `call` sends. */
export interface CallOptions {
  readonly token?: string;
  /** Serialized with JSON.stringify, sent as application/json. */
  readonly json?: unknown;
  /** Sent as is, with `contentType`. */
  readonly body?: Uint8Array | string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends one request to the relay and reads the whole answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: Uint8Array<ArrayBuffer> | string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : new Uint8Array(options.body);
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Describes an answer for assertion messages. */
export function describeAnswer(answer: Answer): string {
  return `${answer.status} ${answer.text.slice(0, 500)}`;
}

/** Throws with the answer unless its status is one of `status`. */
function expectStatus(answer: Answer, status: number | readonly number[]): void {
  const expected = typeof status === 'number' ? [status] : status;
  if (!expected.includes(answer.status)) {
    throw new Error(`expected HTTP ${expected.join(' or ')}, got ${describeAnswer(answer)}`);
  }
}

/** Returns the JSON body of an answer that must have `status`; throws with the answer if not. */
// T is the caller's statement of the body's shape (the spec's), which the relay must follow.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function bodyOf<T>(answer: Answer, status: number | readonly number[]): T {
  expectStatus(answer, status);
  return answer.json as T;
}

/**
 * The JSON body of an answer that must have `status`, checked against its core wire schema;
 * throws with the answer if the status or the body is not what the spec says.
 */
export function wireBodyOf<const S extends JsonSchema>(
  answer: Answer,
  status: number | readonly number[],
  schema: S,
): FromSchema<S> {
  expectStatus(answer, status);
  const checked = checkWire(schema, answer.json, 'body');
  if (!checked.ok)
    throw new Error(`${checked.detail ?? checked.reason}: ${describeAnswer(answer)}`);
  return checked.value;
}
