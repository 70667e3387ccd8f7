/**
 * A Gantt chart of one SoC episode as a standalone SVG: one row per processing element (by its
 * name), one bar per task coloured by its job and labelled job:task where it is wide enough, a
 * time axis in µs (the tables' unit), and the end of the episode marked (src/core/gantt.ts). It
 * draws what SocEnv records, `finishedJobs[e]`.
 */

import { ganttSvg, type GanttBar, type GanttOptions } from '../../src/core/gantt.js';
import type { FinishedJob } from './env.js';
import type { Platform } from './types.js';

export interface SocGanttOptions extends GanttOptions {
  /** Names of the job templates (the stream's `jobs[i].name`), for the bars' tooltips. */
  readonly templateNames?: readonly string[];
}

/** Jobs are numbered in the order they finished (the order of `finishedJobs[e]`). */
export function renderSocGantt(
  jobs: readonly FinishedJob[],
  platform: Platform,
  options: SocGanttOptions = {},
): string {
  const bars: GanttBar[] = [];
  let end = 0;
  jobs.forEach((job, j) => {
    const type = options.templateNames?.[job.template] ?? `template ${job.template}`;
    const { proc, start, finish } = job.schedule;
    proc.forEach((p, t) => {
      end = Math.max(end, finish[t]);
      bars.push({
        row: p,
        start: start[t],
        end: finish[t],
        job: j,
        label: `${j}:${t}`,
        title: `job ${j} (${type}, arrived ${job.arrival} µs) task ${t}: ${start[t]}-${finish[t]} µs on ${platform.names[p]}`,
      });
    });
  });
  return ganttSvg(
    {
      rows: platform.names,
      bars,
      horizon: Math.max(1, end),
      marker: { at: end, label: `last finish ${end} µs` },
      axisLabel: 'time (µs)',
    },
    options,
  );
}
