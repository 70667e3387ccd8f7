/**
 * Candidate and global features of SoC job streams, declared once: the environment calls these
 * writers, kernels/soc.wgsl writes the same numbers in f32 with offsets and scales generated from
 * the names and constants below (src/gpu/feature-constants.ts), and `schedrl export` embeds this
 * module's compiled JavaScript as it is. It must therefore import nothing (the type import below
 * compiles away). Times are in the tables' units (microseconds for DS3).
 */

import type { FeatureModule } from '../../src/core/features.js';

/** One typical task execution time. */
export const TIME_SCALE = 100;
/** A typical number of jobs in the system at once. */
export const JOBS_SCALE = 8;
/** A typical number of ready tasks. */
export const TASKS_SCALE = 16;

export const CANDIDATE_FEATURES = [
  'exec_time', //    expected execution time on this processor / TIME_SCALE
  'finish_delay', // expected finish - now / TIME_SCALE
  'data_wait', //    inputs' arrival on this processor - now / TIME_SCALE
  'pe_wait', //      processor's planned end of its reserved work - now / TIME_SCALE
  'upward_rank', //  task's upward rank / TIME_SCALE
  'job_age', //      now - job arrival / TIME_SCALE
  'speed', //        fastest execution time of the task / this one (1 = the best processor)
  'job_left', //     job's unfinished tasks / its tasks
  'job_path', //     job's remaining critical path (highest upward rank of its unstarted tasks) / TIME_SCALE
  'pe_busy', //      1 if the processor is reserved past now, running or holding for inputs (observed)
] as const;

export const GLOBAL_FEATURES = [
  'jobs_in_system', // jobs arrived and unfinished / JOBS_SCALE
  'ready_tasks', //    ready tasks / TASKS_SCALE
  'idle_pes', //       fraction of processors free now
  'episode_left', //   jobs yet to arrive / jobs per episode
] as const;

/** The arguments of writeSocCandidateFeatures after (out, offset), in order. */
export const CANDIDATE_INPUTS = [
  { name: 'exec', doc: 'expected execution time of the task on this processor', unit: 'µs' },
  {
    name: 'fastestExec',
    doc: 'expected execution time of the task on its fastest processor',
    unit: 'µs',
  },
  { name: 'now', doc: 'current time', unit: 'µs' },
  {
    name: 'dataReady',
    doc: "when the task's inputs can all be on this processor, not before now",
    unit: 'µs',
  },
  {
    name: 'pePlannedFree',
    doc: "when this processor's reserved work is planned to end",
    unit: 'µs',
  },
  {
    name: 'upwardRank',
    doc: "the task's upward rank: its longest expected path to its job's end",
    unit: 'µs',
  },
  { name: 'jobArrival', doc: "arrival time of the task's job", unit: 'µs' },
  { name: 'jobTasksLeft', doc: "unfinished tasks of the task's job", unit: 'tasks' },
  { name: 'jobTasks', doc: "tasks of the task's job", unit: 'tasks' },
  {
    name: 'jobPathLeft',
    doc: "highest upward rank among the job's tasks not yet started",
    unit: 'µs',
  },
  {
    name: 'peBusy',
    doc: 'whether the processor is running or holding a task past now',
    unit: '0/1',
  },
] as const;

/** The arguments of writeSocGlobalFeatures after (out, offset), in order. */
export const GLOBAL_INPUTS = [
  { name: 'jobsInSystem', doc: 'jobs arrived and not finished', unit: 'jobs' },
  {
    name: 'readyTasks',
    doc: 'tasks whose predecessors have all finished, not yet assigned',
    unit: 'tasks',
  },
  { name: 'idleProcessors', doc: 'processors with nothing running now', unit: 'processors' },
  { name: 'processors', doc: 'processors of the SoC', unit: 'processors' },
  { name: 'jobsToArrive', doc: 'jobs of the episode yet to arrive', unit: 'jobs' },
  { name: 'jobsPerEpisode', doc: 'jobs per episode', unit: 'jobs' },
] as const;

/** Each name's index in its list: out[offset + CF.speed] is the candidate's 'speed' feature. */
function indexOf<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>;
}
const CF = indexOf(CANDIDATE_FEATURES);
const GF = indexOf(GLOBAL_FEATURES);

/** Writes the F features of one candidate at `out[offset..)`, from CANDIDATE_INPUTS in order. */
export function writeSocCandidateFeatures(
  out: Float32Array,
  offset: number,
  exec: number,
  fastestExec: number,
  now: number,
  dataReady: number,
  pePlannedFree: number,
  upwardRank: number,
  jobArrival: number,
  jobTasksLeft: number,
  jobTasks: number,
  jobPathLeft: number,
  peBusy: number,
): void {
  const start = Math.max(dataReady, pePlannedFree);
  out[offset + CF.exec_time] = exec / TIME_SCALE;
  out[offset + CF.finish_delay] = (start + exec - now) / TIME_SCALE;
  out[offset + CF.data_wait] = (dataReady - now) / TIME_SCALE;
  out[offset + CF.pe_wait] = Math.max(0, pePlannedFree - now) / TIME_SCALE;
  out[offset + CF.upward_rank] = upwardRank / TIME_SCALE;
  out[offset + CF.job_age] = (now - jobArrival) / TIME_SCALE;
  // Some DS3 tasks take 0 us somewhere: such a processor is as fast as any.
  out[offset + CF.speed] = exec > 0 ? fastestExec / exec : 1;
  out[offset + CF.job_left] = jobTasksLeft / jobTasks;
  out[offset + CF.job_path] = jobPathLeft / TIME_SCALE;
  out[offset + CF.pe_busy] = peBusy > 0 ? 1 : 0;
}

/** Writes the G global features at `out[offset..)`, from GLOBAL_INPUTS in order. */
export function writeSocGlobalFeatures(
  out: Float32Array,
  offset: number,
  jobsInSystem: number,
  readyTasks: number,
  idleProcessors: number,
  processors: number,
  jobsToArrive: number,
  jobsPerEpisode: number,
): void {
  out[offset + GF.jobs_in_system] = jobsInSystem / JOBS_SCALE;
  out[offset + GF.ready_tasks] = readyTasks / TASKS_SCALE;
  out[offset + GF.idle_pes] = idleProcessors / processors;
  out[offset + GF.episode_left] = jobsToArrive / jobsPerEpisode;
}

/** The SoC feature module: what the trainer records, the kernel and export derive from. */
export const FEATURES = {
  candidate: CANDIDATE_FEATURES,
  global: GLOBAL_FEATURES,
  candidateInputs: CANDIDATE_INPUTS,
  globalInputs: GLOBAL_INPUTS,
  scales: { TIME_SCALE, JOBS_SCALE, TASKS_SCALE },
  writeCandidate: writeSocCandidateFeatures,
  writeGlobal: writeSocGlobalFeatures,
} as const satisfies FeatureModule;
