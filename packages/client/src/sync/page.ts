/** How many envelopes one page of a topic asks the relay for. */
export const PAGE_SIZE = 200;
