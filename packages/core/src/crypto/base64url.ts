/** Base64url without padding (RFC 4648 §5), as WebCrypto's JWKs use, via the multiformats codec. */
import { base64url } from 'multiformats/bases/base64';

/** Decodes unpadded base64url. Throws TypeError on invalid input. */
export function fromBase64Url(text: string): Uint8Array {
  try {
    return base64url.baseDecode(text);
  } catch (cause) {
    throw new TypeError('invalid base64url', { cause });
  }
}

/** Encodes bytes as unpadded base64url. */
export function toBase64Url(bytes: Uint8Array): string {
  return base64url.baseEncode(bytes);
}
