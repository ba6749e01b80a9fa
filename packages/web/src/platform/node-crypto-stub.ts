/**
 * Stands in for Node's `crypto` module in the browser bundle. @hpke/common imports it only as a
 * fallback for Node ≤ 18 when `globalThis.crypto` is missing, which never happens in a browser;
 * aliasing it here keeps the bundle free of Vite's "externalized for browser" shim.
 */
export const webcrypto: Crypto = globalThis.crypto;
