/**
 * A small typed client of the relay API (docs/spec/relay-api.md) over real HTTP and WebSocket,
 * for the end-to-end tests, on core's wire module: one table of what the concept files under
 * relay-api/ offer (HTTP calls, login, envelopes and topics, error bodies, the WebSocket client).
 */
export { proofFields, unsafeStandInProof } from './stand-in-writer.js';
export {
  bodyOf,
  call,
  describeAnswer,
  newIdentity,
  randomBytes,
  randomTopic,
  sleep,
  suite,
  wireBodyOf,
  type Answer,
  type CallOptions,
} from './relay-api/http.js';
export {
  login,
  newSession,
  requestChallenge,
  requestSession,
  signChallenge,
  tryLogin,
  type Challenge,
  type LoginTamper,
  type Session,
  type SessionRequest,
} from './relay-api/login.js';
export {
  ack,
  fetchAll,
  fetchEnvelopes,
  makeEnvelope,
  postEnvelope,
  publish,
  publishFrame,
  topicPath,
  type EnvelopePage,
  type PostForm,
  type Receipt,
  type StoredEnvelope,
} from './relay-api/topics.js';
export { errorCode, errorShapeProblem, type ErrorBody } from './relay-api/error-shape.js';
export {
  WsClient,
  bytesText,
  frameOf,
  topicText,
  type CloseInfo,
  type EnvelopeFrame,
  type Frame,
} from './relay-api/ws-client.js';
