/**
 * A Gantt chart as a standalone SVG, for every environment's viewer: one row per resource (a
 * machine, a processing element), one bar per piece of work coloured by the job it belongs to, a
 * time axis, and an optional dashed marker (the makespan, the end of the episode). Environments
 * turn their schedules into rows and bars (envs/jobshop/viewer.ts, envs/soc/viewer.ts).
 */

export interface GanttBar {
  /** Index into `rows`. */
  readonly row: number;
  readonly start: number;
  readonly end: number;
  /** The job the bar belongs to: bars of one job share a colour. */
  readonly job: number;
  /** Short text drawn inside the bar when it is wide enough. */
  readonly label: string;
  /** Tooltip (an SVG <title>). */
  readonly title: string;
}

export interface GanttChart {
  /** Row names, top to bottom. */
  readonly rows: readonly string[];
  readonly bars: readonly GanttBar[];
  /** Where the time axis ends; default the latest bar end. */
  readonly horizon?: number;
  /** A dashed vertical line and its caption, e.g. the makespan. */
  readonly marker?: { readonly at: number; readonly label: string };
  /** Caption of the time axis, e.g. `time (µs)`. */
  readonly axisLabel?: string;
  /** Draw bar labels at all (charts with many jobs are clearer without). Default true. */
  readonly labels?: boolean;
}

export interface GanttOptions {
  readonly title?: string;
  /** Drawing width in pixels of the time axis. */
  readonly width?: number;
  readonly rowHeight?: number;
}

export const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Spaced, distinguishable hues for any number of jobs (golden-angle steps). */
export function jobColour(j: number): string {
  return `hsl(${Math.round((j * 137.508) % 360)}, 62%, ${j % 2 === 0 ? 58 : 44}%)`;
}

/** A round tick spacing (1, 2 or 5 times a power of ten) giving about `ticks` ticks over `span`. */
export function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function ganttSvg(chart: GanttChart, options: GanttOptions = {}): string {
  const width = options.width ?? 1000;
  const rowH = options.rowHeight ?? 22;
  // Room for the longest row name at about 7 px per character.
  const left = Math.max(70, 16 + 7 * Math.max(0, ...chart.rows.map((r) => r.length)));
  const top = options.title !== undefined ? 40 : 16;
  const horizon = Math.max(1, chart.horizon ?? Math.max(0, ...chart.bars.map((b) => b.end)));
  const scale = width / horizon;
  const axisY = top + chart.rows.length * rowH;
  const height = axisY + (chart.axisLabel !== undefined ? 56 : 40);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" viewBox="0 0 ${left + width + 20} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  if (options.title !== undefined)
    parts.push(
      `<text x="${left}" y="22" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  chart.rows.forEach((name, r) => {
    const y = top + r * rowH;
    parts.push(
      `<text x="${left - 8}" y="${y + rowH * 0.68}" text-anchor="end">${escapeXml(name)}</text>`,
    );
    parts.push(
      `<rect x="${left}" y="${y}" width="${width}" height="${rowH}" fill="${r % 2 === 0 ? '#f4f4f4' : '#ffffff'}"/>`,
    );
  });
  const labels = chart.labels ?? true;
  for (const b of chart.bars) {
    const x = left + b.start * scale;
    // Zero-length work stays visible as a sliver.
    const w = Math.max((b.end - b.start) * scale, 1);
    const y = top + b.row * rowH + 2;
    parts.push(
      `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${rowH - 4}" fill="${jobColour(b.job)}" stroke="white" stroke-width="0.5"><title>${escapeXml(b.title)}</title></rect>`,
    );
    if (labels && w > 7 * b.label.length + 7)
      parts.push(
        `<text x="${(x + w / 2).toFixed(2)}" y="${y + rowH * 0.58}" text-anchor="middle" fill="white" font-size="9">${escapeXml(b.label)}</text>`,
      );
  }
  parts.push(
    `<line x1="${left}" y1="${axisY}" x2="${left + width}" y2="${axisY}" stroke="black"/>`,
  );
  const step = niceStep(horizon, 10);
  for (let i = 0; i * step <= horizon; i++) {
    // Ticks by index and rounded, so that a fractional step prints 0.3, not 0.30000000000000004.
    const t = Number((i * step).toPrecision(12));
    const x = left + t * scale;
    parts.push(
      `<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 4}" stroke="black"/><text x="${x}" y="${axisY + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  if (chart.axisLabel !== undefined)
    parts.push(
      `<text x="${left + width / 2}" y="${axisY + 32}" text-anchor="middle">${escapeXml(chart.axisLabel)}</text>`,
    );
  if (chart.marker !== undefined) {
    const mx = left + chart.marker.at * scale;
    parts.push(
      `<line x1="${mx}" y1="${top}" x2="${mx}" y2="${axisY}" stroke="crimson" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${mx}" y="${height - 10}" text-anchor="end" fill="crimson">${escapeXml(chart.marker.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
