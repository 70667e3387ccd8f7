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

/**
 * The study's six models as a serving gateway's raw request needs them (the same numbers as
 * data/models.json, which a test checks; this module may import nothing).
 */
export const MODEL_TABLE = [
  { name: 'HV', edgeMs: 174, cloudMs: 398, benefit: 125, cloudCost: 25, edgeCost: 1 },
  { name: 'MD', edgeMs: 142, cloudMs: 589, benefit: 75, cloudCost: 15, edgeCost: 1 },
  { name: 'BP', edgeMs: 244, cloudMs: 542, benefit: 40, cloudCost: 43, edgeCost: 2 },
  { name: 'DEV', edgeMs: 172, cloudMs: 429, benefit: 100, cloudCost: 26, edgeCost: 1 },
  { name: 'CD', edgeMs: 563, cloudMs: 878, benefit: 175, cloudCost: 152, edgeCost: 4 },
  { name: 'DEO', edgeMs: 739, cloudMs: 832, benefit: 250, cloudCost: 210, edgeCost: 6 },
] as const;

/** A queued task as the gateway sees it. */
export interface RawTask {
  /** Model index (HV 0, MD 1, BP 2, DEV 3, CD 4, DEO 5). */
  readonly model: number;
  /** Time to its deadline, ms. */
  readonly timeLeft: number;
  /** Its expected run on this device, ms (default: its model's edge time). */
  readonly runMs?: number;
}

/** An edge device as the gateway sees it. */
export interface RawEdge {
  /** Time until its running task ends, ms (0 or less: idle). */
  readonly busyFor: number;
  /** Its queue in deadline order. */
  readonly queue: readonly RawTask[];
}

/** One arriving task and what the gateway knows: decide(request) places it. */
export interface RawRequest {
  readonly model: number;
  /** Time to its deadline, ms. */
  readonly timeLeft: number;
  /** Time since it arrived, ms. */
  readonly age: number;
  /** Index into `edges` of the device serving its drone. */
  readonly ownEdge: number;
  readonly edges: readonly RawEdge[];
  /** Recent cloud calls, oldest first (the last 8 count): model and observed latency, ms. */
  readonly cloudLatencies: readonly { readonly model: number; readonly ms: number }[];
  /** Neighbouring devices offered (the least loaded; default 2). */
  readonly neighbours?: number;
  /** Extra time and cost on a neighbouring device (default 30 ms, 1). */
  readonly transferMs?: number;
  readonly transferCost?: number;
  /** The share of the stream yet to arrive, as tasksToArrive / tasksPerEpisode (default 1 / 2). */
  readonly tasksToArrive?: number;
  readonly tasksPerEpisode?: number;
}

/** What decide() passes to dispatchState: candidates (own, neighbours, cloud, drop), state, legal. */
export interface RawDecision {
  /** Candidate k's device, or -1 for the cloud and -2 for dropping. */
  readonly places: number[];
  readonly candidates: Record<string, number>[];
  readonly state: Record<string, number>;
  readonly legal: boolean[];
}

function rawNumber(value: unknown, what: string, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new TypeError(
      `decide: ${what} must be a finite ${integer ? 'integer' : 'number'}, got ${String(value)}`,
    );
  return value;
}

function rawModel(value: unknown, what: string): number {
  const m = rawNumber(value, what, true);
  if (m < 0 || m >= MODEL_TABLE.length)
    throw new RangeError(
      `decide: ${what} must be a model index 0..${MODEL_TABLE.length - 1}, got ${m}`,
    );
  return m;
}

/**
 * The candidates of one arriving task from a gateway's raw view, computed as the environment
 * computes them: each device's queue in deadline order (ties: queued tasks first), the expected
 * wait, the tasks pushed past their deadlines, the cloud latency scaled by the recent calls'
 * observed ratio. Bad input throws a TypeError or RangeError naming the field.
 */
export function offloadRawDecision(request: RawRequest): RawDecision {
  if (request === null || typeof request !== 'object')
    throw new TypeError('decide: the request must be a record');
  const model = rawModel(request.model, 'model');
  const timeLeft = rawNumber(request.timeLeft, 'timeLeft');
  const age = rawNumber(request.age, 'age');
  if (!Array.isArray(request.edges as unknown) || request.edges.length === 0)
    throw new TypeError('decide: edges must be a non-empty array of devices');
  const edges = request.edges.map((edge, d) => {
    if (edge === null || typeof edge !== 'object' || !Array.isArray(edge.queue as unknown))
      throw new TypeError(`decide: edges[${d}] must be a record with busyFor and queue`);
    return {
      busyFor: Math.max(0, rawNumber(edge.busyFor, `edges[${d}].busyFor`)),
      queue: edge.queue.map((q, k) => {
        const where = `edges[${d}].queue[${k}]`;
        const qm = rawModel(q.model, `${where}.model`);
        return {
          model: qm,
          timeLeft: rawNumber(q.timeLeft, `${where}.timeLeft`),
          run:
            q.runMs === undefined ? MODEL_TABLE[qm].edgeMs : rawNumber(q.runMs, `${where}.runMs`),
        };
      }),
    };
  });
  const own = rawNumber(request.ownEdge, 'ownEdge', true);
  if (own < 0 || own >= edges.length)
    throw new RangeError(`decide: ownEdge must index edges (0..${edges.length - 1}), got ${own}`);
  if (!Array.isArray(request.cloudLatencies as unknown))
    throw new TypeError('decide: cloudLatencies must be an array of { model, ms }');
  const recent = request.cloudLatencies.slice(-8);
  let ratio = 1000;
  if (recent.length > 0) {
    let sum = 0;
    recent.forEach((c, k) => {
      const cm = rawModel(c.model, `cloudLatencies[${k}].model`);
      sum += Math.floor(
        (rawNumber(c.ms, `cloudLatencies[${k}].ms`) * 1000) / MODEL_TABLE[cm].cloudMs,
      );
    });
    ratio = Math.floor(sum / recent.length);
  }
  const transferMs =
    request.transferMs === undefined ? 30 : rawNumber(request.transferMs, 'transferMs');
  const transferCost =
    request.transferCost === undefined ? 1 : rawNumber(request.transferCost, 'transferCost');
  const m = MODEL_TABLE[model];
  const work = edges.map((edge) => edge.queue.reduce((sum, q) => sum + q.run, edge.busyFor));
  const wanted =
    request.neighbours === undefined ? 2 : rawNumber(request.neighbours, 'neighbours', true);
  const others = edges
    .map((_, d) => d)
    .filter((d) => d !== own)
    .sort((a, b) => work[a] - work[b] || a - b)
    .slice(0, Math.max(0, Math.min(wanted, edges.length - 1)));
  const places: number[] = [own, ...others, -1, -2];
  const candidates = places.map((place, k): Record<string, number> => {
    if (place === -2)
      return { kind: 3, wait: 0, run: 0, cost: 0, displacedBenefit: 0, queueLength: 0 };
    if (place === -1)
      return {
        kind: 2,
        wait: 0,
        run: Math.floor((m.cloudMs * ratio) / 1000),
        cost: m.cloudCost,
        displacedBenefit: 0,
        queueLength: 0,
      };
    const edge = edges[place];
    const run = m.edgeMs + (place === own ? 0 : transferMs);
    let pos = 0;
    while (pos < edge.queue.length && edge.queue[pos].timeLeft <= timeLeft) pos++;
    let wait = edge.busyFor;
    for (let q = 0; q < pos; q++) wait += edge.queue[q].run;
    let partial = wait + run;
    let lost = 0;
    for (let q = pos; q < edge.queue.length; q++) {
      const t = edge.queue[q];
      if (partial + t.run > t.timeLeft) lost += MODEL_TABLE[t.model].benefit;
      else partial += t.run;
    }
    return {
      kind: k === 0 ? 0 : 1,
      wait,
      run,
      cost: m.edgeCost + (place === own ? 0 : transferCost),
      displacedBenefit: lost,
      queueLength: edge.queue.length,
    };
  });
  const legal = places.map((place) => place < 0 || edges[place].queue.length < QUEUE_SCALE);
  const state = {
    model,
    age,
    timeLeft,
    benefit: m.benefit,
    cloudRatio: ratio / 1000,
    queuedTasks: edges.reduce((sum, edge) => sum + edge.queue.length, 0),
    idleEdges: edges.filter((edge) => edge.busyFor <= 0).length,
    edges: edges.length,
    tasksToArrive:
      request.tasksToArrive === undefined ? 1 : rawNumber(request.tasksToArrive, 'tasksToArrive'),
    tasksPerEpisode:
      request.tasksPerEpisode === undefined
        ? 2
        : rawNumber(request.tasksPerEpisode, 'tasksPerEpisode'),
  };
  return { places, candidates, state, legal };
}

/** The .d.mts declaration of decide()'s request, for exported modules. */
const RAW_REQUEST_TYPE = `{
  /** Model index: HV 0, MD 1, BP 2, DEV 3, CD 4, DEO 5. */ model: number;
  /** Time to the task's deadline, ms. */ timeLeft: number;
  /** Time since it arrived, ms. */ age: number;
  /** Index into edges of the device serving its drone. */ ownEdge: number;
  /** Each device: ms until its running task ends (0: idle), its queue in deadline order. */
  edges: readonly { busyFor: number; queue: readonly { model: number; timeLeft: number; runMs?: number }[] }[];
  /** Recent cloud calls, oldest first (the last 8 count). */ cloudLatencies: readonly { model: number; ms: number }[];
  /** Neighbouring devices offered (default 2), their extra time (30 ms) and cost (1). */
  neighbours?: number; transferMs?: number; transferCost?: number;
  /** Share of the stream yet to arrive (default 1 of 2). */ tasksToArrive?: number; tasksPerEpisode?: number;
}`;

/** The offloading feature module: what the trainer records, the kernel and export derive from. */
export const FEATURES = {
  candidate: CANDIDATE_FEATURES,
  global: GLOBAL_FEATURES,
  candidateInputs: CANDIDATE_INPUTS,
  globalInputs: GLOBAL_INPUTS,
  scales: { TIME_SCALE, UTILITY_SCALE, QUEUE_SCALE },
  writeCandidate: writeOffloadCandidateFeatures,
  writeGlobal: writeOffloadGlobalFeatures,
  raw: {
    type: RAW_REQUEST_TYPE,
    doc: 'the returned index is into [own device, the least loaded neighbours..., cloud, drop]',
    decide: (request: unknown) => offloadRawDecision(request as RawRequest),
  },
} as const satisfies FeatureModule;
