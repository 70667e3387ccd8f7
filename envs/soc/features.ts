/**
 * Candidate and global features of SoC job streams, written once and shared by the environment
 * and exported dispatch functions (kernels/soc.wgsl writes the same numbers in f32). Times are in
 * the tables' units (microseconds for DS3), divided by a fixed TIME_SCALE.
 */

export const TIME_SCALE = 100;

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
  'jobs_in_system', // / 8
  'ready_tasks', //    / 16
  'idle_pes', //       fraction of processors free now
  'episode_left', //   jobs yet to arrive / jobs per episode
] as const;

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
  out[offset] = exec / TIME_SCALE;
  out[offset + 1] = (start + exec - now) / TIME_SCALE;
  out[offset + 2] = (dataReady - now) / TIME_SCALE;
  out[offset + 3] = Math.max(0, pePlannedFree - now) / TIME_SCALE;
  out[offset + 4] = upwardRank / TIME_SCALE;
  out[offset + 5] = (now - jobArrival) / TIME_SCALE;
  // Some DS3 tasks take 0 us somewhere: such a processor is as fast as any.
  out[offset + 6] = exec > 0 ? fastestExec / exec : 1;
  out[offset + 7] = jobTasksLeft / jobTasks;
  out[offset + 8] = jobPathLeft / TIME_SCALE;
  out[offset + 9] = peBusy > 0 ? 1 : 0;
}

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
  out[offset] = jobsInSystem / 8;
  out[offset + 1] = readyTasks / 16;
  out[offset + 2] = idleProcessors / processors;
  out[offset + 3] = jobsToArrive / jobsPerEpisode;
}
