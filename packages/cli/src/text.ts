/** Text as people see it: user-perceived characters (grapheme clusters), for widths and cuts. */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The user-perceived characters of `text`: an emoji with modifiers or an accented letter is one. */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/** `text` cut to at most `length` characters, ending with an ellipsis if it was cut. */
export function clip(text: string, length: number): string {
  const parts = graphemes(text);
  return parts.length <= length ? text : `${parts.slice(0, length - 1).join('')}…`;
}
