/** Plain-text tables for people: GitHub Markdown, aligned so they also read well in a terminal. */

export type Cell = string | number | null;

export interface Table {
  readonly title?: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

function cellText(c: Cell, digits: number): string {
  if (c === null) return '-';
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : c.toFixed(digits);
  return c;
}

/** Numbers are right-aligned, text left-aligned; non-integers get `digits` decimals. */
export function markdownTable(table: Table, digits = 1): string {
  const text = table.rows.map((r) => r.map((c) => cellText(c, digits)));
  const numeric = table.columns.map((_, i) =>
    table.rows.every((r) => r[i] === null || typeof r[i] === 'number'),
  );
  const widths = table.columns.map((h, i) =>
    Math.max(h.length, 3, ...text.map((r) => r[i].length)),
  );
  const pad = (s: string, i: number): string =>
    numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  const line = (cells: readonly string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`;
  const out: string[] = [];
  if (table.title !== undefined) out.push(`### ${table.title}`, '');
  out.push(line(table.columns), rule, ...text.map(line));
  return out.join('\n') + '\n';
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
