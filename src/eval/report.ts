/**
 * The tables and chart of `schedrl eval` and `schedrl compare`, one shape for every environment:
 * a table of cells (rows) by policies (columns), a summary per group, the ratio of each policy to
 * the best baseline of each cell, and a chart of the cells per group.
 */

import { lineChartSvg } from '../core/chart.js';
import { markdownTable, mean, type Cell } from '../core/table.js';
import type { AnyEnvEntry, Suite } from '../core/registry.js';
import type { ResultRow } from './evaluate.js';

export interface GroupSummary {
  readonly group: string;
  readonly policy: string;
  readonly cells: number;
  /** Mean of the cells' metric. */
  readonly meanMetric: number;
  /** Mean gap to the best known values, where every cell of the group has one. */
  readonly meanGapPercent: number | null;
  /** Mean over cells of metric / the best baseline's metric on that cell (compare only). */
  readonly meanRatioToBestBaseline: number | null;
}

/** The rows of a result by (policy label, cell index): labels are unique, cells by index. */
export class ResultGrid {
  private readonly byKey = new Map<string, ResultRow>();
  constructor(readonly rows: readonly ResultRow[]) {
    for (const r of rows) this.byKey.set(`${r.policy}\u0000${r.cellIndex}`, r);
  }
  at(policy: string, cell: number): ResultRow | undefined {
    return this.byKey.get(`${policy}\u0000${cell}`);
  }
}

/** The value a table shows for a row: the gap to the best known where there is one. */
function shown(r: ResultRow | undefined, gaps: boolean): Cell {
  if (r === undefined) return null;
  return gaps ? r.gapPercent : r.metric;
}

function metricTitle(entry: AnyEnvEntry): string {
  return `${entry.metric.name} (${entry.metric.unit})`;
}

/** Per cell: its info columns, its best known value, and each policy's figure. */
export function cellTable(
  entry: AnyEnvEntry,
  suite: Suite<unknown>,
  rows: readonly ResultRow[],
  policies: readonly string[],
): string {
  const gaps = suite.cells.every((c) => c.bestKnown !== undefined);
  const infoKeys = [...new Set(suite.cells.flatMap((c) => Object.keys(c.info)))];
  const bestKnown = suite.cells.some((c) => c.bestKnown !== undefined);
  const single = policies.length === 1;
  const columns = [
    'cell',
    ...infoKeys,
    ...(bestKnown ? ['best known'] : []),
    ...(single
      ? [entry.metric.name, ...(gaps ? ['gap %'] : [])]
      : policies.map((p) => (gaps ? `${p} gap %` : p))),
  ];
  const grid = new ResultGrid(rows);
  return markdownTable({
    title: `${metricTitle(entry)}${gaps && !single ? ', gap % to best known' : ''}: ${suite.name}`,
    columns,
    rows: suite.cells.map((cell, c) => {
      const mine = (p: string): ResultRow | undefined => grid.at(p, c);
      const values: Cell[] = single
        ? [mine(policies[0])?.metric ?? null, ...(gaps ? [shown(mine(policies[0]), true)] : [])]
        : policies.map((p) => shown(mine(p), gaps));
      return [
        cell.name,
        ...infoKeys.map((k) => cell.info[k] ?? null),
        ...(bestKnown ? [cell.bestKnown ?? null] : []),
        ...values,
      ];
    }),
  });
}

/** Each row's ratio to the best baseline on its cell (absent for cells no baseline played). */
export function ratiosToBestBaseline(
  entry: AnyEnvEntry,
  rows: readonly ResultRow[],
  baselines: readonly string[],
): Map<ResultRow, number> {
  const out = new Map<ResultRow, number>();
  const grid = new ResultGrid(rows);
  for (const c of new Set(rows.map((r) => r.cellIndex))) {
    const values = baselines.flatMap((b) => {
      const r = grid.at(b, c);
      return r === undefined ? [] : [r.metric];
    });
    if (values.length === 0) continue;
    const best = entry.metric.lowerIsBetter ? Math.min(...values) : Math.max(...values);
    for (const r of rows) if (r.cellIndex === c) out.set(r, r.metric / best);
  }
  return out;
}

/** Means per group and policy, and over all cells (group `all`). */
export function summarize(
  rows: readonly ResultRow[],
  ratios: Map<ResultRow, number> | null,
): GroupSummary[] {
  const buckets = new Map<string, ResultRow[]>();
  const add = (key: string, r: ResultRow): void => {
    buckets.set(key, [...(buckets.get(key) ?? []), r]);
  };
  for (const r of rows) add(`${r.group}\u0000${r.policy}`, r);
  // Over every cell, after the groups; a suite of one group needs no such row.
  if (new Set(rows.map((r) => r.group)).size > 1)
    for (const r of rows) add(`all\u0000${r.policy}`, r);
  return [...buckets.entries()].map(([key, rs]) => {
    const gaps = rs.map((r) => r.gapPercent);
    const rr = ratios === null ? [] : rs.flatMap((r) => (ratios.has(r) ? [ratios.get(r)!] : []));
    return {
      group: key.split('\u0000')[0],
      policy: rs[0].policy,
      cells: rs.length,
      meanMetric: mean(rs.map((r) => r.metric)),
      meanGapPercent: gaps.every((g) => g !== null) ? mean(gaps as number[]) : null,
      meanRatioToBestBaseline: rr.length === rs.length && rr.length > 0 ? mean(rr) : null,
    };
  });
}

/** Per group: each policy's mean figure, and which policy is best. */
export function groupTable(
  entry: AnyEnvEntry,
  suite: Suite<unknown>,
  summaries: readonly GroupSummary[],
  policies: readonly string[],
  figure: 'metric' | 'gap' | 'ratio',
): string {
  const groups = [...new Set(summaries.map((s) => s.group))];
  const value = (s: GroupSummary | undefined): number | null =>
    s === undefined
      ? null
      : figure === 'gap'
        ? s.meanGapPercent
        : figure === 'ratio'
          ? s.meanRatioToBestBaseline
          : s.meanMetric;
  // Gaps and ratios to a reference keep the metric's direction (offload's utility: higher).
  const lowerIsBetter = entry.metric.lowerIsBetter;
  const title =
    figure === 'gap'
      ? `mean ${entry.metric.name} gap % to best known per group`
      : figure === 'ratio'
        ? `mean ratio of ${entry.metric.name} to the best baseline per group (${lowerIsBetter ? 'below' : 'above'} 1 beats every baseline)`
        : `mean ${metricTitle(entry)} per group`;
  return markdownTable(
    {
      title: `${title}: ${suite.name}`,
      columns: ['group', 'cells', ...policies, 'best'],
      rows: groups.map((g) => {
        const mine = policies.map((p) => summaries.find((s) => s.group === g && s.policy === p));
        const values = mine.map(value);
        let best: string | null = null;
        let bestValue = 0;
        values.forEach((v, i) => {
          if (v === null) return;
          if (best === null || (lowerIsBetter ? v < bestValue : v > bestValue)) {
            best = policies[i];
            bestValue = v;
          }
        });
        return [g, mine[0]?.cells ?? 0, ...values, best];
      }),
    },
    figure === 'ratio' ? 3 : 1,
  );
}

/** One table per extra figure (completed jobs per ms...), cells by policies. */
export function extraTables(
  suite: Suite<unknown>,
  rows: readonly ResultRow[],
  policies: readonly string[],
): string[] {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.extras)))];
  const grid = new ResultGrid(rows);
  return names.map((x) =>
    markdownTable(
      {
        title: `${x}: ${suite.name}`,
        columns: ['cell', ...policies],
        rows: suite.cells.map((cell, c) => [
          cell.name,
          ...policies.map((p) => grid.at(p, c)?.extras[x] ?? null),
        ]),
      },
      2,
    ),
  );
}

/** One panel per group: the metric of each cell, a line per policy. */
export function suiteChart(
  entry: AnyEnvEntry,
  suite: Suite<unknown>,
  rows: readonly ResultRow[],
  policies: readonly string[],
): string {
  const groups = [...new Set(suite.cells.map((c) => c.group))];
  const grid = new ResultGrid(rows);
  const panels = groups.map((g) => {
    const cells = suite.cells.flatMap((cell, c) => (cell.group === g ? [{ cell, c }] : []));
    return {
      title: g,
      x: cells.map(({ cell }) => cell.x ?? cell.name),
      series: policies.map((p) => ({
        name: p,
        y: cells.map(({ c }) => grid.at(p, c)?.metric ?? NaN),
      })),
    };
  });
  return lineChartSvg(panels, suite.xLabel, metricTitle(entry));
}
