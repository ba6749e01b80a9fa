/** Relay configuration: defaults, file < environment < flags, and every way a value is refused. */
import { toBase64Url } from '@parley/core';
import { describe, expect, it } from 'vitest';
import { isRelayError, type RelayError } from '../errors.js';
import { DEFAULT_WEB_DIR, SETTINGS, envName, loadConfig, type ConfigSources } from './config.js';
import { WEAK_ED25519_KEYS } from '@parley/test-support/weak-ed25519';

/** Runs loadConfig and returns the RELAY_CONFIG_INVALID error it must throw. */
function configError(sources: ConfigSources): RelayError {
  try {
    loadConfig(sources);
  } catch (error) {
    if (isRelayError(error, 'RELAY_CONFIG_INVALID')) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw RELAY_CONFIG_INVALID');
}

const toml = (text: string) => ({ name: 'relay.toml', text });
const keyA = new Uint8Array(32).fill(0xaa);
const keyB = new Uint8Array(32).fill(0xbb);
const KEY_A = toBase64Url(keyA);
const KEY_B = toBase64Url(keyB);
const json = (value: unknown) => ({ name: 'relay.json', text: JSON.stringify(value) });

// Lets any uint setting reach both ends of its range without tripping the body/envelope check.
const ROOMY = { 'max-envelope-bytes': '256', 'max-body-bytes': String(64 * 1024 * 1024) };

describe('loadConfig defaults', () => {
  it('gives the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8787,
      dataDir: './data',
      web: { dir: DEFAULT_WEB_DIR },
      logLevel: 'info',
      allowlist: { mode: 'open', file: undefined },
      auth: { sessionTtlSeconds: 6 * 3600, challengeTtlSeconds: 60 },
      limits: {
        maxEnvelopeBytes: 256 * 1024,
        maxBodyBytes: 512 * 1024,
        publishPerSecond: 200,
        publishBurst: 1000,
        claimsPerMinute: 120,
        cursorsPerMinute: 120,
        maxConnections: 10_000,
        maxSubscriptionsPerConnection: 1000,
        maxPageSize: 500,
        maxPageBytes: 1024 * 1024,
        keyPackagesPerPairPerHour: 6,
        keyPackagesPerTargetPerHour: 30,
        authPerMinutePerAddress: 120,
        maxUnauthenticatedConnections: 1000,
        maxUnauthenticatedPerAddress: 8,
        authTimeoutMs: 3000,
        maxBufferedBytesPerSocket: 8 * 1024 * 1024,
        maxBufferedBytesTotal: 256 * 1024 * 1024,
        maxInboxBytesPerSender: 4 * 1024 * 1024,
      },
      retention: {
        maxAgeSeconds: 30 * 86400,
        maxBytesPerTopic: 64 * 1024 * 1024,
        sweepIntervalSeconds: 60,
      },
      log: {
        origin: undefined,
        batchIntervalMs: 1000,
        batchMaxLeaves: 1024,
        witnesses: [],
        witnessTimeoutMs: 3000,
      },
      witness: { logs: [] },
    });
  });

  it('serves the web app built in this checkout by default', () => {
    expect(DEFAULT_WEB_DIR.replaceAll('\\', '/')).toMatch(/\/packages\/web\/dist\/?$/);
  });

  it('gives the same defaults for empty sources as for none', () => {
    expect(loadConfig({ env: {}, flags: {}, file: toml('') })).toEqual(loadConfig({}));
  });

  it('names environment variables PARLEY_ plus the upper snake case key', () => {
    expect(envName('data-dir')).toBe('PARLEY_DATA_DIR');
    expect(envName('max-subscriptions-per-connection')).toBe(
      'PARLEY_MAX_SUBSCRIPTIONS_PER_CONNECTION',
    );
  });
});

describe('loadConfig precedence: file < environment < flags', () => {
  const file = toml('port = 1000\nhost = "10.0.0.1"\n');
  const env = { PARLEY_PORT: '2000' };
  const flags = { port: '3000' };

  it('takes a value from the file over the default', () => {
    const config = loadConfig({ file });
    expect(config.port).toBe(1000);
    expect(config.host).toBe('10.0.0.1');
  });

  it('takes the environment over the file', () => {
    const config = loadConfig({ file, env });
    expect(config.port).toBe(2000);
    expect(config.host).toBe('10.0.0.1');
  });

  it('takes a flag over the environment and the file', () => {
    expect(loadConfig({ file, env, flags }).port).toBe(3000);
    expect(loadConfig({ file, flags }).port).toBe(3000);
  });

  it('ignores an empty environment variable, keeping the file value', () => {
    expect(loadConfig({ file, env: { PARLEY_PORT: '' } }).port).toBe(1000);
  });

  it('ignores environment variables that are not PARLEY_ settings', () => {
    expect(loadConfig({ env: { PORT: '1', PARLEY_NOT_A_SETTING: 'x' } })).toEqual(loadConfig({}));
  });

  it('reports a bad value from the source that won, not from the one it overrode', () => {
    // The file's value is bad but the flag replaces it, so nothing is wrong.
    expect(loadConfig({ file: toml('port = 99999'), flags: { port: '80' } }).port).toBe(80);
    const error = configError({ file: toml('port = 80'), env: { PARLEY_PORT: '99999' } });
    expect(error.message).toContain('environment PARLEY_PORT');
    expect(error.message).not.toContain('relay.toml');
  });
});

describe('loadConfig files', () => {
  it('reads every section of a TOML file', () => {
    const config = loadConfig({
      file: toml(`
host = "0.0.0.0"
port = 9000
dataDir = "/var/lib/parley"
logLevel = "warn"

[web]
dir = "/srv/parley/web"

[allowlist]
mode = "list"
file = "/etc/parley/accounts"

[auth]
sessionTtlSeconds = 3600
challengeTtlSeconds = 30

[limits]
maxEnvelopeBytes = 1024
maxBodyBytes = 4096
publishPerSecond = 5
publishBurst = 10
claimsPerMinute = 6
maxConnections = 7
maxSubscriptionsPerConnection = 8
maxPageSize = 9
maxPageBytes = 10240
keyPackagesPerPairPerHour = 11
keyPackagesPerTargetPerHour = 12
authPerMinutePerAddress = 13
maxUnauthenticatedConnections = 14
maxUnauthenticatedPerAddress = 15
authTimeoutMs = 1600
maxBufferedBytesPerSocket = 170000
maxBufferedBytesTotal = 180000
maxInboxBytesPerSender = 19000

[retention]
maxAgeSeconds = 86400
maxBytesPerTopic = 2048
sweepIntervalSeconds = 5

[log]
origin = "relay.example.org/log"
batchIntervalMs = 250
batchMaxLeaves = 64
witnessTimeoutMs = 500

[[log.witnesses]]
url = "https://witness.example.org/"
name = "witness.example.org"
publicKey = "${KEY_A}"

[witness]
logs = [{ origin = "other.example/log", publicKey = "${KEY_B}" }]
`),
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      dataDir: '/var/lib/parley',
      web: { dir: '/srv/parley/web' },
      logLevel: 'warn',
      allowlist: { mode: 'list', file: '/etc/parley/accounts' },
      auth: { sessionTtlSeconds: 3600, challengeTtlSeconds: 30 },
      limits: {
        maxEnvelopeBytes: 1024,
        maxBodyBytes: 4096,
        publishPerSecond: 5,
        publishBurst: 10,
        claimsPerMinute: 6,
        cursorsPerMinute: 120,
        maxConnections: 7,
        maxSubscriptionsPerConnection: 8,
        maxPageSize: 9,
        maxPageBytes: 10240,
        keyPackagesPerPairPerHour: 11,
        keyPackagesPerTargetPerHour: 12,
        authPerMinutePerAddress: 13,
        maxUnauthenticatedConnections: 14,
        maxUnauthenticatedPerAddress: 15,
        authTimeoutMs: 1600,
        maxBufferedBytesPerSocket: 170000,
        maxBufferedBytesTotal: 180000,
        maxInboxBytesPerSender: 19000,
      },
      retention: { maxAgeSeconds: 86400, maxBytesPerTopic: 2048, sweepIntervalSeconds: 5 },
      log: {
        origin: 'relay.example.org/log',
        batchIntervalMs: 250,
        batchMaxLeaves: 64,
        // The trailing slash is dropped: the relay appends /v1/witness/add-checkpoint.
        witnesses: [
          { url: 'https://witness.example.org', name: 'witness.example.org', publicKey: keyA },
        ],
        witnessTimeoutMs: 500,
      },
      witness: { logs: [{ origin: 'other.example/log', publicKey: keyB }] },
    });
  });

  it('reads a JSON file when the name ends in .json', () => {
    const config = loadConfig({
      file: json({ port: 9001, allowlist: { mode: 'invite' }, limits: { maxPageSize: 50 } }),
    });
    expect(config.port).toBe(9001);
    expect(config.allowlist.mode).toBe('invite');
    expect(config.limits.maxPageSize).toBe(50);
    expect(config.limits.maxEnvelopeBytes).toBe(256 * 1024);
  });

  it('parses any other file name as TOML', () => {
    expect(loadConfig({ file: { name: 'relay.conf', text: 'port = 9002' } }).port).toBe(9002);
    const error = configError({ file: { name: 'relay.toml', text: '{"port": 9002}' } });
    expect(error.message).toContain('relay.toml');
  });

  it('accepts a decimal string for a number in a file, as in the environment', () => {
    expect(loadConfig({ file: json({ port: '9003' }) }).port).toBe(9003);
  });
});

describe('loadConfig refuses invalid values with RELAY_CONFIG_INVALID naming the setting', () => {
  it('refuses a non-integer from a flag, the environment and a file', () => {
    expect(configError({ flags: { port: '80.5' } }).message).toContain('flag --port');
    expect(configError({ flags: { port: 'eighty' } }).message).toContain('flag --port');
    expect(configError({ flags: { port: '-1' } }).message).toContain('flag --port');
    expect(configError({ flags: { port: ' 80' } }).message).toContain('flag --port');
    expect(configError({ env: { PARLEY_PORT: '1e3' } }).message).toContain(
      'environment PARLEY_PORT',
    );
    expect(configError({ file: toml('port = 80.5') }).message).toContain('relay.toml: port');
    expect(configError({ file: json({ port: true }) }).message).toContain('relay.json: port');
    const nested = configError({ file: json({ limits: { maxPageSize: 1.5 } }) });
    expect(nested.message).toContain('relay.json: limits.maxPageSize');
    expect(nested.message).toContain('max-page-size');
  });

  it('refuses a value out of range, naming the range and the value', () => {
    const error = configError({ flags: { port: '65536' } });
    expect(error.code).toBe('RELAY_CONFIG_INVALID');
    expect(error.message).toContain('flag --port');
    expect(error.message).toContain('from 0 to 65535');
    expect(error.message).toContain('65536');
    expect(configError({ flags: { 'session-ttl-seconds': '0' } }).message).toContain(
      'session-ttl-seconds',
    );
    expect(configError({ env: { PARLEY_MAX_PAGE_SIZE: '10001' } }).message).toContain(
      'environment PARLEY_MAX_PAGE_SIZE',
    );
    expect(configError({ file: toml('[limits]\nmaxEnvelopeBytes = 255') }).message).toContain(
      'relay.toml: limits.maxEnvelopeBytes',
    );
  });

  it('accepts both ends of every numeric setting and refuses one step beyond each', () => {
    const numeric = Object.entries(SETTINGS).filter(([, setting]) => setting.kind === 'uint');
    expect(numeric.length).toBeGreaterThan(10);
    for (const [key, setting] of numeric) {
      const min = setting.min ?? 0;
      const max = setting.max ?? Number.MAX_SAFE_INTEGER;
      for (const good of [min, max]) {
        expect(() => loadConfig({ flags: { ...ROOMY, [key]: String(good) } }), key).not.toThrow();
      }
      const beyond = [max + 1, ...(min > 0 ? [min - 1] : [])];
      for (const bad of beyond) {
        expect(configError({ flags: { ...ROOMY, [key]: String(bad) } }).message).toContain(
          `flag --${key}`,
        );
      }
    }
  });

  it('refuses an unknown flag', () => {
    expect(configError({ flags: { 'no-such-setting': '1' } }).message).toContain(
      'unknown flag --no-such-setting',
    );
  });

  it('refuses an unknown top-level key in a file', () => {
    expect(configError({ file: toml('colour = "blue"') }).message).toContain(
      'relay.toml: unknown setting "colour"',
    );
    // Flag names are not file keys: files use the camelCase paths.
    expect(configError({ file: json({ 'data-dir': '/x' }) }).message).toContain(
      'relay.json: unknown setting "data-dir"',
    );
  });

  it('refuses an unknown key inside a section', () => {
    expect(configError({ file: toml('[limits]\nmaxEnvelopBytes = 1024') }).message).toContain(
      'relay.toml: unknown setting "limits.maxEnvelopBytes"',
    );
    expect(configError({ file: json({ auth: { ttl: 1 } }) }).message).toContain(
      'relay.json: unknown setting "auth.ttl"',
    );
  });

  it('refuses a section that is not a table', () => {
    expect(configError({ file: toml('limits = 5') }).message).toContain('[limits]');
  });

  it('refuses a file whose top level is not a table', () => {
    expect(configError({ file: { name: 'relay.json', text: '[1, 2]' } }).message).toContain(
      'relay.json: expected a table of settings',
    );
  });

  it('refuses an unknown log level', () => {
    const error = configError({ flags: { 'log-level': 'verbose' } });
    expect(error.message).toContain('flag --log-level');
    expect(error.message).toContain('fatal, error, warn, info, debug, trace, silent');
    expect(configError({ file: toml('logLevel = 3') }).message).toContain('relay.toml: logLevel');
  });

  it('refuses an unknown allowlist mode', () => {
    const error = configError({ env: { PARLEY_ALLOWLIST_MODE: 'closed' } });
    expect(error.message).toContain('environment PARLEY_ALLOWLIST_MODE');
    expect(error.message).toContain('open, list, invite');
  });

  it('refuses an empty string setting given as a flag', () => {
    expect(configError({ flags: { host: '' } }).message).toContain('flag --host');
    expect(configError({ file: json({ dataDir: '' }) }).message).toContain('relay.json: dataDir');
  });

  it('refuses allowlist mode list without an allowlist file, and accepts it with one', () => {
    const error = configError({ flags: { 'allowlist-mode': 'list' } });
    expect(error.message).toContain('allowlist mode "list" needs allowlist file');
    const config = loadConfig({
      flags: { 'allowlist-mode': 'list' },
      env: { PARLEY_ALLOWLIST_FILE: '/etc/parley/accounts' },
    });
    expect(config.allowlist).toEqual({ mode: 'list', file: '/etc/parley/accounts' });
  });

  it('refuses max-body-bytes too small for a base64url envelope of max-envelope-bytes', () => {
    // 3072 bytes of envelope are 4096 characters of base64url, plus 64 bytes of JSON framing.
    const envelope = { 'max-envelope-bytes': '3072' };
    expect(loadConfig({ flags: { ...envelope, 'max-body-bytes': '4160' } }).limits).toMatchObject({
      maxEnvelopeBytes: 3072,
      maxBodyBytes: 4160,
    });
    const error = configError({ flags: { ...envelope, 'max-body-bytes': '4159' } });
    expect(error.message).toContain('max-body-bytes');
    expect(error.message).toContain('max-envelope-bytes');
    // Raising the envelope limit alone leaves the default body limit too small.
    expect(configError({ flags: { 'max-envelope-bytes': String(16 * 1024 * 1024) } }).code).toBe(
      'RELAY_CONFIG_INVALID',
    );
  });

  it('refuses malformed TOML and JSON, naming the file', () => {
    expect(configError({ file: toml('port = ') }).message).toContain('relay.toml');
    expect(configError({ file: toml('[limits\nmaxPageSize = 1') }).message).toContain('relay.toml');
    expect(configError({ file: { name: 'relay.json', text: '{"port": ' } }).message).toContain(
      'relay.json',
    );
  });
});

describe('log and witness settings', () => {
  const witness = { url: 'http://127.0.0.1:9000', name: 'w.example', publicKey: KEY_A };

  it('reads witness lists as JSON from the environment and from flags', () => {
    const fromEnv = loadConfig({ env: { PARLEY_LOG_WITNESSES: JSON.stringify([witness]) } });
    expect(fromEnv.log.witnesses).toEqual([{ ...witness, publicKey: keyA }]);
    const fromFlag = loadConfig({
      flags: { 'witness-logs': JSON.stringify([{ origin: 'a.example/log', publicKey: KEY_B }]) },
    });
    expect(fromFlag.witness.logs).toEqual([{ origin: 'a.example/log', publicKey: keyB }]);
  });

  it('refuses malformed witness lists, naming the entry and field', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'log-witnesses': '[' }, 'must be a JSON list'],
      [{ 'log-witnesses': '{}' }, 'must be a list'],
      [{ 'log-witnesses': '[1]' }, 'log-witnesses[0] must be a table'],
      [{ 'log-witnesses': JSON.stringify([{ ...witness, url: 'ftp://x' }]) }, '[0].url'],
      [{ 'log-witnesses': JSON.stringify([{ ...witness, name: 'a b' }]) }, '[0].name'],
      [{ 'log-witnesses': JSON.stringify([{ ...witness, publicKey: 'AAAA' }]) }, '[0].publicKey'],
      [{ 'log-witnesses': JSON.stringify([{ ...witness, extra: 1 }]) }, 'unknown field "extra"'],
      [{ 'witness-logs': JSON.stringify([{ origin: 'x+y', publicKey: KEY_A }]) }, '[0].origin'],
      [{ 'witness-logs': JSON.stringify([{ origin: 'x' }]) }, '[0].publicKey'],
    ];
    for (const [flags, expected] of cases) {
      expect(configError({ flags }).message).toContain(expected);
    }
  });

  it('refuses every weak or non-canonical Ed25519 key as a witness or witnessed log key', () => {
    for (const weak of WEAK_ED25519_KEYS) {
      const key = toBase64Url(weak.bytes);
      const asWitness = { 'log-witnesses': JSON.stringify([{ ...witness, publicKey: key }]) };
      const asLog = {
        'witness-logs': JSON.stringify([{ origin: 'a.example/log', publicKey: key }]),
      };
      expect(configError({ flags: asWitness }).message, weak.title).toContain('weak');
      expect(configError({ flags: asLog }).message, weak.title).toContain('weak');
    }
  });

  it('refuses a log origin that cannot be a signed-note key name', () => {
    for (const origin of ['has space', 'a+b', 'tab\there']) {
      expect(configError({ flags: { 'log-origin': origin } }).message).toContain('--log-origin');
    }
    expect(loadConfig({ env: { PARLEY_LOG_ORIGIN: 'relay.example/log' } }).log.origin).toBe(
      'relay.example/log',
    );
  });
});
