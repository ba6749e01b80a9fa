/**
 * Alarms from the SDK's checks, in plain words: the relay's log contradicting itself (signed
 * evidence was kept) or a chat's history with a gap, a broken link or two versions of one entry.
 */
import { useState } from 'preact/hooks';
import type { Session } from '../session/session.js';
import { useClientEvent } from './use-client-event.js';

const EVIDENCE =
  "The relay's log contradicts itself or one of its receipts. Parley kept signed evidence. Your messages are unaffected, but don't trust this relay until its operator explains.";

const HISTORY: Readonly<Record<string, string>> = {
  gap: 'Some messages of a chat are missing: the relay did not deliver them, even when asked again.',
  'broken-link': "A message in a chat doesn't follow on from its author's previous one.",
  equivocation: 'Someone sent two different versions of one message in a chat.',
  reordered: 'The relay delivered messages of a chat out of their order.',
  'invalid-entry': 'A message in a chat has a signature that does not check out; it is not shown.',
  'missing-dependency': 'A message in a chat refers to one this device never received.',
};

/** Shows the latest alarm until dismissed. */
export function ProblemBanner(props: { session: Session }) {
  const [alarm, setAlarm] = useState<string>();
  useClientEvent(props.session.client, 'evidence', () => {
    setAlarm(EVIDENCE);
  });
  useClientEvent(props.session.client, 'history-problem', (event) => {
    setAlarm(HISTORY[event.problem.kind] ?? 'A chat’s history has a problem.');
  });
  if (alarm === undefined) return null;
  return (
    <div class="problem-banner" role="alert">
      <p>{alarm}</p>
      <button
        type="button"
        onClick={() => {
          setAlarm(undefined);
        }}
      >
        Dismiss
      </button>
    </div>
  );
}
