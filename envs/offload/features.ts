/**
 * Candidate and global features of edge/cloud offloading, declared once: the environment calls
 * these writers, kernels/offload.wgsl writes the same numbers in f32 with offsets and scales
 * generated from the names and constants below, and `schedrl export` embeds this module's
 * compiled JavaScript as it is. It must therefore import nothing (the type import compiles away).
 *
 * A decision places one arriving task; the candidates are its placements: its own edge device,
 * the least loaded neighbouring devices, the cloud, and dropping it. Times are milliseconds.
 */

import type { FeatureModule } from '../../src/core/features.js';

/** One second. */
export const TIME_SCALE = 1000;
/** A typical benefit. */
export const UTILITY_SCALE = 100;
/** An edge device's queue slots. */
export const QUEUE_SCALE = 16;

export const CANDIDATE_FEATURES = [
  'own_edge', //     1 for the task's own edge device
  'neighbour', //    1 for a neighbouring edge device
  'cloud', //        1 for the cloud
  'drop', //         1 for dropping the task
  'wait', //         expected wait before it starts / TIME_SCALE
  'run', //          expected run (edge time, transfer included, or cloud latency) / TIME_SCALE
  'slack', //        time to the deadline left after the expected finish / TIME_SCALE (0 for drop)
  'meets', //        1 if it is expected to meet its deadline there
  'utility', //      expected utility: benefit if expected in time, minus the cost / UTILITY_SCALE
  'cost', //         cost of running it there / UTILITY_SCALE
  'displaced', //    benefit of queued tasks it would push past their deadlines / UTILITY_SCALE
  'queue', //        tasks queued on that edge device / QUEUE_SCALE
] as const;

export const GLOBAL_FEATURES = [
  'model_hv', //   the task's model, one-hot over the study's six
  'model_md',
  'model_bp',
  'model_dev',
  'model_cd',
  'model_deo',
  'age', //         time since the task arrived / TIME_SCALE
  'time_left', //   time to its deadline / TIME_SCALE
  'benefit', //     its benefit / UTILITY_SCALE
  'cloud_ratio', // recent cloud calls' observed latency over the table's (1 = as the table)
  'queued', //      tasks queued over all edge devices / (devices x QUEUE_SCALE)
  'idle_edges', //  fraction of edge devices running nothing
  'episode_left', // tasks yet to arrive / tasks per episode
] as const;

/** The arguments of writeOffloadCandidateFeatures after (out, offset), in order. */
export const CANDIDATE_INPUTS = [
  {
    name: 'kind',
    doc: '0 own edge device, 1 a neighbouring one, 2 the cloud, 3 drop',
    unit: 'code',
  },
  { name: 'timeLeft', doc: "time from now to the task's deadline", unit: 'ms' },
  {
    name: 'wait',
    doc: 'expected wait before it starts there (queued work ahead of it)',
    unit: 'ms',
  },
  {
    name: 'run',
    doc: 'expected run there: edge time (plus transfer to a neighbour) or cloud latency',
    unit: 'ms',
  },
  { name: 'benefit', doc: 'utility of the task if it meets its deadline', unit: 'utility' },
  { name: 'cost', doc: 'cost of running it there (charged even on a miss)', unit: 'utility' },
  {
    name: 'displacedBenefit',
    doc: 'summed benefit of queued tasks that would then miss their deadlines',
    unit: 'utility',
  },
  {
    name: 'queueLength',
    doc: 'tasks queued on that edge device (0 for cloud, drop)',
    unit: 'tasks',
  },
] as const;

/** The arguments of writeOffloadGlobalFeatures after (out, offset), in order. */
export const GLOBAL_INPUTS = [
  { name: 'model', doc: 'model index: HV 0, MD 1, BP 2, DEV 3, CD 4, DEO 5', unit: 'index' },
  { name: 'age', doc: 'time since the task arrived', unit: 'ms' },
  { name: 'timeLeft', doc: "time from now to the task's deadline", unit: 'ms' },
  { name: 'benefit', doc: 'utility of the task if it meets its deadline', unit: 'utility' },
  {
    name: 'cloudRatio',
    doc: "recent cloud calls' observed latency over the table's (mean of the last 8; 1 before any)",
    unit: 'ratio',
  },
  { name: 'queuedTasks', doc: 'tasks queued over all edge devices', unit: 'tasks' },
  { name: 'idleEdges', doc: 'edge devices running nothing now', unit: 'devices' },
  { name: 'edges', doc: 'edge devices', unit: 'devices' },
  { name: 'tasksToArrive', doc: 'tasks of the episode yet to arrive', unit: 'tasks' },
  { name: 'tasksPerEpisode', doc: 'tasks per episode', unit: 'tasks' },
] as const;

function indexOf<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>;
}
const CF = indexOf(CANDIDATE_FEATURES);
const GF = indexOf(GLOBAL_FEATURES);

export function writeOffloadCandidateFeatures(
  out: Float32Array,
  offset: number,
  kind: number,
  timeLeft: number,
  wait: number,
  run: number,
  benefit: number,
  cost: number,
  displacedBenefit: number,
  queueLength: number,
): void {
  const isDrop = kind === 3;
  const slack = isDrop ? 0 : timeLeft - wait - run;
  const meets = !isDrop && slack >= 0;
  out[offset + CF.own_edge] = kind === 0 ? 1 : 0;
  out[offset + CF.neighbour] = kind === 1 ? 1 : 0;
  out[offset + CF.cloud] = kind === 2 ? 1 : 0;
  out[offset + CF.drop] = isDrop ? 1 : 0;
  out[offset + CF.wait] = wait / TIME_SCALE;
  out[offset + CF.run] = run / TIME_SCALE;
  out[offset + CF.slack] = slack / TIME_SCALE;
  out[offset + CF.meets] = meets ? 1 : 0;
  out[offset + CF.utility] = ((meets ? benefit : 0) - cost) / UTILITY_SCALE;
  out[offset + CF.cost] = cost / UTILITY_SCALE;
  out[offset + CF.displaced] = displacedBenefit / UTILITY_SCALE;
  out[offset + CF.queue] = queueLength / QUEUE_SCALE;
}

export function writeOffloadGlobalFeatures(
  out: Float32Array,
  offset: number,
  model: number,
  age: number,
  timeLeft: number,
  benefit: number,
  cloudRatio: number,
  queuedTasks: number,
  idleEdges: number,
  edges: number,
  tasksToArrive: number,
  tasksPerEpisode: number,
): void {
  for (let m = 0; m < 6; m++) out[offset + GF.model_hv + m] = m === model ? 1 : 0;
  out[offset + GF.age] = age / TIME_SCALE;
  out[offset + GF.time_left] = timeLeft / TIME_SCALE;
  out[offset + GF.benefit] = benefit / UTILITY_SCALE;
  out[offset + GF.cloud_ratio] = cloudRatio;
  out[offset + GF.queued] = queuedTasks / (edges * QUEUE_SCALE);
  out[offset + GF.idle_edges] = idleEdges / edges;
  out[offset + GF.episode_left] = tasksToArrive / tasksPerEpisode;
}

/** The offloading feature module: what the trainer records, the kernel and export derive from. */
export const FEATURES = {
  candidate: CANDIDATE_FEATURES,
  global: GLOBAL_FEATURES,
  candidateInputs: CANDIDATE_INPUTS,
  globalInputs: GLOBAL_INPUTS,
  scales: { TIME_SCALE, UTILITY_SCALE, QUEUE_SCALE },
  writeCandidate: writeOffloadCandidateFeatures,
  writeGlobal: writeOffloadGlobalFeatures,
} as const satisfies FeatureModule;
