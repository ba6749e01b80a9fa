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

/** RFC 9420 name of ciphersuite 1. */
export const MLS_CIPHERSUITE = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519';

/** Loads the ts-mls implementation of ciphersuite 1. */
export function loadMlsCipherSuite(): Promise<CiphersuiteImpl> {
  return getCiphersuiteImpl(getCiphersuiteFromName(MLS_CIPHERSUITE));
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
