/**
 * The per-chat history rules (docs/spec/history.md): each arriving entry is filed against the
 * entries held around it, and replays, equivocations, broken links, reorderings and suspected
 * gaps come out as decisions and problems; this device's next entry links every head it saw.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.js';
import {
  afterOwnEntry,
  chainKey,
  nextEntryLinks,
  observeEntry,
  type ChainState,
  type HeldAround,
  type HeldEntry,
  type ObservedEntry,
} from './chain-tracker.js';

const device = new Uint8Array(32).fill(7);
const hash = (label: string) => utf8(label.padEnd(32, '.'));
const empty: ChainState = { counter: 0, prev: null, heads: [], chains: {} };
const nothing: HeldAround = { before: [], same: [], after: [] };

function entry(n: number, prev: string | null, seq = n, heads: string[] = []): ObservedEntry {
  return {
    author: 'bob',
    device,
    n,
    hash: hash(`e${n}`),
    prev: prev === null ? null : hash(prev),
    heads: heads.map(hash),
    bytes: utf8(`entry ${n}`),
    seq,
  };
}

function held(label: string, seq: number | null = 1, own = false): HeldEntry {
  return { hash: hash(label), bytes: utf8(`held ${label}`), own, seq };
}

describe('observeEntry', () => {
  it('files a first entry as the chain start and a new head', () => {
    const seen = observeEntry(empty, entry(1, null), nothing);
    if (seen.kind !== 'accepted') throw new Error(seen.kind);
    expect(seen.show).toBe(true);
    expect(seen.problems).toEqual([]);
    expect(seen.state.chains[chainKey('bob', device)]).toEqual({ first: 1, last: 1 });
    expect(seen.state.heads).toEqual([hash('e1')]);
  });

  it('drops an entry it already holds as a replay', () => {
    const seen = observeEntry(empty, entry(1, null), { ...nothing, same: [held('e1')] });
    expect(seen).toEqual({ kind: 'replay' });
  });

  it('keeps a second entry at the same n as an equivocation, not shown', () => {
    const seen = observeEntry(empty, entry(1, null), { ...nothing, same: [held('other')] });
    expect(seen).toMatchObject({ kind: 'accepted', show: false });
    if (seen.kind === 'accepted')
      expect(seen.problems.map((p) => p.kind)).toEqual(['equivocation']);
  });

  it('reports a broken link when prev is not the held predecessor', () => {
    const seen = observeEntry(empty, entry(2, 'forged'), { ...nothing, before: [held('e1')] });
    if (seen.kind !== 'accepted') throw new Error(seen.kind);
    expect(seen.problems).toMatchObject([{ kind: 'broken-link', n: 2 }]);
    expect(seen.show).toBe(true);
  });

  it('suspects a gap when the predecessor is missing inside the held range', () => {
    const state: ChainState = {
      ...empty,
      chains: { [chainKey('bob', device)]: { first: 1, last: 1 } },
    };
    const seen = observeEntry(state, entry(3, 'e2'), nothing);
    expect(seen).toMatchObject({ kind: 'accepted', suspectedGap: true, problems: [] });
  });

  it('does not suspect a gap before the first entry this member holds of the chain', () => {
    const seen = observeEntry(empty, entry(5, 'e4'), nothing);
    expect(seen).toMatchObject({ kind: 'accepted', suspectedGap: false });
  });

  it('reports a reordering when the successor arrived earlier at a lower seq', () => {
    const seen = observeEntry(empty, entry(1, null, 9), { ...nothing, after: [held('e2', 4)] });
    if (seen.kind !== 'accepted') throw new Error(seen.kind);
    expect(seen.problems).toMatchObject([{ kind: 'reordered', seqs: [4, 9] }]);
  });

  it('does not call its own queued successor a reordering', () => {
    const seen = observeEntry(empty, entry(1, null, 9), {
      ...nothing,
      after: [held('e2', 4, true)],
    });
    expect(seen).toMatchObject({ kind: 'accepted', problems: [] });
  });

  it('removes the heads an entry references', () => {
    const state: ChainState = { ...empty, heads: [hash('e1'), hash('x')] };
    const seen = observeEntry(state, entry(2, 'e1', 2, ['x']), {
      ...nothing,
      before: [held('e1')],
    });
    expect(seen.kind === 'accepted' && seen.state.heads).toEqual([hash('e2')]);
  });
});

describe('nextEntryLinks and afterOwnEntry', () => {
  it('starts a chain with no prev and references the heads seen, sorted', () => {
    const links = nextEntryLinks({ ...empty, heads: [hash('b'), hash('a')] });
    expect(links).toEqual({ n: 1, prev: null, heads: [hash('a'), hash('b')] });
  });

  it('links the next entry to the last one without repeating it as a head', () => {
    const own = afterOwnEntry(empty, chainKey('me', device), 1, hash('mine'));
    expect(own).toMatchObject({ counter: 1, heads: [hash('mine')] });
    expect(own.chains[chainKey('me', device)]).toEqual({ first: 1, last: 1 });
    expect(nextEntryLinks(own)).toEqual({ n: 2, prev: hash('mine'), heads: [] });
  });
});
