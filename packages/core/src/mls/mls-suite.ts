/**
 * The MLS ciphersuite Parley uses (RFC 9420 §17.1, suite 1: X25519, AES-128-GCM, SHA-256,
 * Ed25519) through ts-mls (docs/adr/0008-mls-library.md), and the client configuration with
 * Parley's authentication service.
 */
import {
  defaultKeyPackageEqualityConfig,
  defaultKeyRetentionConfig,
  defaultLifetimeConfig,
  defaultPaddingConfig,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  type AuthenticationService,
  type CiphersuiteImpl,
  type ClientConfig,
} from 'ts-mls';
import { isAcceptableEd25519Input } from '../crypto/ed25519-policy.js';

/** RFC 9420 name of ciphersuite 1. */
export const MLS_CIPHERSUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

/**
 * Loads the ts-mls implementation of ciphersuite 1, with Parley's Ed25519 policy in front of its
 * signature verification (ed25519-policy.ts): a small-order or non-canonical leaf signature key or
 * R, or S ≥ L, never verifies, whichever implementation (WebCrypto or noble, ZIP-215) ts-mls uses.
 */
export async function loadMlsCipherSuite(): Promise<CiphersuiteImpl> {
  const impl = await getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHERSUITE));
  const inner = impl.signature;
  return {
    ...impl,
    signature: {
      sign: (signKey, message) => inner.sign(signKey, message),
      keygen: () => inner.keygen(),
      verify: async (publicKey, message, signature) =>
        isAcceptableEd25519Input(publicKey, signature) &&
        (await inner.verify(publicKey, message, signature)),
    },
  };
}

/** ts-mls client configuration with Parley's authentication service instead of accept-all. */
export function mlsClientConfig(authService: AuthenticationService): ClientConfig {
  return {
    keyRetentionConfig: defaultKeyRetentionConfig,
    lifetimeConfig: defaultLifetimeConfig,
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: defaultPaddingConfig,
    authService,
  };
}

/**
 * What every MLS operation of a member needs (group.ts, key-package.ts): the ciphersuite and the
 * client configuration with Parley's authentication service. Callers pass it around unopened.
 */
export interface MlsContext {
  readonly cipherSuite: CiphersuiteImpl;
  readonly config: ClientConfig;
}

/**
 * Loads ciphersuite 1 (`loadMlsCipherSuite`) and configures it with `authService` (Parley's:
 * `createAuthenticationService(devicesOf)`).
 */
export async function createMlsContext(authService: AuthenticationService): Promise<MlsContext> {
  return { cipherSuite: await loadMlsCipherSuite(), config: mlsClientConfig(authService) };
}
