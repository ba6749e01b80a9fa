/** Subscribing components to the SDK's events for as long as they are mounted. */
import type { Client, ClientEvents } from '@parley/client';
import { useEffect, useRef } from 'preact/hooks';

/** Calls the latest `handler` for every `event` of `client` while mounted. */
export function useClientEvent<K extends keyof ClientEvents>(
  client: Client,
  event: K,
  handler: (payload: ClientEvents[K]) => void,
): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(
    () =>
      client.on(event, (payload) => {
        latest.current(payload);
      }),
    [client, event],
  );
}

/**
 * Runs `load` now and again after any of `events` that `concerns` its chat, at most one run at a
 * time (events during a run cause one more run after it). Returns the function that asks for a run.
 */
export function useReloadOn(
  client: Client,
  events: readonly (keyof ClientEvents)[],
  load: () => Promise<void>,
  deps: readonly unknown[],
  concerns: (chatId: string | undefined) => boolean = () => true,
): () => void {
  const latestConcerns = useRef(concerns);
  latestConcerns.current = concerns;
  const latest = useRef(load);
  latest.current = load;
  const state = useRef({ running: false, again: false, mounted: true });
  const request = useRef(() => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    // Read through a function: the flag changes while `load` awaits.
    const again = (): boolean => s.again && s.mounted;
    void (async () => {
      do {
        s.again = false;
        await latest.current().catch(() => undefined);
      } while (again());
      s.running = false;
    })();
  });
  useEffect(() => {
    state.current.mounted = true;
    request.current();
    const offs = events.map((event) =>
      client.on(event, (payload) => {
        const chatId = 'chatId' in payload ? payload.chatId : undefined;
        if (latestConcerns.current(chatId)) request.current();
      }),
    );
    return () => {
      state.current.mounted = false;
      for (const off of offs) off();
    };
  }, [client, ...deps]);
  return request.current;
}
