/**
 * Candidate and global features of the job shop, written once and shared by the environment, the
 * dispatching rules' viewer and the exported dispatch function, so that a policy sees the same
 * numbers in training and in production.
 *
 * Every feature is divided by a fixed scale, never by an instance-dependent quantity (such as the
 * number of jobs or the makespan), so that a policy trained at one size sees familiar values at
 * another. Times are in the instance's units; Taillard durations are 1..99, hence TIME_SCALE.
 */

/** One typical operation duration. */
export const TIME_SCALE = 100;
/** Ten typical operations: the scale of a job's or a machine's remaining work. */
export const WORK_SCALE = 1000;
/** The scale of operation counts. */
export const OPS_SCALE = 20;

export const CANDIDATE_FEATURES = [
  'duration', //          p / TIME_SCALE
  'start_delay', //       (start - earliest start among legal candidates) / TIME_SCALE
  'wait', //              (start - job ready time) / TIME_SCALE: time the job waits for its machine
  'inserted', //          1 if the operation fills an idle gap before the machine's last interval
  'job_work_left', //     work of the job's unscheduled operations, this one included / WORK_SCALE
  'job_ops_left', //      unscheduled operations of the job, this one included / OPS_SCALE
  'job_progress', //      fraction of the job's operations already scheduled
  'machine_work_left', // unscheduled work on this operation's machine / WORK_SCALE
  'machine_idle', //      idle time of the machine before its last interval / WORK_SCALE
  'slack', //             (lower bound - (start + job work left)) / WORK_SCALE: delay the job absorbs without raising the bound
] as const;

export const GLOBAL_FEATURES = [
  'progress', //          fraction of all operations scheduled
  'legal_fraction', //    legal candidates / jobs in the instance
  'utilization', //       busy time / (machines * lower bound)
  'bound_growth', //      (lower bound - initial lower bound) / WORK_SCALE
] as const;

export const NUM_CANDIDATE_FEATURES = CANDIDATE_FEATURES.length;
export const NUM_GLOBAL_FEATURES = GLOBAL_FEATURES.length;

/** What the features of one candidate are computed from: plain numbers of the job and its machine. */
export interface CandidateInputs {
  duration: number;
  start: number;
  earliestLegalStart: number;
  jobReady: number;
  machineLastEnd: number;
  jobWorkLeft: number;
  jobOpsLeft: number;
  jobNumOps: number;
  machineWorkLeft: number;
  machineBusy: number;
  lowerBound: number;
}

/**
 * Writes the F features of one candidate at `out[offset..offset+F)`. Arguments are positional so
 * that the environment's hot loop allocates nothing; `writeCandidateFeaturesOf` is the same
 * function over a named record.
 */
export function writeCandidateFeatures(
  out: Float32Array,
  offset: number,
  duration: number,
  start: number,
  earliestLegalStart: number,
  jobReady: number,
  machineLastEnd: number,
  jobWorkLeft: number,
  jobOpsLeft: number,
  jobNumOps: number,
  machineWorkLeft: number,
  machineBusy: number,
  lowerBound: number,
): void {
  out[offset] = duration / TIME_SCALE;
  out[offset + START_DELAY] = (start - earliestLegalStart) / TIME_SCALE;
  out[offset + 2] = (start - jobReady) / TIME_SCALE;
  out[offset + 3] = start + duration <= machineLastEnd && duration > 0 ? 1 : 0;
  out[offset + 4] = jobWorkLeft / WORK_SCALE;
  out[offset + 5] = jobOpsLeft / OPS_SCALE;
  out[offset + 6] = (jobNumOps - jobOpsLeft) / jobNumOps;
  out[offset + 7] = machineWorkLeft / WORK_SCALE;
  out[offset + 8] = (machineLastEnd - machineBusy) / WORK_SCALE;
  out[offset + SLACK] = (lowerBound - start - jobWorkLeft) / WORK_SCALE;
}

/** Feature indices that depend on the whole state (the earliest legal start and the lower bound). */
export const START_DELAY = 1;
export const SLACK = 9;

/**
 * Rewrites only the two features that depend on the whole state. The environment calls this for
 * candidates whose job and machine did not change in a step; the values equal what
 * writeCandidateFeatures would write (tested).
 */
export function writeRelativeFeatures(
  out: Float32Array,
  offset: number,
  start: number,
  earliestLegalStart: number,
  jobWorkLeft: number,
  lowerBound: number,
): void {
  out[offset + START_DELAY] = (start - earliestLegalStart) / TIME_SCALE;
  out[offset + SLACK] = (lowerBound - start - jobWorkLeft) / WORK_SCALE;
}

export function writeCandidateFeaturesOf(
  out: Float32Array,
  offset: number,
  c: CandidateInputs,
): void {
  writeCandidateFeatures(
    out,
    offset,
    c.duration,
    c.start,
    c.earliestLegalStart,
    c.jobReady,
    c.machineLastEnd,
    c.jobWorkLeft,
    c.jobOpsLeft,
    c.jobNumOps,
    c.machineWorkLeft,
    c.machineBusy,
    c.lowerBound,
  );
}

export function writeGlobalFeatures(
  out: Float32Array,
  offset: number,
  opsLeft: number,
  opsTotal: number,
  legal: number,
  numJobs: number,
  busyTotal: number,
  numMachines: number,
  lowerBound: number,
  initialLowerBound: number,
): void {
  out[offset] = (opsTotal - opsLeft) / opsTotal;
  out[offset + 1] = legal / numJobs;
  out[offset + 2] = lowerBound > 0 ? busyTotal / (numMachines * lowerBound) : 0;
  out[offset + 3] = (lowerBound - initialLowerBound) / WORK_SCALE;
}
