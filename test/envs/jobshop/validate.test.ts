import { describe, expect, it } from 'vitest';
import type { Instance, Schedule } from '../../../envs/jobshop/types.js';
import {
  describeIssue,
  makespanOf,
  validateSchedule,
  type ScheduleIssue,
} from '../../../envs/jobshop/validate.js';
import {
  RAGGED,
  RAGGED_OPTIMUM,
  REENTRANT,
  REENTRANT_OPTIMUM,
  TINY_3X3,
  TINY_3X3_OPTIMAL_SCHEDULE,
  TINY_3X3_OPTIMUM,
  bruteForceOptimum,
} from './fixtures.js';

/** A copy of `s` with start/end of (job, op) replaced. */
function withOp(s: Schedule, job: number, op: number, start: number, end: number): Schedule {
  const copy = (rows: readonly (readonly number[])[]): number[][] => rows.map((r) => [...r]);
  const result = { start: copy(s.start), end: copy(s.end) };
  result.start[job][op] = start;
  result.end[job][op] = end;
  return result;
}

/** One job per operation, all on machine 0. */
function singleMachine(durations: readonly number[]): Instance {
  return {
    name: 'single-machine',
    numJobs: durations.length,
    numMachines: 1,
    jobs: durations.map((duration) => [{ machine: 0, duration }]),
  };
}

/** A schedule of a single-operation-per-job instance from [start, end] pairs. */
const intervals = (pairs: readonly (readonly [number, number])[]): Schedule => ({
  start: pairs.map(([s]) => [s]),
  end: pairs.map(([, e]) => [e]),
});

describe('validateSchedule accepts feasible schedules', () => {
  it('accepts the hand-built optimal schedule of the 3x3 fixture', () => {
    expect(validateSchedule(TINY_3X3, TINY_3X3_OPTIMAL_SCHEDULE)).toEqual([]);
    expect(validateSchedule(TINY_3X3, TINY_3X3_OPTIMAL_SCHEDULE, TINY_3X3_OPTIMUM)).toEqual([]);
    expect(makespanOf(TINY_3X3_OPTIMAL_SCHEDULE)).toBe(TINY_3X3_OPTIMUM);
  });

  it('accepts operations that touch end to start on a machine', () => {
    expect(
      validateSchedule(
        singleMachine([2, 3, 1]),
        intervals([
          [0, 2],
          [2, 5],
          [5, 6],
        ]),
        6,
      ),
    ).toEqual([]);
  });

  it('does not count zero-duration operations as overlaps', () => {
    // Two zero-length operations inside a busy interval, one at its start and one in the middle.
    const inst = singleMachine([5, 0, 0, 0]);
    const schedule = intervals([
      [0, 5],
      [0, 0],
      [3, 3],
      [3, 3],
    ]);
    expect(validateSchedule(inst, schedule, 5)).toEqual([]);
  });

  it('accepts a ragged and a re-entrant schedule found by brute force', () => {
    for (const inst of [RAGGED, REENTRANT]) {
      const { makespan, schedule } = bruteForceOptimum(inst);
      expect(validateSchedule(inst, schedule, makespan)).toEqual([]);
    }
  });
});

describe('validateSchedule rejects broken schedules', () => {
  it('reports two operations overlapping on a machine', () => {
    // J0's M1 operation moved from [7,10] to [6,9] overlaps J1's [3,7].
    const schedule = withOp(TINY_3X3_OPTIMAL_SCHEDULE, 0, 1, 6, 9);
    expect(validateSchedule(TINY_3X3, schedule)).toEqual([
      { code: 'overlap', machine: 1, first: [1, 1], second: [0, 1] },
    ]);
  });

  it('reports identical intervals as overlapping', () => {
    expect(
      validateSchedule(
        singleMachine([2, 2]),
        intervals([
          [1, 3],
          [1, 3],
        ]),
      ),
    ).toEqual([{ code: 'overlap', machine: 0, first: [0, 0], second: [1, 0] }]);
  });

  it('reports a long interval overlapping a later one that is not its neighbour', () => {
    // Sorted by start: A [0,10], B [2,4], C [5,7]. C does not overlap B but does overlap A.
    const issues = validateSchedule(
      singleMachine([10, 2, 2]),
      intervals([
        [0, 10],
        [2, 4],
        [5, 7],
      ]),
    );
    expect(issues).toHaveLength(2);
    expect(issues).toContainEqual({ code: 'overlap', machine: 0, first: [0, 0], second: [1, 0] });
    expect(issues).toContainEqual({ code: 'overlap', machine: 0, first: [0, 0], second: [2, 0] });
  });

  it('reports an overlap regardless of the order of jobs', () => {
    const issues = validateSchedule(
      singleMachine([2, 2, 10]),
      intervals([
        [5, 7],
        [2, 4],
        [0, 10],
      ]),
    );
    expect(issues.map((i) => i.code)).toEqual(['overlap', 'overlap']);
  });

  it('reports an operation that starts before its job predecessor ends', () => {
    // J2's M2 operation moved from [3,7] to [2,6]: M2 stays free, but J2's M1 operation ends at 3.
    const schedule = withOp(TINY_3X3_OPTIMAL_SCHEDULE, 2, 2, 2, 6);
    expect(validateSchedule(TINY_3X3, schedule, TINY_3X3_OPTIMUM)).toEqual([
      { code: 'precedence', job: 2, op: 2, start: 2, previousEnd: 3 },
    ]);
  });

  it('reports precedence within a re-entrant job on the same machine', () => {
    const inst: Instance = {
      name: 'revisit',
      numJobs: 1,
      numMachines: 2,
      jobs: [
        [
          { machine: 0, duration: 2 },
          { machine: 1, duration: 1 },
          { machine: 0, duration: 2 },
        ],
      ],
    };
    const issues = validateSchedule(inst, { start: [[0, 2, 2]], end: [[2, 3, 4]] });
    expect(issues).toEqual([{ code: 'precedence', job: 0, op: 2, start: 2, previousEnd: 3 }]);
  });

  it('reports an operation whose length is not its duration', () => {
    // J0's last operation runs [10,13] instead of [10,12].
    const schedule = withOp(TINY_3X3_OPTIMAL_SCHEDULE, 0, 2, 10, 13);
    expect(validateSchedule(TINY_3X3, schedule)).toEqual([
      { code: 'duration', job: 0, op: 2, expected: 2, actual: 3 },
    ]);
    const shorter = withOp(TINY_3X3_OPTIMAL_SCHEDULE, 1, 0, 0, 0);
    expect(validateSchedule(TINY_3X3, shorter)).toEqual([
      { code: 'duration', job: 1, op: 0, expected: 1, actual: 0 },
    ]);
  });

  it('reports a wrong makespan', () => {
    for (const reported of [11, 13, 0]) {
      expect(validateSchedule(TINY_3X3, TINY_3X3_OPTIMAL_SCHEDULE, reported)).toEqual([
        { code: 'makespan', expected: 12, reported },
      ]);
    }
    // The makespan is measured from the schedule, so a stretched operation moves it.
    const stretched = withOp(TINY_3X3_OPTIMAL_SCHEDULE, 0, 2, 10, 13);
    expect(validateSchedule(TINY_3X3, stretched, 12)).toContainEqual({
      code: 'makespan',
      expected: 13,
      reported: 12,
    });
  });

  it('reports an unscheduled operation', () => {
    const schedule = withOp(TINY_3X3_OPTIMAL_SCHEDULE, 1, 2, -1, -1);
    expect(validateSchedule(TINY_3X3, schedule)).toEqual([{ code: 'unscheduled', job: 1, op: 2 }]);
    const empty: Schedule = {
      start: TINY_3X3.jobs.map((ops) => ops.map(() => -1)),
      end: TINY_3X3.jobs.map((ops) => ops.map(() => -1)),
    };
    const issues = validateSchedule(TINY_3X3, empty);
    expect(issues).toHaveLength(9);
    expect(issues.every((i) => i.code === 'unscheduled')).toBe(true);
  });

  it('reports a schedule of the wrong shape', () => {
    const fewerJobs: Schedule = {
      start: TINY_3X3_OPTIMAL_SCHEDULE.start.slice(0, 2),
      end: TINY_3X3_OPTIMAL_SCHEDULE.end.slice(0, 2),
    };
    const issues = validateSchedule(TINY_3X3, fewerJobs);
    expect(issues.map((i) => i.code)).toEqual(['shape']);

    const mismatchedEnd: Schedule = { start: TINY_3X3_OPTIMAL_SCHEDULE.start, end: [] };
    expect(validateSchedule(TINY_3X3, mismatchedEnd).map((i) => i.code)).toEqual(['shape']);

    const shortRow: Schedule = {
      start: [[1, 7], ...TINY_3X3_OPTIMAL_SCHEDULE.start.slice(1)],
      end: [[3, 10], ...TINY_3X3_OPTIMAL_SCHEDULE.end.slice(1)],
    };
    expect(validateSchedule(TINY_3X3, shortRow).map((i) => i.code)).toEqual(['shape']);

    // A full 3x3 schedule does not fit the ragged instance, whose last job has two operations.
    const rowIssues = validateSchedule(RAGGED, TINY_3X3_OPTIMAL_SCHEDULE);
    expect(rowIssues.some((i) => i.code === 'shape')).toBe(true);
  });

  it('describes every kind of issue in words', () => {
    const issues: ScheduleIssue[] = [
      { code: 'shape', message: 'expected 3 jobs' },
      { code: 'unscheduled', job: 1, op: 2 },
      { code: 'duration', job: 0, op: 2, expected: 2, actual: 3 },
      { code: 'precedence', job: 2, op: 2, start: 2, previousEnd: 3 },
      { code: 'overlap', machine: 1, first: [1, 1], second: [0, 1] },
      { code: 'makespan', expected: 12, reported: 13 },
    ];
    const texts = issues.map(describeIssue);
    expect(texts[0]).toBe('expected 3 jobs');
    expect(texts[1]).toMatch(/job 1 op 2/);
    expect(texts[4]).toMatch(/machine 1/);
    expect(texts[5]).toMatch(/13/);
    expect(new Set(texts).size).toBe(issues.length);
  });
});

describe('fixtures: brute-force optima', () => {
  /** Longest job and busiest machine. */
  const simpleBounds = (inst: Instance): [number, number] => {
    const load = new Array<number>(inst.numMachines).fill(0);
    let longest = 0;
    for (const ops of inst.jobs) {
      longest = Math.max(
        longest,
        ops.reduce((t, op) => t + op.duration, 0),
      );
      for (const op of ops) load[op.machine] += op.duration;
    }
    return [longest, Math.max(...load)];
  };

  it('the 3x3 fixture has optimum 12, above its simple bounds (8 and 9)', () => {
    const { makespan, schedule } = bruteForceOptimum(TINY_3X3);
    expect(makespan).toBe(TINY_3X3_OPTIMUM);
    expect(validateSchedule(TINY_3X3, schedule, makespan)).toEqual([]);
    expect(simpleBounds(TINY_3X3)).toEqual([8, 9]);
  });

  it('the ragged fixture has optimum 11 and the re-entrant one 9', () => {
    expect(bruteForceOptimum(RAGGED).makespan).toBe(RAGGED_OPTIMUM);
    expect(bruteForceOptimum(REENTRANT).makespan).toBe(REENTRANT_OPTIMUM);
    expect(simpleBounds(REENTRANT)).toEqual([7, 8]);
  });

  it('the brute force finds the optimum of instances solvable at a glance', () => {
    // One machine: the sum of durations. One job: its length.
    expect(bruteForceOptimum(singleMachine([3, 1, 4, 1])).makespan).toBe(9);
    const oneJob: Instance = {
      name: 'one-job',
      numJobs: 1,
      numMachines: 3,
      jobs: [
        [
          { machine: 2, duration: 2 },
          { machine: 0, duration: 5 },
          { machine: 1, duration: 1 },
        ],
      ],
    };
    expect(bruteForceOptimum(oneJob).makespan).toBe(8);
    // Two jobs crossing over two machines fit in the length of one job, 5.
    const crossing: Instance = {
      name: 'crossing',
      numJobs: 2,
      numMachines: 2,
      jobs: [
        [
          { machine: 0, duration: 3 },
          { machine: 1, duration: 2 },
        ],
        [
          { machine: 1, duration: 3 },
          { machine: 0, duration: 2 },
        ],
      ],
    };
    expect(bruteForceOptimum(crossing).makespan).toBe(5);
    // The same two jobs in one machine order must run one after the other on M0: 3 + 3 + 2.
    const queued: Instance = {
      ...crossing,
      jobs: [
        crossing.jobs[0],
        [
          { machine: 0, duration: 3 },
          { machine: 1, duration: 2 },
        ],
      ],
    };
    expect(bruteForceOptimum(queued).makespan).toBe(8);
  });

  it('refuses instances too large to enumerate', () => {
    const big = singleMachine(Array.from({ length: 20 }, () => 1));
    expect(() => bruteForceOptimum(big)).toThrow(/tiny/);
  });
});
