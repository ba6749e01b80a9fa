/** The ts-mls KeyPackage inside core's KeyPackage bytes, for tests that call ts-mls directly. */
import type { KeyPackage } from 'ts-mls';
import { decodeMls } from '../../src/mls/mls-header.js';

/**
 * Decodes a KeyPackage MLSMessage (a `GeneratedKeyPackage`'s `bytes`, a forged one's).
 * @throws Error if the bytes are another kind of MLSMessage; CoreError CORE_SCHEMA_INVALID if
 *   they are not one MLSMessage
 */
export function keyPackageOf(bytes: Uint8Array): KeyPackage {
  const message = decodeMls(bytes);
  if (message.wireformat !== 'mls_key_package') throw new Error('expected a KeyPackage');
  return message.keyPackage;
}
