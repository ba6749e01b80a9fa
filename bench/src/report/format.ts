/** Number formatting shared by the table and the chart. */
import type { Spread } from '../stats.js';

/** A number with sensible precision: 21,345 · 12.3 · 0.456. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** `median (min–max)`, or just the value for a single run. */
export function med(s: Spread, scale = 1): string {
  if (s.runs.length === 1) return num(s.median * scale);
  return `${num(s.median * scale)} (${num(s.min * scale)}–${num(s.max * scale)})`;
}

/** Bytes as MiB. */
export const MIB = 1 / (1024 * 1024);
