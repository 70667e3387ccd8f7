/**
 * Job-shop scheduling: n jobs, each a fixed sequence of operations, each operation needing one
 * machine for a fixed duration. A decision picks the job whose next operation is scheduled next.
 */

import type { Observation } from '../../src/core/vecenv.js';
import type { State } from './layout.js';

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

/** The state's type is derived from its layout, where each field is declared with its shape. */
export type { State } from './layout.js';

/** What dispatching rules and tools read from a batch, on either backend (JobShopEnv, JobShopGpuEnv). */
export interface JobShopBatch {
  readonly numEnvs: number;
  readonly config: JobShopConfig;
  readonly dims: Dims;
  /** On `webgpu`, current after `syncState()`. */
  readonly state: State;
  readonly obs: Observation;
  instance(e: number): Instance;
  schedule(e: number): Schedule;
  finalSchedule(e: number): { instanceIndex: number; schedule: Schedule };
}
