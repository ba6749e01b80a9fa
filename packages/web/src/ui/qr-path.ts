/** A QR code (ISO/IEC 18004, through uqr) as one SVG path: a unit square per dark module. */
import { encode } from 'uqr';

/** The path data and the side length, in modules, of the QR code of `text` (with a quiet zone). */
export function qrPath(text: string): { d: string; size: number } {
  // Medium error correction; a 4-module quiet zone as the standard asks.
  const qr = encode(text, { ecc: 'M', border: 4 });
  const parts: string[] = [];
  qr.data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) parts.push(`M${x} ${y}h1v1h-1z`);
    });
  });
  return { d: parts.join(''), size: qr.size };
}
