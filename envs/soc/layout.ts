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

import { buildLayout, type Layout, type LayoutSpec } from '../../src/gpu/layout.js';
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
      /** Simulated time, in ticks. */
      now: 'E',
      /** Jobs of the episode that have arrived (arrival <= now), admitted or not. */
      arrived: 'E',
      /** Jobs given a slot; jobs arrived - admitted wait for one. */
      admitted: 'E',
      finished: 'E',
      /** Ready tasks over all admitted jobs. */
      readyTasks: 'E',
      /** Keys the execution-time noise of this episode's tasks. */
      episodeKey: 'E',
      episodeLength: 'E',
      /** f32 bits. */
      episodeReturn: 'E',
      /** Summed latency of finished jobs, ticks, as two u32 words. */
      latencyLo: 'E',
      latencyHi: 'E',
      numCandidates: 'E',
      /** When each PE's reserved work really ends (the simulation's truth). */
      peFree: 'EP',
      /** When schedulers expect it to end: the same work at the tables' times. */
      pePlanned: 'EP',
      jobArrival: 'EN',
      jobTemplate: 'EN',
      slotJob: 'ES',
      slotTasksLeft: 'ES',
      slotLastFinish: 'ES',
      /** The offered candidates: slot << 24 | task << 8 | processor. */
      candidate: 'EK',
    },
  },
  /** Arrival stream of each copy (DESIGN.md's generator). */
  rng: { type: 'u32', fields: { rng: 'E' } },
  task_state: {
    type: 'u32',
    fields: { taskStatus: 'EST', taskPredsLeft: 'EST', taskProc: 'EST' },
  },
  task_time: { type: 'u32', fields: { taskStart: 'EST', taskFinish: 'EST' } },
} as const satisfies LayoutSpec;

export type SocStateLayout = Layout<typeof STATE_SPEC>;
type Fields<B extends keyof SocStateLayout> = SocStateLayout[B]['views'];
export type SocState = Fields<'env'> & Fields<'rng'> & Fields<'task_state'> & Fields<'task_time'>;

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
  const state: SocState = {
    ...layout.env.views,
    ...layout.rng.views,
    ...layout.task_state.views,
    ...layout.task_time.views,
  };
  return { state, layout };
}
