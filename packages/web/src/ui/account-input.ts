/** Reading account ids typed or pasted by people: trimmed, checked, never one's own. */
import { parseAccountId } from '@parley/core';
import { plainWords } from '../errors.js';

/** The outcome of reading one or more account ids. */
export type AccountInput =
  | { readonly ok: true; readonly ids: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Splits `text` on whitespace and commas and checks each id; `own` may not be among them.
 * An empty text is an empty list.
 */
export function readAccountIds(text: string, own: string): AccountInput {
  const words = text.split(/[\s,]+/).filter((word) => word !== '');
  const ids: string[] = [];
  for (const word of words) {
    try {
      parseAccountId(word);
    } catch (error) {
      return { ok: false, message: plainWords(error) };
    }
    if (word === own) return { ok: false, message: "That's your own account id." };
    if (!ids.includes(word)) ids.push(word);
  }
  return { ok: true, ids };
}
