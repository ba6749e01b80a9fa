/** Node-only parts of the SDK: the SQLite store. */
export { openSqliteClientStore } from './sqlite-client-store.js';
