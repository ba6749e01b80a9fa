/** Idle connections: authenticated WebSockets that send nothing, for the relay's memory per socket. */
import type WebSocket from 'ws';
import type { IdleJob } from './protocol.js';
import { forEachLimited, login, openSocket } from './session.js';

/** Opens `connections` authenticated sockets, `connectionsPerLogin` per session token. */
export async function openIdleConnections(job: IdleJob): Promise<WebSocket[]> {
  const logins = Math.ceil(job.connections / job.connectionsPerLogin);
  const tokens: string[] = [];
  await forEachLimited(Array.from({ length: logins }), 8, async () => {
    tokens.push(await login(job.relayUrl));
  });
  const sockets: WebSocket[] = [];
  await forEachLimited(Array.from({ length: job.connections }), 64, async (_, index) => {
    const token = tokens[index % tokens.length] ?? '';
    sockets.push(await openSocket(job.wsUrl, token, () => undefined));
  });
  return sockets;
}
