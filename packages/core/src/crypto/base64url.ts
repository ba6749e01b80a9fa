/**
 * Base64url without padding (RFC 4648 §5), as WebCrypto's JWKs and the relay's JSON bodies use.
 * Encoding writes ASCII bytes into one buffer and decodes it once (no per-character string
 * concatenation, no Node Buffer, so it runs the same in browsers); decoding is multiformats'.
 */
import { base64url } from 'multiformats/bases/base64';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const CODES = Uint8Array.from(ALPHABET, (char) => char.charCodeAt(0));
const ascii = new TextDecoder();

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
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil((length * 4) / 3));
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = CODES[n >>> 18] as number;
    out[o++] = CODES[(n >>> 12) & 63] as number;
    out[o++] = CODES[(n >>> 6) & 63] as number;
    out[o++] = CODES[n & 63] as number;
  }
  if (length - i === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out[o++] = CODES[n >>> 18] as number;
    out[o++] = CODES[(n >>> 12) & 63] as number;
    out[o++] = CODES[(n >>> 6) & 63] as number;
  } else if (length - i === 1) {
    const n = (bytes[i] as number) << 16;
    out[o++] = CODES[n >>> 18] as number;
    out[o++] = CODES[(n >>> 12) & 63] as number;
  }
  return ascii.decode(out.subarray(0, o));
}
