/** The public surface of @parley/client: the isomorphic SDK. Node's SQLite store is in ./node. */
export {
  Client,
  ChatDirectory,
  KEY_PACKAGE_TARGET,
  type ChatSummary,
  type ClientOptions,
} from './client.js';
export { Chat } from './chats/chat.js';
export { CLIENT_ERRORS, ClientError, isClientError, type ClientErrorCode } from './errors.js';
export type { ClientEvents } from './events.js';
export type { ClientStore, StoredMessage } from './store/client-store.js';
export type { WebSocketConstructor, WebSocketLike } from './relay/live.js';
