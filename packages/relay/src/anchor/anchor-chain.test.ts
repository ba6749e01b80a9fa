/** The "none" anchor chain: anchoring off, and an anchor request refused. */
import { describe, expect, it } from 'vitest';
import { createNoAnchorChain } from './anchor-chain.js';

describe('createNoAnchorChain', () => {
  it('says anchoring is off and refuses to anchor', async () => {
    const chain = createNoAnchorChain();
    expect(chain.isEnabled).toBe(false);
    await expect(chain.anchor(1, 'note')).rejects.toThrow('anchoring is off');
  });
});
