/**
 * A Gantt chart of a job-shop schedule as a standalone SVG: one row per machine, one colour per
 * job, a time axis, and the makespan marked (drawn by src/core/gantt.ts).
 */

import { ganttSvg, type GanttBar, type GanttOptions } from '../../src/core/gantt.js';
import type { Instance, Schedule } from './types.js';

export type { GanttOptions } from '../../src/core/gantt.js';

export function renderGantt(
  inst: Instance,
  schedule: Schedule,
  options: GanttOptions = {},
): string {
  const bars: GanttBar[] = [];
  inst.jobs.forEach((ops, j) => {
    ops.forEach((op, o) => {
      const start = schedule.start[j]?.[o] ?? -1;
      const end = schedule.end[j]?.[o] ?? -1;
      if (start < 0 || end <= start) return;
      bars.push({
        row: op.machine,
        start,
        end,
        job: j,
        label: String(j),
        title: `job ${j} op ${o}: ${start}-${end} on M${op.machine}`,
      });
    });
  });
  const makespan = Math.max(1, ...schedule.end.flat());
  return ganttSvg(
    {
      rows: Array.from({ length: inst.numMachines }, (_, m) => `M${m}`),
      bars,
      horizon: makespan,
      marker: { at: makespan, label: `makespan ${makespan}` },
      labels: inst.numJobs <= 30,
    },
    options,
  );
}
