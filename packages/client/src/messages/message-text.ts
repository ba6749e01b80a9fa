/** The words a stored message shows, for lists, logs and tests that only read text. */
import type { MessageBody } from '../store/client-store.js';

/**
 * The text of a text message or a reply (as edited); undefined for a deleted message and for
 * an unsupported content (shown as "unsupported message").
 */
export function messageText(message: Pick<MessageBody, 'content'>): string | undefined {
  const { content } = message;
  return content.type === 'text' || content.type === 'reply' ? content.text : undefined;
}
