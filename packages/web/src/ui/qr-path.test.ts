import { describe, expect, it } from 'vitest';
import { qrPath } from './qr-path.js';

/** The dark modules a path draws, as "x,y". */
function darkModules(d: string): Set<string> {
  return new Set([...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
}

describe('qrPath', () => {
  it('draws a QR symbol of a valid version with a 4-module quiet zone', () => {
    const { d, size } = qrPath('bciqfvk4t5g2uxerjnc326saz3t66qj4zlppvvzcedfk3vvllekzz7ga');
    const symbol = size - 8;
    // ISO/IEC 18004 §5.3.1: versions 1–40 are 21, 25, … 177 modules wide.
    expect((symbol - 17) % 4).toBe(0);
    const dark = darkModules(d);
    // The three finder patterns: dark outer corners, nothing drawn in the quiet zone.
    for (const [x, y] of [
      [4, 4],
      [4 + symbol - 1, 4],
      [4, 4 + symbol - 1],
    ]) {
      expect(dark.has(`${x},${y}`)).toBe(true);
    }
    for (const cell of dark) {
      const [x = 0, y = 0] = cell.split(',').map(Number);
      expect(x >= 4 && y >= 4 && x < size - 4 && y < size - 4).toBe(true);
    }
  });

  it('draws different ids differently', () => {
    expect(qrPath('bciqa').d).not.toBe(qrPath('bciqb').d);
  });
});
