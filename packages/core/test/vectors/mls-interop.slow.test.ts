/**
 * The slow part of the MLS (RFC 9420) interop vectors, kept out of `npm test`: treekem.json in the
 * P-521 and P-384 suites (5 and 7; ~17 s, their elliptic-curve work is slow) and all 200 epochs of
 * passive-client-random.json. mls-interop.test.ts runs the rest and a fast subset of these.
 * Run with `npm run test:slow`.
 */
import { followAsPassiveClient, type PassiveClientVector } from './mls-passive-client.js';
import { checkTreeKem, type TreeKemVector } from './mls-treekem.js';
import { describeVectorFile, loadMlsVectors } from './mls-vectors.js';

describeVectorFile(
  loadMlsVectors<TreeKemVector>('treekem.json'),
  { total: 77, selected: 22 },
  checkTreeKem,
  {
    suites: new Set([5, 7]),
    note: 'suites 5 and 7',
  },
);

describeVectorFile(
  loadMlsVectors<PassiveClientVector>('passive-client-random.json'),
  { total: 1, selected: 1 },
  (v) => followAsPassiveClient(v),
  { note: 'all 200 epochs' },
);
