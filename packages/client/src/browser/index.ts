/** The browser side of the SDK: the IndexedDB ClientStore (`@parley/client/browser`). */
export { openIndexedDbClientStore, type IndexedDbEnvironment } from './indexeddb-store.js';
