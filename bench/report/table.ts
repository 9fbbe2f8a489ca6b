import type { Summary } from '../stats/summary.js';

export interface TableRow {
  figure: string;
  unit: string;
  summary: Summary | undefined;
  /** Printed after the numbers (e.g. "cut short: 12 of 20 kills"). */
  note?: string;
}

/** A plain-text table (min, median, p95, max per figure) for a terminal or a README. */
export function formatTable(rows: readonly TableRow[]): string {
  const header = ['figure', 'n', 'min', 'median', 'p95', 'max', 'unit', ''];
  const cells = rows.map((r) => {
    const s = r.summary;
    const numbers = s ? [String(s.count), fmt(s.min), fmt(s.median), fmt(s.p95), fmt(s.max)] : ['0', 'n/a', 'n/a', 'n/a', 'n/a'];
    return [r.figure, ...numbers, r.unit, r.note ?? ''];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 1 && c <= 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  ').trimEnd(), ...cells.map(line)].join('\n');
}

/** Three significant figures at most, no exponent: 0.123, 1.23, 12.3, 123, 1234. */
function fmt(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}
