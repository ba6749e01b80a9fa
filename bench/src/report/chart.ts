/** A hand-written SVG chart: latency percentiles per configuration and ingest throughput. */
import { num } from './format.js';
import type { Results } from './results.js';

interface Group {
  readonly label: string;
  readonly values: readonly number[];
}

const PERCENTILES = ['p50', 'p95', 'p99', 'max'] as const;
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2'];
const WIDTH = 960;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 70 };

function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function text(x: number, y: number, body: string, extra = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${esc(body)}</text>`;
}

/** Grouped bars on a log10 axis (latencies span three orders of magnitude). */
function latencyPanel(top: number, groups: readonly Group[]): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const y0 = top + MARGIN.top + plotH;
  const all = groups.flatMap((g) => g.values).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.floor(Math.log10(Math.min(...all, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...all, 10)));
  const y = (v: number): number =>
    y0 - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotH;
  const parts = [
    text(
      MARGIN.left,
      top + 22,
      'Latency percentiles, ms (log scale; median of runs)',
      'font-weight="bold"',
    ),
  ];
  for (let e = lo; e <= hi; e++) {
    const gy = y(10 ** e);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${gy}" y2="${gy}" stroke="#ddd"/>`,
    );
    parts.push(text(MARGIN.left - 8, gy + 4, num(10 ** e), 'text-anchor="end"'));
  }
  const slot = plotW / Math.max(groups.length, 1);
  const bar = (slot * 0.8) / PERCENTILES.length;
  groups.forEach((g, i) => {
    const x0 = MARGIN.left + i * slot + slot * 0.1;
    g.values.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      const by = y(v);
      parts.push(
        `<rect x="${(x0 + j * bar).toFixed(1)}" y="${by.toFixed(1)}" width="${(bar - 1).toFixed(1)}" height="${(y0 - by).toFixed(1)}" fill="${COLORS[j] ?? '#999'}"><title>${esc(`${g.label} ${PERCENTILES[j] ?? ''}: ${num(v)} ms`)}</title></rect>`,
      );
    });
    parts.push(text(x0 + slot * 0.4, y0 + 18, g.label, 'text-anchor="middle" font-size="11"'));
  });
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${top + MARGIN.top}" y2="${y0}" stroke="#333"/>`,
  );
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y0}" y2="${y0}" stroke="#333"/>`,
  );
  PERCENTILES.forEach((p, j) => {
    const lx = WIDTH - MARGIN.right - (PERCENTILES.length - j) * 70;
    parts.push(
      `<rect x="${lx}" y="${top + 12}" width="12" height="12" fill="${COLORS[j] ?? '#999'}"/>`,
    );
    parts.push(text(lx + 16, top + 22, p, 'font-size="12"'));
  });
  return parts.join('\n');
}

/** Vertical bars on a linear axis with an optional target line. */
function barPanel(
  top: number,
  title: string,
  bars: readonly Group[],
  target?: { value: number; label: string },
): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const y0 = top + MARGIN.top + plotH;
  const max = Math.max(...bars.map((b) => b.values[0] ?? 0), target?.value ?? 0, 1) * 1.1;
  const y = (v: number): number => y0 - (v / max) * plotH;
  const parts = [text(MARGIN.left, top + 22, title, 'font-weight="bold"')];
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
    );
    parts.push(text(MARGIN.left - 8, y(v) + 4, num(v), 'text-anchor="end"'));
  }
  const slot = plotW / Math.max(bars.length, 1);
  bars.forEach((b, i) => {
    const v = b.values[0] ?? 0;
    const x = MARGIN.left + i * slot + slot * 0.25;
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(slot * 0.5).toFixed(1)}" height="${(y0 - y(v)).toFixed(1)}" fill="#4e79a7"><title>${esc(`${b.label}: ${num(v)}`)}</title></rect>`,
    );
    parts.push(text(x + slot * 0.25, y(v) - 4, num(v), 'text-anchor="middle" font-size="11"'));
    parts.push(text(x + slot * 0.25, y0 + 18, b.label, 'text-anchor="middle" font-size="11"'));
  });
  if (target !== undefined) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(target.value)}" y2="${y(target.value)}" stroke="#e15759" stroke-dasharray="6 4"/>`,
    );
    parts.push(
      text(
        WIDTH - MARGIN.right,
        y(target.value) - 6,
        target.label,
        'text-anchor="end" fill="#e15759" font-size="12"',
      ),
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y0}" y2="${y0}" stroke="#333"/>`,
  );
  return parts.join('\n');
}

/** The chart of one results file as a standalone SVG document. */
export function renderChart(results: Results): string {
  const w = results.workloads;
  const latency: Group[] = [
    ...(w.ingest ?? []).map((f) => ({
      label: `ingest P=${f.publishers}`,
      values: PERCENTILES.map((p) => f.ackLatencyMs[p].median),
    })),
    ...(w.fanout ?? []).map((f) => ({
      label: `fan-out S=${f.subscribers} R=${f.ratePerSecond}`,
      values: PERCENTILES.map((p) => f.deliveryLatencyMs[p].median),
    })),
  ];
  const throughput: Group[] = (w.ingest ?? []).map((f) => ({
    label: `P=${f.publishers}`,
    values: [f.envelopesPerSecond.median],
  }));
  const panels = [
    latencyPanel(0, latency),
    barPanel(
      PANEL_HEIGHT,
      'Ingest throughput, acknowledged envelopes/s (median of runs)',
      throughput,
      {
        value: 21_000,
        label: 'target at P=8: 21,000/s',
      },
    ),
  ];
  const height = PANEL_HEIGHT * 2 + 30;
  const footer = `${results.mode} run ${results.startedAt}, ${results.machine.cores} cores, Node ${results.machine.node}, quiet: ${results.machine.quiet ? 'yes' : 'no'}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels,
    text(MARGIN.left, height - 10, footer, 'font-size="11" fill="#555"'),
    '</svg>\n',
  ].join('\n');
}
