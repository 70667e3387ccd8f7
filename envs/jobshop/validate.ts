/**
 * An independent check of a job-shop schedule against its instance. It shares no code with the
 * environment, so that every env test can use it as the judge.
 */

import type { Instance, Schedule } from './types.js';

export type ScheduleIssue =
  | { readonly code: 'shape'; readonly message: string }
  | { readonly code: 'unscheduled'; readonly job: number; readonly op: number }
  | {
      readonly code: 'duration';
      readonly job: number;
      readonly op: number;
      readonly expected: number;
      readonly actual: number;
    }
  | {
      readonly code: 'precedence';
      readonly job: number;
      readonly op: number;
      readonly start: number;
      readonly previousEnd: number;
    }
  | {
      readonly code: 'overlap';
      readonly machine: number;
      readonly first: readonly [number, number];
      readonly second: readonly [number, number];
    }
  | { readonly code: 'makespan'; readonly expected: number; readonly reported: number };

/** Every way in which `schedule` is not a feasible complete schedule of `inst` with makespan `reportedMakespan`. */
export function validateSchedule(
  inst: Instance,
  schedule: Schedule,
  reportedMakespan?: number,
): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  if (schedule.start.length !== inst.numJobs || schedule.end.length !== inst.numJobs) {
    return [
      {
        code: 'shape',
        message: `expected ${inst.numJobs} jobs, found ${schedule.start.length} start rows and ${schedule.end.length} end rows`,
      },
    ];
  }
  const byMachine: [number, number, number, number][][] = Array.from(
    { length: inst.numMachines },
    () => [],
  );
  let makespan = 0;
  inst.jobs.forEach((ops, j) => {
    if (schedule.start[j].length !== ops.length || schedule.end[j].length !== ops.length) {
      issues.push({
        code: 'shape',
        message: `job ${j}: expected ${ops.length} operations, found ${schedule.start[j].length}`,
      });
      return;
    }
    let previousEnd = 0;
    ops.forEach((op, o) => {
      const start = schedule.start[j][o];
      const end = schedule.end[j][o];
      if (!(Number.isInteger(start) && start >= 0 && Number.isInteger(end))) {
        issues.push({ code: 'unscheduled', job: j, op: o });
        return;
      }
      if (end - start !== op.duration)
        issues.push({
          code: 'duration',
          job: j,
          op: o,
          expected: op.duration,
          actual: end - start,
        });
      if (start < previousEnd)
        issues.push({ code: 'precedence', job: j, op: o, start, previousEnd });
      previousEnd = end;
      makespan = Math.max(makespan, end);
      byMachine[op.machine].push([start, end, j, o]);
    });
  });
  byMachine.forEach((list, machine) => {
    // Zero-length operations occupy no machine time and may sit anywhere.
    const busy = list
      .filter(([start, end]) => end > start)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let latest = busy[0];
    for (let i = 1; i < busy.length; i++) {
      const current = busy[i];
      if (current[0] < latest[1])
        issues.push({
          code: 'overlap',
          machine,
          first: [latest[2], latest[3]],
          second: [current[2], current[3]],
        });
      if (current[1] > latest[1]) latest = current;
    }
  });
  if (reportedMakespan !== undefined && reportedMakespan !== makespan)
    issues.push({ code: 'makespan', expected: makespan, reported: reportedMakespan });
  return issues;
}

export function makespanOf(schedule: Schedule): number {
  let m = 0;
  for (const row of schedule.end) for (const t of row) m = Math.max(m, t);
  return m;
}

export function describeIssue(issue: ScheduleIssue): string {
  switch (issue.code) {
    case 'shape':
      return issue.message;
    case 'unscheduled':
      return `job ${issue.job} op ${issue.op} is not scheduled`;
    case 'duration':
      return `job ${issue.job} op ${issue.op} runs ${issue.actual}, its duration is ${issue.expected}`;
    case 'precedence':
      return `job ${issue.job} op ${issue.op} starts at ${issue.start} before its predecessor ends at ${issue.previousEnd}`;
    case 'overlap':
      return `machine ${issue.machine}: job ${issue.first[0]} op ${issue.first[1]} overlaps job ${issue.second[0]} op ${issue.second[1]}`;
    case 'makespan':
      return `reported makespan ${issue.reported}, the schedule ends at ${issue.expected}`;
  }
}
