/** The "none" anchor chain: anchoring off, and every request refused with a stable code. */
import { describe, expect, it } from 'vitest';
import { createNoAnchorChain } from './anchor-chain.js';

const ZERO = `0x${'00'.repeat(32)}` as const;

describe('createNoAnchorChain', () => {
  it('says anchoring is off and refuses to submit, poll or read', async () => {
    const chain = createNoAnchorChain();
    expect(chain.isEnabled).toBe(false);
    const disabled = { code: 'RELAY_ANCHOR_DISABLED' };
    await expect(chain.submit({ logId: ZERO, size: 1, root: ZERO })).rejects.toMatchObject(
      disabled,
    );
    await expect(chain.status(ZERO)).rejects.toMatchObject(disabled);
    await expect(chain.head(ZERO)).rejects.toMatchObject(disabled);
  });
});
