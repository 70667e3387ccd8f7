/**
 * Candidate and global features of the job shop, declared once: the environment calls these
 * writers, kernels/jobshop.wgsl writes the same numbers with offsets and scales generated from the
 * names and constants below (src/gpu/feature-constants.ts), and `schedrl export` embeds this
 * module's compiled JavaScript as it is, so a policy sees the same numbers in training and in
 * production. It must therefore import nothing (the type import below compiles away).
 *
 * Every feature is divided by a fixed scale, never by an instance-dependent quantity (such as the
 * number of jobs or the makespan), so that a policy trained at one size sees familiar values at
 * another. Times are in the instance's units; Taillard durations are 1..99, hence TIME_SCALE.
 */

import type { FeatureModule } from '../../src/core/features.js';

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

/** The arguments of writeCandidateFeatures after (out, offset), in order. */
export const CANDIDATE_INPUTS = [
  { name: 'duration', doc: 'processing time of the operation', unit: 'time units' },
  {
    name: 'start',
    doc: 'earliest start of the operation on its machine, idle gaps included',
    unit: 'time units',
  },
  {
    name: 'earliestLegalStart',
    doc: 'earliest start among the legal candidates',
    unit: 'time units',
  },
  {
    name: 'jobReady',
    doc: "end of the job's last scheduled operation, 0 before its first",
    unit: 'time units',
  },
  {
    name: 'machineLastEnd',
    doc: "end of the last operation scheduled on the operation's machine, 0 if none",
    unit: 'time units',
  },
  {
    name: 'jobWorkLeft',
    doc: "processing time of the job's unscheduled operations, this one included",
    unit: 'time units',
  },
  {
    name: 'jobOpsLeft',
    doc: 'unscheduled operations of the job, this one included',
    unit: 'operations',
  },
  { name: 'jobNumOps', doc: 'operations of the job', unit: 'operations' },
  {
    name: 'machineWorkLeft',
    doc: "processing time of the unscheduled operations on the operation's machine",
    unit: 'time units',
  },
  {
    name: 'machineBusy',
    doc: "processing time of the operations scheduled on the operation's machine",
    unit: 'time units',
  },
  {
    name: 'lowerBound',
    doc: 'makespan lower bound: max over jobs of next start + work left',
    unit: 'time units',
  },
] as const;

/** The arguments of writeGlobalFeatures after (out, offset), in order. */
export const GLOBAL_INPUTS = [
  { name: 'opsLeft', doc: 'operations not yet scheduled', unit: 'operations' },
  { name: 'opsTotal', doc: 'operations in the instance', unit: 'operations' },
  { name: 'legal', doc: 'legal candidates of this decision', unit: 'jobs' },
  { name: 'numJobs', doc: 'jobs in the instance', unit: 'jobs' },
  {
    name: 'busyTotal',
    doc: 'processing time of all scheduled operations',
    unit: 'time units',
  },
  { name: 'numMachines', doc: 'machines in the instance', unit: 'machines' },
  {
    name: 'lowerBound',
    doc: 'makespan lower bound: max over jobs of next start + work left',
    unit: 'time units',
  },
  {
    name: 'initialLowerBound',
    doc: 'lower bound of the empty schedule: the longest job',
    unit: 'time units',
  },
] as const;

/** Each name's index in its list: out[offset + CF.wait] is the candidate's 'wait' feature. */
function indexOf<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>;
}
const CF = indexOf(CANDIDATE_FEATURES);
const GF = indexOf(GLOBAL_FEATURES);

/** Feature indices that depend on the whole state (the earliest legal start and the lower bound). */
export const START_DELAY = CF.start_delay;
export const SLACK = CF.slack;

/**
 * Writes the F features of one candidate at `out[offset..offset+F)`, from CANDIDATE_INPUTS in
 * order. Arguments are positional so that the environment's hot loop allocates nothing.
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
  out[offset + CF.duration] = duration / TIME_SCALE;
  out[offset + CF.start_delay] = (start - earliestLegalStart) / TIME_SCALE;
  out[offset + CF.wait] = (start - jobReady) / TIME_SCALE;
  out[offset + CF.inserted] = start + duration <= machineLastEnd && duration > 0 ? 1 : 0;
  out[offset + CF.job_work_left] = jobWorkLeft / WORK_SCALE;
  out[offset + CF.job_ops_left] = jobOpsLeft / OPS_SCALE;
  out[offset + CF.job_progress] = (jobNumOps - jobOpsLeft) / jobNumOps;
  out[offset + CF.machine_work_left] = machineWorkLeft / WORK_SCALE;
  out[offset + CF.machine_idle] = (machineLastEnd - machineBusy) / WORK_SCALE;
  out[offset + CF.slack] = (lowerBound - start - jobWorkLeft) / WORK_SCALE;
}

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
  out[offset + CF.start_delay] = (start - earliestLegalStart) / TIME_SCALE;
  out[offset + CF.slack] = (lowerBound - start - jobWorkLeft) / WORK_SCALE;
}

/** Writes the G global features at `out[offset..offset+G)`, from GLOBAL_INPUTS in order. */
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
  out[offset + GF.progress] = (opsTotal - opsLeft) / opsTotal;
  out[offset + GF.legal_fraction] = legal / numJobs;
  out[offset + GF.utilization] = lowerBound > 0 ? busyTotal / (numMachines * lowerBound) : 0;
  out[offset + GF.bound_growth] = (lowerBound - initialLowerBound) / WORK_SCALE;
}

/** The job shop's feature module: what the trainer records, the kernel and export derive from. */
export const FEATURES = {
  candidate: CANDIDATE_FEATURES,
  global: GLOBAL_FEATURES,
  candidateInputs: CANDIDATE_INPUTS,
  globalInputs: GLOBAL_INPUTS,
  scales: { TIME_SCALE, WORK_SCALE, OPS_SCALE },
  writeCandidate: writeCandidateFeatures,
  writeGlobal: writeGlobalFeatures,
} as const satisfies FeatureModule;
