/** What a stored message shows in the app: its text, or what stands in for it. */
import type { StoredMessage } from '@parley/client';

/** The text of a text or reply; "Message deleted" or "Unsupported message" otherwise. */
export function shownText(message: Pick<StoredMessage, 'content'>): string {
  const { content } = message;
  switch (content.type) {
    case 'text':
    case 'reply':
      return content.text;
    case 'deleted':
      return 'Message deleted';
    case 'unsupported':
      return 'Unsupported message';
  }
}
