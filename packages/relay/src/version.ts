/** The relay's version, announced in GET /v1/info (kept equal to package.json by a test). */
export const RELAY_VERSION = '0.1.0';
