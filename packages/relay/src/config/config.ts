/**
 * Relay configuration: defaults, then a config file (TOML or JSON), then environment variables
 * (PARLEY_*), then command-line flags; every value validated with an error naming its key.
 * Pure: the caller passes the file's text, the environment and the arguments.
 */
import { fileURLToPath } from 'node:url';
import { checkEd25519PublicKey, fromBase64Url, toBase64Url } from '@parley/core';
import { parse as parseToml } from 'smol-toml';
import { RelayError } from '../errors.js';

/** The web app built in this checkout (packages/web/dist), from src/ or dist/ alike. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Who may hold a session. */
export type AllowlistMode = 'open' | 'list' | 'invite';

/** A witness asked to cosign this relay's checkpoints (C2SP tlog-witness). */
export interface WitnessConfig {
  /** Base URL; the relay POSTs to `{url}/v1/witness/add-checkpoint`. */
  readonly url: string;
  /** The witness's key name in its cosignature lines (for a Parley relay: its log origin). */
  readonly name: string;
  /** The witness's Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
}

/** A log this relay cosigns for, as a witness. */
export interface WitnessedLogConfig {
  /** The log's origin, also the key name of its checkpoint signatures. */
  readonly origin: string;
  /** The log's Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
}

/** The relay's complete, validated configuration. */
export interface RelayConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** The web app's files, served at `/` (docs/web.md). */
  readonly web: { readonly dir: string };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly allowlist: { readonly mode: AllowlistMode; readonly file: string | undefined };
  readonly auth: { readonly sessionTtlSeconds: number; readonly challengeTtlSeconds: number };
  readonly limits: {
    readonly maxEnvelopeBytes: number;
    readonly maxBodyBytes: number;
    readonly publishPerSecond: number;
    readonly publishBurst: number;
    readonly claimsPerMinute: number;
    readonly cursorsPerMinute: number;
    readonly maxConnections: number;
    readonly maxSubscriptionsPerConnection: number;
    readonly maxPageSize: number;
    readonly maxPageBytes: number;
    readonly keyPackagesPerPairPerHour: number;
    readonly keyPackagesPerTargetPerHour: number;
    readonly authPerMinutePerAddress: number;
    readonly maxUnauthenticatedConnections: number;
    readonly maxUnauthenticatedPerAddress: number;
    readonly authTimeoutMs: number;
    readonly maxBufferedBytesPerSocket: number;
    readonly maxBufferedBytesTotal: number;
    readonly maxInboxBytesPerSender: number;
  };
  readonly retention: {
    readonly maxAgeSeconds: number;
    readonly maxBytesPerTopic: number;
    readonly sweepIntervalSeconds: number;
  };
  readonly log: {
    /** The checkpoint origin and key name; undefined: `parley-relay/<relay id>`. */
    readonly origin: string | undefined;
    readonly batchIntervalMs: number;
    readonly batchMaxLeaves: number;
    readonly witnesses: readonly WitnessConfig[];
    readonly witnessTimeoutMs: number;
  };
  readonly witness: { readonly logs: readonly WitnessedLogConfig[] };
}

type Kind = 'string' | 'uint' | 'level' | 'mode' | 'key-name' | 'witnesses' | 'witnessed-logs';

/** One setting: where it lives in the file, its flag and env names, kind, range and default. */
interface Setting {
  readonly path: readonly [string] | readonly [string, string];
  readonly kind: Kind;
  readonly min?: number;
  readonly max?: number;
  readonly fallback: string | number | readonly never[] | undefined;
  readonly doc: string;
}

/** Every setting, documented (docs/operators.md is generated from the same table by hand). */
export const SETTINGS: Readonly<Record<string, Setting>> = {
  host: { path: ['host'], kind: 'string', fallback: '127.0.0.1', doc: 'address to listen on' },
  port: {
    path: ['port'],
    kind: 'uint',
    max: 65535,
    fallback: 8787,
    doc: 'TCP port (0 = any free port)',
  },
  'data-dir': {
    path: ['dataDir'],
    kind: 'string',
    fallback: './data',
    doc: 'directory for the database and the relay key',
  },
  'web-dir': {
    path: ['web', 'dir'],
    kind: 'string',
    fallback: DEFAULT_WEB_DIR,
    doc: 'the built web app served at / (default: packages/web/dist of this checkout)',
  },
  'log-level': {
    path: ['logLevel'],
    kind: 'level',
    fallback: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent',
  },
  'allowlist-mode': {
    path: ['allowlist', 'mode'],
    kind: 'mode',
    fallback: 'open',
    doc: 'open, list or invite',
  },
  'allowlist-file': {
    path: ['allowlist', 'file'],
    kind: 'string',
    fallback: undefined,
    doc: 'file of account ids, one per line (mode list); reloaded when it changes',
  },
  'session-ttl-seconds': {
    path: ['auth', 'sessionTtlSeconds'],
    kind: 'uint',
    min: 1,
    max: 30 * 86400,
    fallback: 6 * 3600,
    doc: 'session lifetime',
  },
  'challenge-ttl-seconds': {
    path: ['auth', 'challengeTtlSeconds'],
    kind: 'uint',
    min: 1,
    max: 600,
    fallback: 60,
    doc: 'login challenge lifetime',
  },
  'max-envelope-bytes': {
    path: ['limits', 'maxEnvelopeBytes'],
    kind: 'uint',
    min: 256,
    max: 16 * 1024 * 1024,
    fallback: 256 * 1024,
    doc: 'largest envelope accepted',
  },
  'max-body-bytes': {
    path: ['limits', 'maxBodyBytes'],
    kind: 'uint',
    min: 1024,
    max: 64 * 1024 * 1024,
    fallback: 512 * 1024,
    doc: 'largest HTTP body or WebSocket frame',
  },
  'publish-per-second': {
    path: ['limits', 'publishPerSecond'],
    kind: 'uint',
    min: 1,
    max: 1_000_000,
    fallback: 200,
    doc: 'sustained envelopes per second per account',
  },
  'publish-burst': {
    path: ['limits', 'publishBurst'],
    kind: 'uint',
    min: 1,
    max: 1_000_000,
    fallback: 1000,
    doc: 'burst of envelopes per account',
  },
  'claims-per-minute': {
    path: ['limits', 'claimsPerMinute'],
    kind: 'uint',
    min: 1,
    max: 100_000,
    fallback: 120,
    doc: 'KeyPackage claims per minute per claiming account',
  },
  'cursors-per-minute': {
    path: ['limits', 'cursorsPerMinute'],
    kind: 'uint',
    min: 1,
    max: 100_000,
    fallback: 120,
    doc: 'new topic cursors (first acknowledgements) per minute per account',
  },
  'max-connections': {
    path: ['limits', 'maxConnections'],
    kind: 'uint',
    min: 1,
    max: 1_000_000,
    fallback: 10_000,
    doc: 'open WebSocket connections',
  },
  'max-subscriptions-per-connection': {
    path: ['limits', 'maxSubscriptionsPerConnection'],
    kind: 'uint',
    min: 1,
    max: 100_000,
    fallback: 1000,
    doc: 'topics one connection may subscribe to',
  },
  'max-page-size': {
    path: ['limits', 'maxPageSize'],
    kind: 'uint',
    min: 1,
    max: 10_000,
    fallback: 500,
    doc: 'most envelopes per GET page',
  },
  'max-page-bytes': {
    path: ['limits', 'maxPageBytes'],
    kind: 'uint',
    min: 1024,
    max: 64 * 1024 * 1024,
    fallback: 1024 * 1024,
    doc: 'most envelope bytes per GET page or WebSocket catch-up page (at least one envelope)',
  },
  'key-packages-per-pair-per-hour': {
    path: ['limits', 'keyPackagesPerPairPerHour'],
    kind: 'uint',
    min: 1,
    max: 100_000,
    fallback: 6,
    doc: 'one-time KeyPackages one account may take of another per hour (then the last resort)',
  },
  'key-packages-per-target-per-hour': {
    path: ['limits', 'keyPackagesPerTargetPerHour'],
    kind: 'uint',
    min: 1,
    max: 100_000,
    fallback: 30,
    doc: 'one-time KeyPackages of one account handed out per hour (then the last resort)',
  },
  'auth-per-minute-per-address': {
    path: ['limits', 'authPerMinutePerAddress'],
    kind: 'uint',
    min: 1,
    max: 1_000_000,
    fallback: 120,
    doc: 'login challenges and session requests per minute per client address',
  },
  'max-unauthenticated-connections': {
    path: ['limits', 'maxUnauthenticatedConnections'],
    kind: 'uint',
    min: 1,
    max: 1_000_000,
    fallback: 1000,
    doc: 'WebSocket connections not yet authenticated, in total (the rest of max-connections is kept for authenticated ones)',
  },
  'max-unauthenticated-per-address': {
    path: ['limits', 'maxUnauthenticatedPerAddress'],
    kind: 'uint',
    min: 1,
    max: 1_000_000,
    fallback: 8,
    doc: 'WebSocket connections not yet authenticated, per client address',
  },
  'auth-timeout-ms': {
    path: ['limits', 'authTimeoutMs'],
    kind: 'uint',
    min: 100,
    max: 60_000,
    fallback: 3000,
    doc: 'a WebSocket must authenticate within this long',
  },
  'max-buffered-bytes-per-socket': {
    path: ['limits', 'maxBufferedBytesPerSocket'],
    kind: 'uint',
    min: 64 * 1024,
    max: 2 ** 32,
    fallback: 8 * 1024 * 1024,
    doc: 'unsent bytes one WebSocket may hold before it is cut off (4408)',
  },
  'max-buffered-bytes-total': {
    path: ['limits', 'maxBufferedBytesTotal'],
    kind: 'uint',
    min: 64 * 1024,
    max: 2 ** 40,
    fallback: 256 * 1024 * 1024,
    doc: 'unsent WebSocket bytes in total; beyond it the slowest consumer is cut off (4408)',
  },
  'max-inbox-bytes-per-sender': {
    path: ['limits', 'maxInboxBytesPerSender'],
    kind: 'uint',
    min: 1024,
    max: 2 ** 40,
    fallback: 4 * 1024 * 1024,
    doc: 'unacknowledged bytes one sending account may hold in one inbox',
  },
  'retention-max-age-seconds': {
    path: ['retention', 'maxAgeSeconds'],
    kind: 'uint',
    min: 1,
    max: 10 * 365 * 86400,
    fallback: 30 * 86400,
    doc: 'envelopes older than this are removed',
  },
  'retention-max-bytes-per-topic': {
    path: ['retention', 'maxBytesPerTopic'],
    kind: 'uint',
    min: 1024,
    max: 2 ** 40,
    fallback: 64 * 1024 * 1024,
    doc: 'acknowledged envelopes beyond this are evicted',
  },
  'retention-sweep-interval-seconds': {
    path: ['retention', 'sweepIntervalSeconds'],
    kind: 'uint',
    min: 1,
    max: 86400,
    fallback: 60,
    doc: 'how often retention runs',
  },
  'log-origin': {
    path: ['log', 'origin'],
    kind: 'key-name',
    fallback: undefined,
    doc: 'checkpoint origin and key name (default parley-relay/<relay id>)',
  },
  'log-batch-interval-ms': {
    path: ['log', 'batchIntervalMs'],
    kind: 'uint',
    min: 10,
    max: 3_600_000,
    fallback: 1000,
    doc: 'a checkpoint is signed at most this long after a new leaf',
  },
  'log-batch-max-leaves': {
    path: ['log', 'batchMaxLeaves'],
    kind: 'uint',
    min: 1,
    max: 65_536,
    fallback: 1024,
    doc: 'a checkpoint is signed as soon as this many new leaves wait',
  },
  'log-witnesses': {
    path: ['log', 'witnesses'],
    kind: 'witnesses',
    fallback: [],
    doc: 'witnesses asked to cosign checkpoints: [{ url, name, publicKey }] (JSON in env/flags)',
  },
  'log-witness-timeout-ms': {
    path: ['log', 'witnessTimeoutMs'],
    kind: 'uint',
    min: 100,
    max: 60_000,
    fallback: 3000,
    doc: 'how long a witness may take to cosign',
  },
  'witness-logs': {
    path: ['witness', 'logs'],
    kind: 'witnessed-logs',
    fallback: [],
    doc: 'logs this relay cosigns for: [{ origin, publicKey }] (JSON in env/flags)',
  },
};

/** Inputs to `loadConfig`: the config file (if any), environment and flags. */
export interface ConfigSources {
  readonly file?: { readonly name: string; readonly text: string } | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: Readonly<Record<string, string>>;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MODES = ['open', 'list', 'invite'];

/** Environment variable of a setting: PARLEY_ + upper snake case (PARLEY_DATA_DIR). */
export function envName(key: string): string {
  return `PARLEY_${key.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Builds and validates the configuration.
 * @throws RelayError RELAY_CONFIG_INVALID naming the file, variable or flag at fault
 */
export function loadConfig(sources: ConfigSources): RelayConfig {
  const fileValues =
    sources.file === undefined ? {} : parseFile(sources.file.name, sources.file.text);
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS)) {
    let value: unknown = setting.fallback;
    let origin = 'default';
    const fromFile = lookup(fileValues, setting.path);
    if (fromFile !== undefined) {
      value = fromFile;
      origin = `${sources.file?.name ?? 'config'}: ${setting.path.join('.')}`;
    }
    const fromEnv = sources.env?.[envName(key)];
    if (fromEnv !== undefined && fromEnv !== '') {
      value = fromEnv;
      origin = `environment ${envName(key)}`;
    }
    const fromFlag = sources.flags?.[key];
    if (fromFlag !== undefined) {
      value = fromFlag;
      origin = `flag --${key}`;
    }
    values[key] = value === undefined ? undefined : check(key, setting, value, origin);
  }
  for (const key of Object.keys(sources.flags ?? {})) {
    if (!(key in SETTINGS)) invalid(`unknown flag --${key}`);
  }
  checkUnknownFileKeys(fileValues, sources.file?.name ?? 'config');
  const get = (key: string) => values[key] as never;
  const config: RelayConfig = {
    host: get('host'),
    port: get('port'),
    dataDir: get('data-dir'),
    web: { dir: get('web-dir') },
    logLevel: get('log-level'),
    allowlist: { mode: get('allowlist-mode'), file: get('allowlist-file') },
    auth: {
      sessionTtlSeconds: get('session-ttl-seconds'),
      challengeTtlSeconds: get('challenge-ttl-seconds'),
    },
    limits: {
      maxEnvelopeBytes: get('max-envelope-bytes'),
      maxBodyBytes: get('max-body-bytes'),
      publishPerSecond: get('publish-per-second'),
      publishBurst: get('publish-burst'),
      claimsPerMinute: get('claims-per-minute'),
      cursorsPerMinute: get('cursors-per-minute'),
      maxConnections: get('max-connections'),
      maxSubscriptionsPerConnection: get('max-subscriptions-per-connection'),
      maxPageSize: get('max-page-size'),
      maxPageBytes: get('max-page-bytes'),
      keyPackagesPerPairPerHour: get('key-packages-per-pair-per-hour'),
      keyPackagesPerTargetPerHour: get('key-packages-per-target-per-hour'),
      authPerMinutePerAddress: get('auth-per-minute-per-address'),
      maxUnauthenticatedConnections: get('max-unauthenticated-connections'),
      maxUnauthenticatedPerAddress: get('max-unauthenticated-per-address'),
      authTimeoutMs: get('auth-timeout-ms'),
      maxBufferedBytesPerSocket: get('max-buffered-bytes-per-socket'),
      maxBufferedBytesTotal: get('max-buffered-bytes-total'),
      maxInboxBytesPerSender: get('max-inbox-bytes-per-sender'),
    },
    retention: {
      maxAgeSeconds: get('retention-max-age-seconds'),
      maxBytesPerTopic: get('retention-max-bytes-per-topic'),
      sweepIntervalSeconds: get('retention-sweep-interval-seconds'),
    },
    log: {
      origin: get('log-origin'),
      batchIntervalMs: get('log-batch-interval-ms'),
      batchMaxLeaves: get('log-batch-max-leaves'),
      witnesses: get('log-witnesses'),
      witnessTimeoutMs: get('log-witness-timeout-ms'),
    },
    witness: { logs: get('witness-logs') },
  };
  if (config.allowlist.mode === 'list' && config.allowlist.file === undefined) {
    invalid(
      'allowlist mode "list" needs allowlist file (--allowlist-file, PARLEY_ALLOWLIST_FILE or [allowlist] file)',
    );
  }
  // An envelope travels base64url-encoded in JSON bodies: 4/3 of its size plus a little.
  if (config.limits.maxBodyBytes < Math.ceil((config.limits.maxEnvelopeBytes * 4) / 3) + 64) {
    invalid('max-body-bytes must hold a base64url-encoded envelope of max-envelope-bytes');
  }
  if (config.retention.maxBytesPerTopic < config.limits.maxEnvelopeBytes) {
    invalid('retention-max-bytes-per-topic must be at least max-envelope-bytes');
  }
  return config;
}

function parseFile(name: string, text: string): Record<string, unknown> {
  try {
    const parsed: unknown = name.endsWith('.json') ? JSON.parse(text) : parseToml(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return invalid(`${name}: expected a table of settings`);
    }
    return parsed as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof RelayError) throw cause;
    return invalid(`${name}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function lookup(values: Record<string, unknown>, path: Setting['path']): unknown {
  const [first, second] = path;
  const value = values[first];
  if (second === undefined) return value;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return invalid(`[${first}] must be a table`);
  return (value as Record<string, unknown>)[second];
}

function checkUnknownFileKeys(values: Record<string, unknown>, name: string): void {
  const known = new Map<string, Set<string>>();
  for (const setting of Object.values(SETTINGS)) {
    const [first, second] = setting.path;
    const set = known.get(first) ?? new Set<string>();
    if (second !== undefined) set.add(second);
    known.set(first, set);
  }
  for (const [key, value] of Object.entries(values)) {
    const children = known.get(key);
    if (children === undefined) invalid(`${name}: unknown setting "${key}"`);
    if (children.size > 0 && typeof value === 'object' && value !== null) {
      for (const child of Object.keys(value)) {
        if (!children.has(child)) invalid(`${name}: unknown setting "${key}.${child}"`);
      }
    }
  }
}

function check(key: string, setting: Setting, value: unknown, origin: string): unknown {
  switch (setting.kind) {
    case 'key-name':
      if (typeof value !== 'string' || !isKeyName(value))
        invalid(`${origin}: ${key} must be non-empty, without spaces, control characters or "+"`);
      return value;
    case 'witnesses':
      return listOf(key, value, origin, ['url', 'name', 'publicKey'], (fields, at) => {
        const url = fields.url;
        if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(url))
          invalid(`${at}.url must be an http or https URL`);
        if (typeof fields.name !== 'string' || !isKeyName(fields.name))
          invalid(`${at}.name must be a key name (no spaces or "+")`);
        return {
          url: url.replace(/\/+$/, ''),
          name: fields.name,
          publicKey: publicKeyOf(fields.publicKey, `${at}.publicKey`),
        };
      });
    case 'witnessed-logs':
      return listOf(key, value, origin, ['origin', 'publicKey'], (fields, at) => {
        if (typeof fields.origin !== 'string' || !isKeyName(fields.origin))
          invalid(`${at}.origin must be a key name (no spaces or "+")`);
        return {
          origin: fields.origin,
          publicKey: publicKeyOf(fields.publicKey, `${at}.publicKey`),
        };
      });
    case 'string':
      if (typeof value !== 'string' || value.length === 0)
        invalid(`${origin}: ${key} must be a non-empty string`);
      return value;
    case 'level':
      if (typeof value !== 'string' || !LEVELS.includes(value))
        invalid(`${origin}: ${key} must be one of ${LEVELS.join(', ')}`);
      return value;
    case 'mode':
      if (typeof value !== 'string' || !MODES.includes(value))
        invalid(`${origin}: ${key} must be one of ${MODES.join(', ')}`);
      return value;
    case 'uint': {
      const number = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
      const min = setting.min ?? 0;
      const max = setting.max ?? Number.MAX_SAFE_INTEGER;
      if (
        typeof number !== 'number' ||
        !Number.isSafeInteger(number) ||
        number < min ||
        number > max
      ) {
        invalid(
          `${origin}: ${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
        );
      }
      return number;
    }
  }
}

/** C2SP signed-note key names: non-empty, no whitespace, control characters or '+'. */
function isKeyName(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return text.length > 0 && !/[\s+\u0000-\u001f\u007f]/u.test(text);
}

/** A list of tables, given as an array (file) or JSON text (environment, flag). */
function listOf<T>(
  key: string,
  value: unknown,
  origin: string,
  fieldNames: readonly string[],
  parse: (fields: Record<string, unknown>, at: string) => T,
): T[] {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      invalid(`${origin}: ${key} must be a JSON list`);
    }
  }
  if (!Array.isArray(list)) return invalid(`${origin}: ${key} must be a list`);
  return list.map((item: unknown, index) => {
    const at = `${origin}: ${key}[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      invalid(`${at} must be a table`);
    const fields = item as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((name) => !fieldNames.includes(name));
    if (unknown.length > 0) invalid(`${at} has unknown field "${unknown[0] ?? ''}"`);
    return parse(fields, at);
  });
}

function publicKeyOf(value: unknown, at: string): Uint8Array {
  if (typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value)) {
    const bytes = fromBase64Url(value);
    if (bytes.length === 32 && toBase64Url(bytes) === value) {
      // A small-order or non-canonical key verifies forged signatures: refuse it at load.
      try {
        checkEd25519PublicKey(bytes);
      } catch {
        return invalid(`${at} is a weak or non-canonical Ed25519 key`);
      }
      return bytes;
    }
  }
  return invalid(`${at} must be a 32-byte Ed25519 key in base64url`);
}

function invalid(detail: string): never {
  throw new RelayError('RELAY_CONFIG_INVALID', `(${detail})`);
}
