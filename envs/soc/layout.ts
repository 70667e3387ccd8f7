/**
 * Where every field of a batch of SoC job streams lives: one description from which the CPU's
 * typed arrays and the WGSL kernel's bindings and offset constants are both derived
 * (src/gpu/layout.ts). All fields are u32; the one float (the episode's return) is stored as its
 * bits.
 *
 * Size tokens: E copies, EP copies x processors, EN copies x jobs per episode, ES copies x job
 * slots, EST copies x job slots x task slots, EK copies x candidates. Per-task fields are split
 * over two buffers so that neither reaches the device's binding-size limit too early.
 */

import { BATCH_FIELDS } from '../../src/core/batch-env.js';
import {
  buildLayout,
  stateViews,
  type Layout,
  type LayoutSpec,
  type StateOf,
} from '../../src/gpu/layout.js';
import type { Workload } from './workload.js';

/** A free job slot, and the job index it holds otherwise. */
export const FREE_SLOT = 0xffffffff;

/** Task status codes. */
export const WAITING = 0;
export const READY = 1;
export const RUNNING = 2;
export const DONE = 3;

export const STATE_SPEC = {
  env: {
    type: 'u32',
    fields: {
      /** [E] simulated time, in ticks. */
      now: 'E',
      /** [E] jobs of the episode that have arrived (arrival <= now), admitted or not. */
      arrived: 'E',
      /** [E] jobs given a slot; jobs arrived - admitted wait for one. */
      admitted: 'E',
      /** [E] jobs of the episode that have finished. */
      finished: 'E',
      /** [E] ready tasks over all admitted jobs. */
      readyTasks: 'E',
      /** [E] keys the execution-time noise of this episode's tasks. */
      episodeKey: 'E',
      /** [E] the episode's noise level: an index into the workload's noise scales. */
      episodeNoise: 'E',
      /** [E] summed latency of finished jobs, ticks, low u32 word. */
      latencyLo: 'E',
      /** [E] its high word. */
      latencyHi: 'E',
      /** [E] candidates offered now (the rest of the K slots are masked). */
      numCandidates: 'E',
      /** [E, P] when each PE's reserved work really ends (the simulation's truth). */
      peFree: 'EP',
      /** [E, P] when schedulers expect it to end: the same work at the tables' times. */
      pePlanned: 'EP',
      /** [E, N] arrival time of each job of the episode, ticks (the first at 0). */
      jobArrival: 'EN',
      /** [E, N] template (job type) of each job of the episode. */
      jobTemplate: 'EN',
      /** [E, S] job held by each slot, FREE_SLOT when free. */
      slotJob: 'ES',
      /** [E, S] unfinished tasks of the slot's job. */
      slotTasksLeft: 'ES',
      /** [E, S] latest finish of the slot's finished tasks (its arrival before the first). */
      slotLastFinish: 'ES',
      /** [E, K] the offered candidates: slot << 24 | task << 8 | processor. */
      candidate: 'EK',
    },
  },
  /** The copy's random stream (arrivals and job types), its episode's return and length. */
  batch: BATCH_FIELDS,
  task_state: {
    type: 'u32',
    fields: {
      /** [E, S, T] WAITING, READY, RUNNING or DONE (slots beyond the job's tasks are DONE). */
      taskStatus: 'EST',
      /** [E, S, T] predecessors not yet finished. */
      taskPredsLeft: 'EST',
      /** [E, S, T] processor the task was assigned to. */
      taskProc: 'EST',
    },
  },
  task_time: {
    type: 'u32',
    fields: {
      /** [E, S, T] start, ticks. */
      taskStart: 'EST',
      /** [E, S, T] finish, ticks. */
      taskFinish: 'EST',
    },
  },
} as const satisfies LayoutSpec;

export type SocStateLayout = Layout<typeof STATE_SPEC>;
/** The explicit state of a batch: every field above as its typed view. */
export type SocState = StateOf<typeof STATE_SPEC>;

export interface SocDims {
  readonly numEnvs: number;
  readonly numProcs: number;
  readonly jobsPerEpisode: number;
  readonly slots: number;
  readonly maxTasks: number;
  readonly maxCandidates: number;
}

export function socDims(w: Workload, numEnvs: number, maxCandidates: number): SocDims {
  return {
    numEnvs,
    numProcs: w.numProcs,
    jobsPerEpisode: w.jobsPerEpisode,
    slots: w.slots,
    maxTasks: w.maxTasks,
    maxCandidates,
  };
}

export function stateSizes(d: SocDims): Record<string, number> {
  const E = d.numEnvs;
  return {
    E,
    EP: E * d.numProcs,
    EN: E * d.jobsPerEpisode,
    ES: E * d.slots,
    EST: E * d.slots * d.maxTasks,
    EK: E * d.maxCandidates,
  };
}

/** A zeroed state and the layout it lives in (the GPU backend uploads `layout.*.data`). */
export function allocateSocState(d: SocDims): { state: SocState; layout: SocStateLayout } {
  const layout = buildLayout(STATE_SPEC, stateSizes(d));
  return { state: stateViews(layout), layout };
}
