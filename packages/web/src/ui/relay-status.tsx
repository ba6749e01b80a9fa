/** The relay's reachability, shown as a small badge and, when something is wrong, a banner. */
import { useEffect, useState } from 'preact/hooks';
import type { Connection, RelayState } from '../session/connection.js';

/** Follows a connection's state. */
export function useRelayState(connection: Connection): RelayState {
  const [state, setState] = useState(connection.state);
  useEffect(() => {
    setState(connection.state);
    return connection.subscribe(setState);
  }, [connection]);
  return state;
}

const BADGE: Readonly<Record<RelayState['kind'], string>> = {
  connecting: 'Connecting…',
  online: 'Online',
  offline: 'Offline',
  refused: 'Refused',
};

/** A compact indicator for the top bar. */
export function RelayBadge(props: { state: RelayState }) {
  return (
    <span class="relay-badge" data-relay={props.state.kind}>
      <span class="dot" aria-hidden="true" />
      <span class="visually-hidden">Relay: </span>
      {BADGE[props.state.kind]}
    </span>
  );
}

/** A plain-words banner when the relay is unreachable or refused this account. */
export function RelayBanner(props: { state: RelayState }) {
  const { state } = props;
  // The live region stays in the page so that changes are announced.
  return (
    <div class="relay-banner-region" role="status" aria-live="polite">
      {(state.kind === 'offline' || state.kind === 'refused') && (
        <p class="relay-banner" data-relay={state.kind}>
          {state.reason}
        </p>
      )}
    </div>
  );
}
