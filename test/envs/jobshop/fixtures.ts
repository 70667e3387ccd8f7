/**
 * Tiny hand-made job-shop instances with known optima, their text in the file formats that
 * instances.ts reads, and a brute-force solver that finds the true optimum of instances this small.
 */

import type { Instance, Operation, Schedule } from '../../../envs/jobshop/types.js';

const op = (machine: number, duration: number): Operation => ({ machine, duration });

/**
 * A 3x3 instance whose optimum, 12, is above both simple bounds (longest job 8, busiest machine 9).
 *
 *     job 0: (M0, 2) (M1, 3) (M2, 2)
 *     job 1: (M2, 1) (M1, 4) (M0, 3)
 *     job 2: (M0, 1) (M1, 2) (M2, 4)
 *
 * Lower bound 12. Every job visits M1 second. So M1 cannot start before time 1 (each of its
 * operations follows one of duration >= 1), it must then process 3 + 4 + 2 = 9 units, and the
 * job that M1 serves last still has its third operation to run, of duration >= 2. Hence
 * makespan >= 1 + 9 + 2 = 12.
 *
 * Upper bound 12: the schedule TINY_3X3_OPTIMAL_SCHEDULE,
 *
 *     M0: J2 [0,1]  J0 [1,3]   J1 [7,10]
 *     M1: J2 [1,3]  J1 [3,7]   J0 [7,10]
 *     M2: J1 [0,1]  J2 [3,7]   J0 [10,12]
 *
 * The order on M1 is forced: of the six orders only J2, J1, J0 reaches 12 (J1 first or J0 first
 * on M1 gives at least 13; checked by enumerating all semi-active schedules), so a dispatching
 * rule that is not careful misses the optimum.
 */
export const TINY_3X3: Instance = {
  name: 'tiny3x3',
  numJobs: 3,
  numMachines: 3,
  jobs: [
    [op(0, 2), op(1, 3), op(2, 2)],
    [op(2, 1), op(1, 4), op(0, 3)],
    [op(0, 1), op(1, 2), op(2, 4)],
  ],
};

export const TINY_3X3_OPTIMUM = 12;

/** The optimal schedule drawn above; start[j][o] and end[j][o]. */
export const TINY_3X3_OPTIMAL_SCHEDULE: Schedule = {
  start: [
    [1, 7, 10],
    [0, 3, 7],
    [0, 1, 3],
  ],
  end: [
    [3, 10, 12],
    [1, 7, 10],
    [1, 3, 7],
  ],
};

/**
 * A ragged instance: job 2 has two operations on three machines. It is the example of the
 * OR-Tools job-shop tutorial, whose optimum is 11 (confirmed by bruteForceOptimum).
 */
export const RAGGED: Instance = {
  name: 'ragged',
  numJobs: 3,
  numMachines: 3,
  jobs: [
    [op(0, 3), op(1, 2), op(2, 2)],
    [op(0, 2), op(2, 1), op(1, 4)],
    [op(1, 4), op(2, 3)],
  ],
};

export const RAGGED_OPTIMUM = 11;

/**
 * A re-entrant instance: job 0 visits M0 twice, job 1 visits M1 twice, and job 2 is shorter.
 * Optimum 9 (by bruteForceOptimum), above the simple bounds (longest job 7, busiest machine 8).
 */
export const REENTRANT: Instance = {
  name: 'reentrant',
  numJobs: 3,
  numMachines: 3,
  jobs: [
    [op(0, 3), op(1, 2), op(0, 2)],
    [op(1, 2), op(0, 2), op(1, 1)],
    [op(2, 1), op(1, 3)],
  ],
};

export const REENTRANT_OPTIMUM = 9;

/**
 * A zero-length operation: J1's middle operation takes no time on M0, which J0 holds for [0, 10].
 * It occupies no machine time, so the optimum is 10 (J1 runs [0,5] and [5,10] on M1).
 */
export const ZERO_LENGTH: Instance = {
  name: 'zero',
  numJobs: 2,
  numMachines: 2,
  jobs: [[op(0, 10)], [op(1, 5), op(0, 0), op(1, 5)]],
};

export const ZERO_LENGTH_OPTIMUM = 10;

// ---------------------------------------------------------------------------------------------
// Instance files as text

/** TINY_3X3 in the standard (OR-Library) format, with comments and a blank line. */
export const TINY_3X3_STANDARD_TEXT = `# tiny3x3: 3 jobs x 3 machines, optimum 12
# <jobs> <machines>, then <machine> <duration> pairs, machines 0-based

3 3
0 2 1 3 2 2
2 1 1 4 0 3
0 1 1 2 2 4
`;

/** TINY_3X3 in Taillard's own layout: labelled header with seeds and bounds, "Times", "Machines" (1-based). */
export const TINY_3X3_TAILLARD_LABELLED_TEXT = `Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound
          3            3           1            2           12          12
Times
  2  3  2
  1  4  3
  1  2  4
Machines
  1  2  3
  3  2  1
  1  2  3
`;

/** TINY_3X3 in Taillard's layout without any label: header, 3 lines of durations, 3 of 1-based machines. */
export const TINY_3X3_TAILLARD_TEXT = `3 3
2 3 2
1 4 3
1 2 4
1 2 3
3 2 1
1 2 3
`;

/** TINY_3X3 in Taillard's layout with "Times" and "Machines" lines but no "Nb of jobs" line. */
export const TINY_3X3_TAILLARD_SECTIONS_TEXT = `3 3
Times
2 3 2
1 4 3
1 2 4
Machines
1 2 3
3 2 1
1 2 3
`;

/** RAGGED in the standard format: the last job line is shorter. */
export const RAGGED_STANDARD_TEXT = `3 3
0 3 1 2 2 2
0 2 2 1 1 4
1 4 2 3
`;

/** REENTRANT in the standard format: machines repeat within a line. */
export const REENTRANT_STANDARD_TEXT = `3 3
0 3 1 2 0 2
1 2 0 2 1 1
2 1 1 3
`;

// ---------------------------------------------------------------------------------------------
// Brute force

export interface Solution {
  readonly makespan: number;
  readonly schedule: Schedule;
}

/**
 * The optimal makespan of a tiny instance, with a schedule reaching it.
 *
 * Every schedule can be shifted left into a semi-active one (each operation starts when both its
 * job predecessor and its machine predecessor have ended) without growing the makespan, and every
 * semi-active schedule is produced by some order of dispatching whole jobs' next operations, each
 * appended at the end of its machine. So a depth-first search over all dispatch orders, pruned only
 * by the best makespan found so far, finds the optimum. It shares no code with the environment.
 * Meant for up to ~10 operations (a 3x3 instance has 1680 dispatch orders).
 */
export function bruteForceOptimum(inst: Instance): Solution {
  const totalOps = inst.jobs.reduce((n, ops) => n + ops.length, 0);
  if (totalOps > 12)
    throw new Error(`bruteForceOptimum is for tiny instances, this one has ${totalOps} operations`);
  const next = inst.jobs.map(() => 0);
  const jobReady = inst.jobs.map(() => 0);
  const machineReady = new Array<number>(inst.numMachines).fill(0);
  const start = inst.jobs.map((ops) => ops.map(() => -1));
  const end = inst.jobs.map((ops) => ops.map(() => -1));
  let best = Number.POSITIVE_INFINITY;
  let bestStart: number[][] = [];
  let bestEnd: number[][] = [];

  const search = (done: number, makespan: number): void => {
    if (done === totalOps) {
      if (makespan < best) {
        best = makespan;
        bestStart = start.map((row) => [...row]);
        bestEnd = end.map((row) => [...row]);
      }
      return;
    }
    inst.jobs.forEach((ops, j) => {
      const o = next[j];
      if (o === ops.length) return;
      const { machine, duration } = ops[o];
      const s = Math.max(jobReady[j], machineReady[machine]);
      const e = s + duration;
      if (Math.max(makespan, e) >= best) return;
      const savedJob = jobReady[j];
      const savedMachine = machineReady[machine];
      next[j] = o + 1;
      jobReady[j] = e;
      machineReady[machine] = e;
      start[j][o] = s;
      end[j][o] = e;
      search(done + 1, Math.max(makespan, e));
      next[j] = o;
      jobReady[j] = savedJob;
      machineReady[machine] = savedMachine;
      start[j][o] = -1;
      end[j][o] = -1;
    });
  };

  search(0, 0);
  return { makespan: best, schedule: { start: bestStart, end: bestEnd } };
}
