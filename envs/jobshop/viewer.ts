/**
 * A Gantt chart of a job-shop schedule as a standalone SVG: one row per machine, one colour per
 * job, a time axis, and the makespan marked.
 */

import type { Instance, Schedule } from './types.js';

export interface GanttOptions {
  readonly title?: string;
  /** Drawing width in pixels of the time axis. */
  readonly width?: number;
  readonly rowHeight?: number;
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Spaced, distinguishable hues for any number of jobs (golden-angle steps). */
function jobColour(j: number): string {
  return `hsl(${Math.round((j * 137.508) % 360)}, 62%, ${j % 2 === 0 ? 58 : 44}%)`;
}

function niceStep(span: number, ticks: number): number {
  const raw = span / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function renderGantt(
  inst: Instance,
  schedule: Schedule,
  options: GanttOptions = {},
): string {
  const width = options.width ?? 1000;
  const rowH = options.rowHeight ?? 22;
  const left = 70;
  const top = options.title !== undefined ? 40 : 16;
  const makespan = Math.max(1, ...schedule.end.flat());
  const scale = width / makespan;
  const height = top + inst.numMachines * rowH + 40;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" viewBox="0 0 ${left + width + 20} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  if (options.title !== undefined)
    parts.push(
      `<text x="${left}" y="22" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
    );
  for (let m = 0; m < inst.numMachines; m++) {
    const y = top + m * rowH;
    parts.push(`<text x="${left - 8}" y="${y + rowH * 0.68}" text-anchor="end">M${m}</text>`);
    parts.push(
      `<rect x="${left}" y="${y}" width="${width}" height="${rowH}" fill="${m % 2 === 0 ? '#f4f4f4' : '#ffffff'}"/>`,
    );
  }
  const showLabels = inst.numJobs <= 30;
  inst.jobs.forEach((ops, j) => {
    ops.forEach((op, o) => {
      const start = schedule.start[j]?.[o] ?? -1;
      const end = schedule.end[j]?.[o] ?? -1;
      if (start < 0 || end <= start) return;
      const x = left + start * scale;
      const w = (end - start) * scale;
      const y = top + op.machine * rowH + 2;
      parts.push(
        `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${rowH - 4}" fill="${jobColour(j)}" stroke="white" stroke-width="0.5"><title>job ${j} op ${o}: ${start}-${end} on M${op.machine}</title></rect>`,
      );
      if (showLabels && w > 14)
        parts.push(
          `<text x="${(x + w / 2).toFixed(2)}" y="${y + rowH * 0.58}" text-anchor="middle" fill="white" font-size="9">${j}</text>`,
        );
    });
  });
  const axisY = top + inst.numMachines * rowH;
  parts.push(
    `<line x1="${left}" y1="${axisY}" x2="${left + width}" y2="${axisY}" stroke="black"/>`,
  );
  const step = niceStep(makespan, 10);
  for (let t = 0; t <= makespan; t += step) {
    const x = left + t * scale;
    parts.push(
      `<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 4}" stroke="black"/><text x="${x}" y="${axisY + 16}" text-anchor="middle">${t}</text>`,
    );
  }
  const mx = left + makespan * scale;
  parts.push(
    `<line x1="${mx}" y1="${top}" x2="${mx}" y2="${axisY}" stroke="crimson" stroke-dasharray="4 3"/>`,
  );
  parts.push(
    `<text x="${mx}" y="${axisY + 30}" text-anchor="end" fill="crimson">makespan ${makespan}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
