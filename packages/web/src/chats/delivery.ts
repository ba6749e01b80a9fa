/**
 * Where a message stands, in the words the chat view shows: queued on this device while the relay
 * is unreachable, accepted by the relay, included in the relay's signed log, received from
 * another member, or refused for good.
 */
import type { InclusionStatus, StoredMessage } from '@parley/client';

/** A message's delivery state. */
export type DeliveryState = 'queued' | 'sent' | 'included' | 'received' | 'failed';

/** The state of `message` given what the log monitor knows of its envelope. */
export function deliveryState(
  message: StoredMessage,
  inclusion: InclusionStatus | undefined,
): DeliveryState {
  if (message.status === 'queued' || message.status === 'failed') return message.status;
  if (message.status === 'sent') return inclusion?.state === 'included' ? 'included' : 'sent';
  return 'received';
}

/** A short label and a sentence for each state. */
export const DELIVERY_WORDS: Readonly<Record<DeliveryState, { label: string; sentence: string }>> =
  {
    queued: {
      label: 'Queued',
      sentence: 'Kept on this device; it will be sent when the relay is reachable.',
    },
    sent: { label: 'Sent', sentence: 'Accepted by the relay.' },
    included: {
      label: 'In log',
      sentence: 'Accepted by the relay and included in its signed log.',
    },
    received: { label: 'Received', sentence: 'Received from another member.' },
    failed: {
      label: 'Not sent',
      sentence: 'The relay refused this message; it was not delivered.',
    },
  };
