/**
 * One HTTP request to a relay and its answer: transport failures become CLIENT_RELAY_UNREACHABLE,
 * refusals (core's error body) CLIENT_RELAY_REFUSED with the relay's code, and a successful body
 * that breaks its core wire schema CLIENT_RELAY_ANSWER_INVALID.
 */
import {
  checkWire,
  decodeCanonical,
  errorBodySchema,
  fromBase64Url,
  type FromSchema,
  type JsonSchema,
} from '@parley/core';
import { ClientError } from '../errors.js';

/** The largest binary page the client decodes (a relay's page bytes plus one large envelope). */
const MAX_PAGE_BYTES = 96 * 1024 * 1024;

/** How long to wait for the relay's answer before giving up, by default. */
const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** What one request sends and how its successful answer is read. */
export interface RelayRequest {
  readonly json?: unknown;
  readonly cbor?: Uint8Array;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Read a successful answer as JSON (the default), text or bytes; 'cbor' asks for
   * application/cbor and decodes it (JSON if the relay answers JSON).
   */
  readonly accept?: 'json' | 'text' | 'bytes' | 'cbor';
}

/** A successful answer: its status and its body, read as the request asked. */
export interface RelayAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Options of the HTTP transport. */
export interface RelayHttpOptions {
  readonly relayUrl: string;
  readonly fetch: typeof fetch;
  /** How long to wait for the relay's answer before giving up (default 20 s). */
  readonly requestTimeoutMs?: number | undefined;
}

/**
 * Checks a successful answer's body against its core wire schema.
 * @throws ClientError CLIENT_RELAY_ANSWER_INVALID naming the first field that breaks it
 */
export function decodeAnswer<const S extends JsonSchema>(
  schema: S,
  body: unknown,
  what: string,
): FromSchema<S> {
  const checked = checkWire(schema, body, what);
  if (!checked.ok)
    throw new ClientError('CLIENT_RELAY_ANSWER_INVALID', `(${checked.detail ?? checked.reason})`);
  return checked.value;
}

/**
 * The bytes of a base64url field of a checked answer.
 * @throws ClientError CLIENT_RELAY_ANSWER_INVALID if it is not base64url
 */
export function answerBytes(text: string, what: string): Uint8Array {
  try {
    return fromBase64Url(text);
  } catch (cause) {
    throw new ClientError('CLIENT_RELAY_ANSWER_INVALID', `(${what} is not base64url)`, { cause });
  }
}

/** Sends requests to one relay. */
export class RelayHttp {
  readonly #options: RelayHttpOptions;
  readonly #base: string;

  constructor(options: RelayHttpOptions) {
    this.#options = options;
    this.#base = options.relayUrl.replace(/\/+$/, '');
  }

  /**
   * Sends one request and reads its successful answer.
   * @throws ClientError CLIENT_RELAY_UNREACHABLE | CLIENT_RELAY_REFUSED | CLIENT_RELAY_ANSWER_INVALID
   */
  async request(method: string, path: string, options: RelayRequest = {}): Promise<RelayAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.cbor !== undefined) {
      headers['content-type'] = 'application/cbor';
      body = new Uint8Array(options.cbor);
    }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.accept === 'cbor') headers.accept = 'application/cbor, application/json;q=0.5';
    let response: Response;
    try {
      response = await this.#options.fetch(`${this.#base}${path}`, {
        method,
        headers,
        // A relay that accepts the connection but never answers must not hang the client.
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
        ...(body === undefined ? {} : { body }),
      });
    } catch (cause) {
      throw new ClientError('CLIENT_RELAY_UNREACHABLE', `(${this.#base})`, { cause });
    }
    if (!response.ok) throw refusalOf(response.status, await response.text());
    return { status: response.status, body: await readBody(response, options.accept ?? 'json') };
  }
}

async function readBody(
  response: Response,
  accept: NonNullable<RelayRequest['accept']>,
): Promise<unknown> {
  if (accept === 'bytes') return new Uint8Array(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  if (accept === 'cbor' && type.startsWith('application/cbor')) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    try {
      return decodeCanonical(bytes, { maxBytes: MAX_PAGE_BYTES });
    } catch (cause) {
      throw new ClientError('CLIENT_RELAY_ANSWER_INVALID', '(not canonical CBOR)', { cause });
    }
  }
  const text = await response.text();
  if (accept === 'text') return text;
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ClientError('CLIENT_RELAY_ANSWER_INVALID', `(${response.status}: not JSON)`, {
      cause,
      status: response.status,
    });
  }
}

/** The error of a refused request: the relay's code from core's error body, else HTTP_<status>. */
function refusalOf(status: number, text: string): ClientError {
  let parsed: unknown;
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (cause) {
      // Not the relay speaking (a proxy's page, say): no relay code to report.
      return new ClientError('CLIENT_RELAY_REFUSED', `(${status}: not JSON)`, { cause, status });
    }
  }
  const checked = checkWire(errorBodySchema, parsed, 'error');
  const error = checked.ok ? checked.value.error : undefined;
  const detail = `(${error?.code ?? status}: ${error?.message ?? ''})`;
  return new ClientError('CLIENT_RELAY_REFUSED', detail, {
    relayCode: error?.code ?? `HTTP_${status}`,
    status,
  });
}
