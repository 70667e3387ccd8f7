/**
 * An independent check of a DAG schedule: every task placed on a processor that can run it for
 * its execution time, after its inputs have arrived (transfer delays included), one task per
 * processor at a time.
 */

import { transferTime } from './graph.js';
import type { DagSchedule, Platform, TaskGraph } from './types.js';

/** `durations` overrides the table's execution times (for a run with noisy execution times). */
export function validateDagSchedule(
  g: TaskGraph,
  platform: Platform,
  s: DagSchedule,
  durations?: readonly number[],
): string[] {
  const issues: string[] = [];
  const eps = 1e-9;
  for (let t = 0; t < g.numTasks; t++) {
    const p = s.proc[t];
    if (!(p >= 0 && p < platform.numProcs)) {
      issues.push(`task ${t} is not placed on a processor`);
      continue;
    }
    const w = durations?.[t] ?? g.exec[t][p];
    if (!Number.isFinite(g.exec[t][p])) issues.push(`task ${t} cannot run on processor ${p}`);
    else if (Math.abs(s.finish[t] - s.start[t] - w) > eps)
      issues.push(`task ${t} runs ${s.finish[t] - s.start[t]}, its time on processor ${p} is ${w}`);
    if (s.start[t] < -eps) issues.push(`task ${t} starts before 0`);
  }
  for (const e of g.edges) {
    const arrival =
      s.finish[e.from] + transferTime(platform, e.volume, s.proc[e.from], s.proc[e.to]);
    if (s.start[e.to] < arrival - eps)
      issues.push(
        `task ${e.to} starts at ${s.start[e.to]} before its input from task ${e.from} arrives at ${arrival}`,
      );
  }
  for (let p = 0; p < platform.numProcs; p++) {
    const on = s.proc
      .flatMap((q, t) => (q === p ? [t] : []))
      .sort((a, b) => s.start[a] - s.start[b] || s.finish[a] - s.finish[b]);
    for (let i = 1; i < on.length; i++) {
      if (s.start[on[i]] < s.finish[on[i - 1]] - eps)
        issues.push(`processor ${p}: task ${on[i]} overlaps task ${on[i - 1]}`);
    }
  }
  return issues;
}

/** A finished job of a stream: its template, arrival and schedule, and its tasks' real durations. */
export interface StreamJob {
  readonly template: number;
  readonly arrival: number;
  readonly schedule: DagSchedule;
  readonly duration: readonly number[];
}

/**
 * Checks one episode of a stream as a whole: every job valid on its own (validateDagSchedule,
 * against its tasks' real durations), no task before its job arrived, and no two tasks of any
 * jobs overlapping on a processor.
 */
export function validateStream(
  templates: readonly TaskGraph[],
  platform: Platform,
  jobs: readonly StreamJob[],
): string[] {
  const eps = 1e-9;
  const issues: string[] = [];
  const busy: [number, number, string][][] = Array.from({ length: platform.numProcs }, () => []);
  jobs.forEach((job, j) => {
    const g = templates[job.template];
    for (const issue of validateDagSchedule(g, platform, job.schedule, job.duration))
      issues.push(`job ${j} (${g.name}): ${issue}`);
    job.schedule.proc.forEach((p, t) => {
      if (job.schedule.start[t] < job.arrival - eps)
        issues.push(`job ${j} (${g.name}): task ${t} starts before the job arrived`);
      busy[p]?.push([job.schedule.start[t], job.schedule.finish[t], `job ${j} task ${t}`]);
    });
  });
  busy.forEach((intervals, p) => {
    intervals.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 1; i < intervals.length; i++)
      if (intervals[i][0] < intervals[i - 1][1] - eps)
        issues.push(`processor ${p}: ${intervals[i][2]} overlaps ${intervals[i - 1][2]}`);
  });
  return issues;
}
