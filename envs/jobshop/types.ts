/**
 * Job-shop scheduling: n jobs, each a fixed sequence of operations, each operation needing one
 * machine for a fixed duration. A decision picks the job whose next operation is scheduled next.
 */

export interface Operation {
  /** 0-based machine index. */
  readonly machine: number;
  /** Processing time, a non-negative integer. */
  readonly duration: number;
}

export interface Instance {
  readonly name: string;
  readonly numJobs: number;
  readonly numMachines: number;
  /** jobs[j][o]: the o-th operation of job j. Jobs may have fewer operations than machines and may revisit a machine. */
  readonly jobs: readonly (readonly Operation[])[];
}

/** A finished (or partial) schedule: start and end time of every operation, -1 where unscheduled. The environment decides starts; ends are start + duration. */
export interface Schedule {
  /** start[j][o] */
  readonly start: readonly (readonly number[])[];
  /** end[j][o] */
  readonly end: readonly (readonly number[])[];
}

/**
 * How a decision becomes a start time, and which jobs are legal.
 * - `active`: every job with operations left is a candidate; the chosen operation starts at the
 *   earliest time its job and machine allow, inserted into an earlier idle gap on the machine when
 *   it fits. Every schedule built this way is active. This is the mode of L2D (Zhang et al. 2020).
 * - `conflict`: the Giffler-Thompson conflict set. Among the ready operations take the one with the
 *   earliest completion time c* (ties: lowest job index) and its machine M*; only operations on M*
 *   that can start before c* are legal. Every schedule built this way is active, and every active
 *   schedule can be built.
 * - `nondelay`: Giffler and Thompson's non-delay variant. Take the ready operation with the
 *   earliest start s* (ties: lowest job index) and its machine M*; only operations on M* that can
 *   start at s* are legal, so no machine is kept idle while an operation could run on it.
 */
export type ScheduleMode = 'active' | 'conflict' | 'nondelay';

/** `dense`: reward -(increase of the makespan lower bound), so the return is LB0 - makespan. `sparse`: -makespan at the end, 0 before. */
export type RewardMode = 'dense' | 'sparse';

export const SCHEDULE_MODES: readonly ScheduleMode[] = ['active', 'conflict', 'nondelay'];
export const REWARD_MODES: readonly RewardMode[] = ['dense', 'sparse'];

/** Random instances drawn from each copy's RNG stream (see generator.ts for the exact draw order). */
export interface RandomSource {
  readonly kind: 'random';
  readonly numJobs: number;
  readonly numMachines: number;
  /** Inclusive duration range; Taillard's is [1, 99]. */
  readonly minDuration: number;
  readonly maxDuration: number;
}

/** A fixed list of instances: copy i plays instances[(i + k * numEnvs) % length] in its k-th episode. */
export interface FixedSource {
  readonly kind: 'fixed';
  readonly instances: readonly Instance[];
}

export type InstanceSource = RandomSource | FixedSource;

export interface JobShopConfig {
  readonly numEnvs: number;
  readonly source: InstanceSource;
  /** Default `active`. */
  readonly mode: ScheduleMode;
  /** Default `dense`. */
  readonly reward: RewardMode;
}

/** Array sizes of a batch, derived once from the config. */
export interface Dims {
  readonly numEnvs: number;
  /** J: job slots per copy, also K (one candidate per job). */
  readonly maxJobs: number;
  /** O: operation slots per job. */
  readonly maxOps: number;
  /** M: machine slots per copy. */
  readonly maxMachines: number;
  /** S: interval slots per machine (the most operations any instance puts on one machine). */
  readonly slotsPerMachine: number;
}

/**
 * The explicit state of a batch, structure of arrays. Nothing else holds state, so the WGSL
 * kernel can mirror it buffer for buffer; layout.ts says which buffer holds each field.
 */
export interface State {
  /** [E] RNG stream per copy, continued across auto-resets. */
  readonly rng: Uint32Array;
  /** [E] episodes started by each copy. */
  readonly episode: Int32Array;
  /** [E] index into the fixed instance list of the current episode (the next is this + numEnvs, modulo the list), -1 for random instances. */
  readonly instanceIndex: Int32Array;

  // The instance.
  /** [E] jobs in this copy's instance (slots beyond are empty jobs). */
  readonly numJobs: Int32Array;
  /** [E] machines in this copy's instance. */
  readonly numMachines: Int32Array;
  /** [E, J] operations of each job. */
  readonly jobNumOps: Int32Array;
  /** [E, J, O] machine of each operation. */
  readonly opMachine: Int32Array;
  /** [E, J, O] duration of each operation, 0 beyond jobNumOps. */
  readonly opDuration: Int32Array;

  // Progress of the schedule.
  /** [E, J, O] start time, -1 while unscheduled. */
  readonly opStart: Int32Array;
  /** [E, J] index of the next unscheduled operation (== jobNumOps when the job is done). */
  readonly jobNextOp: Int32Array;
  /** [E, J] end time of the job's last scheduled operation (0 before the first). */
  readonly jobReady: Int32Array;
  /** [E, J] total duration of the job's unscheduled operations. */
  readonly jobWorkLeft: Int32Array;
  /** [E, J] machine of the job's next operation, -1 when the job is done. */
  readonly candMachine: Int32Array;
  /** [E, J] earliest start of the job's next operation (gap insertion included). */
  readonly candStart: Int32Array;
  /** [E, J] position in the machine's interval list where that operation would be inserted. */
  readonly candSlot: Int32Array;
  /** [E, M] number of scheduled intervals on each machine. */
  readonly machCount: Int32Array;
  /** [E, M, S] start times of the machine's intervals, sorted. */
  readonly machStart: Int32Array;
  /** [E, M, S] end times of the machine's intervals, sorted. */
  readonly machEnd: Int32Array;
  /** [E, M] total duration of the unscheduled operations on each machine. */
  readonly machWorkLeft: Int32Array;
  /** [E, M] total duration of the scheduled operations on each machine. */
  readonly machBusy: Int32Array;
  /** [E] operations not yet scheduled. */
  readonly opsLeft: Int32Array;
  /** [E] operations in the instance. */
  readonly opsTotal: Int32Array;
  /** [E] makespan lower bound: max over jobs of (next start + work left), or end for finished jobs. */
  readonly lowerBound: Int32Array;
  /** [E] the lower bound of the empty schedule (the longest job). */
  readonly initialLowerBound: Int32Array;
  /** [E] total duration of the scheduled operations. */
  readonly workDone: Int32Array;

  // Episode bookkeeping.
  /** [E] return accumulated so far in the current episode (rewards are integers). */
  readonly episodeReturn: Int32Array;
  /** [E] decisions taken so far in the current episode. */
  readonly episodeLength: Int32Array;
  /** [E, J, O] start times of the last finished episode (kept across the auto-reset). */
  readonly finalStart: Int32Array;
  /** [E] instance index of the last finished episode (-1 for random instances). */
  readonly finalInstanceIndex: Int32Array;
}
