/**
 * Edge/cloud offloading of deadline-bound DNN inference tasks: the batched CPU reference
 * (kernels/offload.wgsl is its twin, function for function).
 *
 * Drones stream one-second video segments; each segment spawns one task per model of the load.
 * Drone j's segments arrive at second k plus its phase (drawn per episode, phases ascending with
 * j), so tasks arrive in index order: task i is model i mod M of drone (i / M) mod R in segment
 * i / (M R), served by edge device (drone mod edges). A decision places the arriving task on its
 * own edge device, a neighbouring one, the cloud, or drops it. An edge device runs one task at a
 * time from its queue (ordered by the discipline's key); the cloud runs any number at once, with
 * a latency of the table's times a network factor that drifts from second to second, plus
 * per-call noise. The discipline's mechanics (migration, holding and stealing, adaptive cloud
 * expectations) are described in types.ts and docs/offload.md.
 *
 * Reward: the QoS utility of the tasks that finished during the step (benefit if by the deadline,
 * minus the cost of where it ran), plus the scenario's training-only completion bonus for each of
 * them in time. The metric: the episode's QoS utility per task.
 *
 * gymnax-style as envs/soc/env.ts: plain functions over the explicit state (integer ms in typed
 * arrays, layout.ts) and the read-only tables; OffloadEnv only owns the buffers and the per-edge
 * scratch. Every random draw is keyed by (episode, task) or comes from the copy's stream.
 */

import { BatchEnv, type AllocatedState } from '../../src/core/batch-env.js';
import { hash, nextU32 } from '../../src/core/rng.js';
import type { MetricSpec, Observation, ObservationSpec } from '../../src/core/vecenv.js';
import {
  CANDIDATE_FEATURES,
  GLOBAL_FEATURES,
  CANDIDATE_INPUTS,
  GLOBAL_INPUTS,
  writeOffloadCandidateFeatures,
  writeOffloadGlobalFeatures,
} from './features.js';
import {
  CLOUD,
  CLOUD_PLACE,
  DONE,
  DROPPED,
  DROP_PLACE,
  FUTURE,
  HELD,
  HISTORY,
  HOLD_MARGIN_MS,
  NONE,
  QUEUED,
  QUEUE_SLOTS,
  RUNNING,
  SEGMENT_MS,
  UTILITY_OFFSET,
  allocateState,
  buildTables,
  type Dims,
  type OffloadState,
  type Tables,
} from './layout.js';
import { MIN_FACTOR, simOf, type Sim } from './sim.js';
import type { OffloadConfig } from './types.js';

export const ENV_NAME = 'offload';
export const UTILITY_METRIC: MetricSpec = { name: 'utility', lowerIsBetter: false };

const Q = QUEUE_SLOTS;
const H = HISTORY;
/** Salts of the keyed draws: edge time noise, cloud latency noise. */
const EDGE_SALT = 1;
const CLOUD_SALT = 2;

// --- the task's fixed facts -----------------------------------------------------------------

export const modelOf = (d: Dims, i: number): number => i % d.models;
export const droneOf = (d: Dims, i: number): number => Math.floor(i / d.models) % d.drones;
export const sourceEdge = (d: Dims, i: number): number => droneOf(d, i) % d.edges;

export function arrival(s: OffloadState, d: Dims, e: number, i: number): number {
  const segment = Math.floor(i / (d.models * d.drones));
  return segment * SEGMENT_MS + s.dronePhase[e * d.drones + droneOf(d, i)];
}

export function deadline(s: OffloadState, t: Tables, d: Dims, e: number, i: number): number {
  return arrival(s, d, e, i) + t.deadlineMs[modelOf(d, i)];
}

/** The task's key in an edge queue (ties: lower index first). */
function queueKey(s: OffloadState, t: Tables, c: Sim, e: number, i: number): number {
  if (c.order === 0) return i;
  if (c.order === 1) return deadline(s, t, c.d, e, i);
  return t.staticKey[modelOf(c.d, i)];
}

/** Whether task a goes before task b in an edge queue. */
function before(s: OffloadState, t: Tables, c: Sim, e: number, a: number, b: number): boolean {
  const ka = queueKey(s, t, c, e, a);
  const kb = queueKey(s, t, c, e, b);
  return ka < kb || (ka === kb && a < b);
}

/** Expected run of task i on edge `edge`: the table's time, plus the transfer to a neighbour. */
export function expectedEdge(t: Tables, c: Sim, i: number, edge: number): number {
  return t.edgeMs[modelOf(c.d, i)] + (edge === sourceEdge(c.d, i) ? 0 : c.transferMs);
}

export function edgeCost(t: Tables, c: Sim, i: number, edge: number): number {
  return t.edgeCost[modelOf(c.d, i)] + (edge === sourceEdge(c.d, i) ? 0 : c.transferCost);
}

/** A u32 keyed by (episode, task, salt): the same on every backend and for every policy. */
export function keyedDraw(key: number, i: number, salt: number): number {
  return hash((hash((key ^ hash(i + 1)) >>> 0) ^ salt) >>> 0);
}

/** `base` moved uniformly within +-floor(base x spread / 1000), by the draw u; at least 1. */
export function spread(base: number, spreadPermille: number, u: number): number {
  const a = Math.floor((base * spreadPermille) / 1000);
  if (a === 0) return Math.max(base, 1);
  return Math.max(base - a + (u % (2 * a + 1)), 1);
}

/** Actual run of task i on edge `edge` (noise on the model's time; the transfer is exact). */
export function actualEdge(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  i: number,
  edge: number,
): number {
  const m = modelOf(c.d, i);
  const run = spread(t.edgeMs[m], c.edgeNoise, keyedDraw(s.episodeKey[e], i, EDGE_SALT));
  return run + (edge === sourceEdge(c.d, i) ? 0 : c.transferMs);
}

/** The network factor (permille) at time `time`. */
export function factorAt(s: OffloadState, d: Dims, e: number, time: number): number {
  const segment = Math.min(Math.floor(time / SEGMENT_MS), d.segments);
  return s.netFactor[e * (d.segments + 1) + segment];
}

/** Actual latency of task i's cloud call leaving at `time`. */
export function cloudLatency(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  i: number,
  time: number,
): number {
  const base = Math.floor((t.cloudMs[modelOf(c.d, i)] * factorAt(s, c.d, e, time)) / 1000);
  return spread(base, c.jitter, keyedDraw(s.episodeKey[e], i, CLOUD_SALT));
}

/** Mean observed / table latency of the last HISTORY cloud calls, permille (1000 before any). */
export function observedRatio(s: OffloadState, e: number): number {
  const n = Math.min(s.observed[e], H);
  if (n === 0) return 1000;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += s.history[e * H + k];
  return Math.floor(sum / n);
}

/** The cloud latency the mechanics expect for model m: the table's, or adapted to the observed. */
export function expectedCloud(s: OffloadState, t: Tables, c: Sim, e: number, m: number): number {
  const ratio = c.adaptive ? observedRatio(s, e) : 1000;
  return Math.floor((t.cloudMs[m] * ratio) / 1000);
}

// --- episode start --------------------------------------------------------------------------

/** Draws the drones' phases and the network's factors from the copy's stream; empties the system. */
export function startEpisode(s: OffloadState, c: Sim, e: number): void {
  const d = c.d;
  s.now[e] = 0;
  s.next[e] = 0;
  s.low[e] = 0;
  s.resolved[e] = 0;
  s.met[e] = 0;
  s.observed[e] = 0;
  s.utility[e] = UTILITY_OFFSET * d.tasks;
  s.episodeKey[e] = nextU32(s.rng, e);
  for (let j = 0; j < d.drones; j++) {
    const lo = Math.floor((j * SEGMENT_MS) / d.drones);
    const width = Math.max(Math.floor(((j + 1) * SEGMENT_MS) / d.drones) - lo, 1);
    s.dronePhase[e * d.drones + j] = lo + (nextU32(s.rng, e) % width);
  }
  const S1 = d.segments + 1;
  // The episode's network level, anywhere from the table's latency to the slowest, then a walk.
  let factor = 1000;
  if (c.maxFactor > 1000) factor += nextU32(s.rng, e) % (c.maxFactor - 1000 + 1);
  for (let k = 0; k < S1; k++) {
    if (k > 0 && c.drift > 0) {
      factor += nextU32(s.rng, e) % (2 * c.drift + 1);
      factor = Math.min(Math.max(factor - c.drift, MIN_FACTOR), c.maxFactor);
    }
    s.netFactor[e * S1 + k] = factor;
  }
  s.history.fill(0, e * H, (e + 1) * H);
  s.edgeRunning.fill(NONE, e * d.edges, (e + 1) * d.edges);
  s.edgeFree.fill(0, e * d.edges, (e + 1) * d.edges);
  s.queueLength.fill(0, e * d.edges, (e + 1) * d.edges);
  s.queue.fill(0, e * d.edges * Q, (e + 1) * d.edges * Q);
  s.candidateEdge.fill(0, e * d.maxCandidates, (e + 1) * d.maxCandidates);
  const N = d.tasks;
  s.taskStatus.fill(FUTURE, e * N, (e + 1) * N);
  s.taskPlace.fill(0, e * N, (e + 1) * N);
  s.taskStart.fill(0, e * N, (e + 1) * N);
  s.taskFinish.fill(0, e * N, (e + 1) * N);
}

// --- what happens to a task -----------------------------------------------------------------

function dispatch(s: OffloadState, t: Tables, c: Sim, e: number, i: number, time: number): void {
  const x = e * c.d.tasks + i;
  s.taskStatus[x] = CLOUD;
  s.taskPlace[x] = CLOUD_PLACE;
  s.taskStart[x] = time;
  s.taskFinish[x] = time + cloudLatency(s, t, c, e, i, time);
}

function drop(s: OffloadState, c: Sim, e: number, i: number): void {
  const x = e * c.d.tasks + i;
  s.taskStatus[x] = DROPPED;
  s.taskPlace[x] = DROP_PLACE;
  s.taskStart[x] = s.now[e];
  s.taskFinish[x] = s.now[e];
  s.resolved[e]++;
}

/** Sends task i to the cloud: held for stealing, or leaving now. */
function toCloud(s: OffloadState, t: Tables, c: Sim, e: number, i: number): void {
  if (c.steal) {
    const x = e * c.d.tasks + i;
    s.taskStatus[x] = HELD;
    s.taskPlace[x] = CLOUD_PLACE;
  } else dispatch(s, t, c, e, i, s.now[e]);
}

/** A task the edge would run too late: to the cloud if it can still pay off there, else dropped. */
function migrate(s: OffloadState, t: Tables, c: Sim, e: number, i: number): void {
  const m = modelOf(c.d, i);
  const viable =
    t.benefit[m] > t.cloudCost[m] &&
    s.now[e] + expectedCloud(s, t, c, e, m) <= deadline(s, t, c.d, e, i);
  if (viable) toCloud(s, t, c, e, i);
  else drop(s, c, e, i);
}

function start(s: OffloadState, t: Tables, c: Sim, e: number, i: number, edge: number): void {
  const x = e * c.d.tasks + i;
  const now = s.now[e];
  const finish = now + actualEdge(s, t, c, e, i, edge);
  s.taskStatus[x] = RUNNING;
  s.taskPlace[x] = edge;
  s.taskStart[x] = now;
  s.taskFinish[x] = finish;
  s.edgeRunning[e * c.d.edges + edge] = i;
  s.edgeFree[e * c.d.edges + edge] = finish;
}

/** A finished task: its utility is realized (and a cloud call's latency observed). */
function complete(s: OffloadState, t: Tables, c: Sim, e: number, i: number): number {
  const x = e * c.d.tasks + i;
  const m = modelOf(c.d, i);
  const place = s.taskPlace[x];
  const met = s.taskFinish[x] <= deadline(s, t, c.d, e, i);
  const gain = met ? t.benefit[m] : 0;
  let cost = t.cloudCost[m];
  if (s.taskStatus[x] === RUNNING) {
    cost = edgeCost(t, c, i, place);
    s.edgeRunning[e * c.d.edges + place] = NONE;
  } else {
    const ratio = Math.floor(((s.taskFinish[x] - s.taskStart[x]) * 1000) / t.cloudMs[m]);
    s.history[e * H + (s.observed[e] % H)] = ratio;
    s.observed[e]++;
  }
  s.taskStatus[x] = DONE;
  s.resolved[e]++;
  if (met) s.met[e]++;
  s.utility[e] = s.utility[e] + gain - cost;
  return gain - cost + (met ? c.bonus : 0);
}

/** Removes entry k of edge `edge`'s queue. */
function removeAt(s: OffloadState, c: Sim, e: number, edge: number, k: number): void {
  const base = (e * c.d.edges + edge) * Q;
  const len = s.queueLength[e * c.d.edges + edge];
  for (let j = k; j + 1 < len; j++) s.queue[base + j] = s.queue[base + j + 1];
  s.queue[base + len - 1] = 0;
  s.queueLength[e * c.d.edges + edge] = len - 1;
}

/** The held task edge `edge` can finish in time with the earliest deadline, or NONE. */
function stealable(s: OffloadState, t: Tables, c: Sim, e: number, edge: number): number {
  let best = NONE;
  let bestDeadline = 0;
  const now = s.now[e];
  for (let i = s.low[e]; i < s.next[e]; i++) {
    if (s.taskStatus[e * c.d.tasks + i] !== HELD) continue;
    const dl = deadline(s, t, c.d, e, i);
    if (now + expectedEdge(t, c, i, edge) > dl) continue;
    if (best === NONE || dl < bestDeadline) {
      best = i;
      bestDeadline = dl;
    }
  }
  return best;
}

/** An idle edge device takes its next task: the queue's head, or (stealing) a held task. */
function startNext(s: OffloadState, t: Tables, c: Sim, e: number, edge: number): void {
  const ed = e * c.d.edges + edge;
  for (;;) {
    if (s.queueLength[ed] === 0) {
      if (!c.steal) return;
      const i = stealable(s, t, c, e, edge);
      if (i !== NONE) start(s, t, c, e, i, edge);
      return;
    }
    const i = s.queue[ed * Q];
    removeAt(s, c, e, edge, 0);
    if (c.migrate && s.now[e] + expectedEdge(t, c, i, edge) > deadline(s, t, c.d, e, i)) {
      migrate(s, t, c, e, i);
      continue;
    }
    start(s, t, c, e, i, edge);
    return;
  }
}

/** When held task i leaves for the cloud: the last moment it is expected in time, less a margin. */
function leaveTime(s: OffloadState, t: Tables, c: Sim, e: number, i: number): number {
  const lead = expectedCloud(s, t, c, e, modelOf(c.d, i)) + HOLD_MARGIN_MS;
  const dl = deadline(s, t, c.d, e, i);
  return dl > lead ? dl - lead : 0;
}

/**
 * Moves time until the next task arrives or the episode is over: completions, departures of held
 * tasks and edge starts at `now`, else a jump to the next event. Returns the utility realized.
 */
export function advance(s: OffloadState, t: Tables, c: Sim, e: number): number {
  const d = c.d;
  const N = d.tasks;
  let reward = 0;
  for (;;) {
    const now = s.now[e];
    for (let i = s.low[e]; i < s.next[e]; i++) {
      const st = s.taskStatus[e * N + i];
      if ((st === RUNNING || st === CLOUD) && s.taskFinish[e * N + i] <= now)
        reward += complete(s, t, c, e, i);
    }
    if (c.steal)
      for (let i = s.low[e]; i < s.next[e]; i++)
        if (s.taskStatus[e * N + i] === HELD && leaveTime(s, t, c, e, i) <= now)
          dispatch(s, t, c, e, i, now);
    for (let edge = 0; edge < d.edges; edge++)
      if (s.edgeRunning[e * d.edges + edge] === NONE) startNext(s, t, c, e, edge);
    while (s.low[e] < s.next[e]) {
      const st = s.taskStatus[e * N + s.low[e]];
      if (st !== DONE && st !== DROPPED) break;
      s.low[e]++;
    }
    if (s.next[e] < N && arrival(s, d, e, s.next[e]) <= now) return reward;
    if (s.resolved[e] === N) return reward;
    let next = s.next[e] < N ? arrival(s, d, e, s.next[e]) : 0xffffffff;
    for (let i = s.low[e]; i < s.next[e]; i++) {
      const st = s.taskStatus[e * N + i];
      if (st === RUNNING || st === CLOUD) next = Math.min(next, s.taskFinish[e * N + i]);
      else if (st === HELD) next = Math.min(next, leaveTime(s, t, c, e, i));
    }
    if (next === 0xffffffff)
      throw new Error(`${ENV_NAME}: copy ${e} has unresolved tasks but no event ahead`);
    s.now[e] = next;
  }
}

// --- decisions ------------------------------------------------------------------------------

/** Where task i would go in edge `edge`'s queue. */
function insertPosition(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  edge: number,
  i: number,
): number {
  const ed = e * c.d.edges + edge;
  const len = s.queueLength[ed];
  let k = 0;
  while (k < len && before(s, t, c, e, s.queue[ed * Q + k], i)) k++;
  return k;
}

/** Expected time until edge `edge` is free of its running task and its first `count` queued ones. */
function backlog(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  edge: number,
  count: number,
): number {
  const ed = e * c.d.edges + edge;
  const now = s.now[e];
  let work = s.edgeRunning[ed] !== NONE && s.edgeFree[ed] > now ? s.edgeFree[ed] - now : 0;
  for (let k = 0; k < count; k++) work += expectedEdge(t, c, s.queue[ed * Q + k], edge);
  return work;
}

/**
 * Walks edge `edge`'s queue behind position `pos` as if task i were inserted there: the queued
 * tasks then expected past their deadlines (DEMS's check; a displaced task frees its time for the
 * ones behind). Returns their summed benefit; with `evict`, migrates them out of the queue.
 */
function displaced(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  edge: number,
  i: number,
  pos: number,
  evict: boolean,
): number {
  const ed = e * c.d.edges + edge;
  const now = s.now[e];
  let partial = backlog(s, t, c, e, edge, pos) + expectedEdge(t, c, i, edge);
  let lost = 0;
  let k = evict ? pos + 1 : pos;
  while (k < s.queueLength[ed]) {
    const q = s.queue[ed * Q + k];
    const run = expectedEdge(t, c, q, edge);
    if (now + partial + run > deadline(s, t, c.d, e, q)) {
      lost += t.benefit[modelOf(c.d, q)];
      if (evict) {
        removeAt(s, c, e, edge, k);
        migrate(s, t, c, e, q);
        continue;
      }
    } else partial += run;
    k++;
  }
  return lost;
}

/** The queued tasks of edge `edge` that task i, inserted, would push past their deadlines. */
export function displacedTasks(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  edge: number,
  i: number,
): number[] {
  const ed = e * c.d.edges + edge;
  const pos = insertPosition(s, t, c, e, edge, i);
  let partial = backlog(s, t, c, e, edge, pos) + expectedEdge(t, c, i, edge);
  const out: number[] = [];
  for (let k = pos; k < s.queueLength[ed]; k++) {
    const q = s.queue[ed * Q + k];
    const run = expectedEdge(t, c, q, edge);
    if (s.now[e] + partial + run > deadline(s, t, c.d, e, q)) out.push(q);
    else partial += run;
  }
  return out;
}

/** Expected finish of task i on edge `edge` were it queued there now. */
export function expectedFinish(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  edge: number,
  i: number,
): number {
  const pos = insertPosition(s, t, c, e, edge, i);
  return s.now[e] + backlog(s, t, c, e, edge, pos) + expectedEdge(t, c, i, edge);
}

/** Queues task i on edge `edge` (a legal edge placement); with migration, evicts the displaced. */
function enqueue(s: OffloadState, t: Tables, c: Sim, e: number, i: number, edge: number): void {
  const ed = e * c.d.edges + edge;
  const pos = insertPosition(s, t, c, e, edge, i);
  const len = s.queueLength[ed];
  for (let k = len; k > pos; k--) s.queue[ed * Q + k] = s.queue[ed * Q + k - 1];
  s.queue[ed * Q + pos] = i;
  s.queueLength[ed] = len + 1;
  const x = e * c.d.tasks + i;
  s.taskStatus[x] = QUEUED;
  s.taskPlace[x] = edge;
  if (c.migrate) displaced(s, t, c, e, edge, i, pos, true);
}

/** Candidate index of the cloud and of dropping. */
export const cloudCandidate = (d: Dims): number => d.neighbours + 1;
export const dropCandidate = (d: Dims): number => d.neighbours + 2;

/** Starts a new episode in copy e: its drones and network, then time up to the first arrival. */
export function resetCopy(s: OffloadState, t: Tables, c: Sim, e: number): void {
  startEpisode(s, c, e);
  advance(s, t, c, e);
}

/** Places the arriving task by candidate `a`, then advances; returns the utility realized. */
export function stepCopy(s: OffloadState, t: Tables, c: Sim, e: number, a: number): number {
  const d = c.d;
  const i = s.next[e];
  if (a === dropCandidate(d)) drop(s, c, e, i);
  else if (a === cloudCandidate(d)) toCloud(s, t, c, e, i);
  else enqueue(s, t, c, e, i, s.candidateEdge[e * d.maxCandidates + a]);
  s.next[e] = i + 1;
  return advance(s, t, c, e);
}

export function isDone(s: OffloadState, d: Dims, e: number): boolean {
  return s.resolved[e] === d.tasks;
}

/** The utility count: QoS utility + UTILITY_OFFSET x tasks (metricValue makes it per task). */
export function episodeMetric(s: OffloadState, e: number): number {
  return s.utility[e];
}

export function utilityPerTask(count: number, d: Dims): number {
  return (count - UTILITY_OFFSET * d.tasks) / d.tasks;
}

/** Keeps the finished episode's records across the auto-reset (validator, viewer, extras). */
export function endEpisode(s: OffloadState, d: Dims, e: number): void {
  const N = d.tasks;
  s.finalPlace.set(s.taskPlace.subarray(e * N, (e + 1) * N), e * N);
  s.finalStatus.set(s.taskStatus.subarray(e * N, (e + 1) * N), e * N);
  s.finalStart.set(s.taskStart.subarray(e * N, (e + 1) * N), e * N);
  s.finalFinish.set(s.taskFinish.subarray(e * N, (e + 1) * N), e * N);
  s.finalPhase.set(s.dronePhase.subarray(e * d.drones, (e + 1) * d.drones), e * d.drones);
}

/** Per-edge expected work, scratch of the observation (the kernel keeps it in a local array). */
export type EdgeScratch = Uint32Array;

/** The neighbours of edge `own` offered: the least expected work first, ties by index. */
function chooseNeighbours(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  own: number,
  work: EdgeScratch,
): void {
  const d = c.d;
  for (let edge = 0; edge < d.edges; edge++)
    work[edge] = backlog(s, t, c, e, edge, s.queueLength[e * d.edges + edge]);
  const K = d.maxCandidates;
  s.candidateEdge[e * K] = own;
  for (let n = 0; n < d.neighbours; n++) {
    let best = NONE;
    for (let edge = 0; edge < d.edges; edge++) {
      if (edge === own) continue;
      let taken = false;
      for (let k = 1; k <= n; k++) if (s.candidateEdge[e * K + k] === edge) taken = true;
      if (taken) continue;
      if (best === NONE || work[edge] < work[best]) best = edge;
    }
    s.candidateEdge[e * K + 1 + n] = best;
  }
}

type InputsOf<W> = W extends (out: Float32Array, offset: number, ...inputs: infer I) => void
  ? I
  : never;
type InputSink<Out, W> = (out: Out, offset: number, ...inputs: InputsOf<W>) => void;

/** Calls `write` with the raw inputs of candidate k of copy e (CANDIDATE_INPUTS order). */
export function candidateFeatureInputs<Out>(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  k: number,
  write: InputSink<Out, typeof writeOffloadCandidateFeatures>,
  out: Out,
  offset: number,
): void {
  const d = c.d;
  const i = s.next[e];
  const m = modelOf(d, i);
  const now = s.now[e];
  const timeLeft = deadline(s, t, d, e, i) - now;
  const benefit = t.benefit[m];
  if (k === dropCandidate(d)) {
    write(out, offset, 3, timeLeft, 0, 0, benefit, 0, 0, 0);
    return;
  }
  if (k === cloudCandidate(d)) {
    const run = Math.floor((t.cloudMs[m] * observedRatio(s, e)) / 1000);
    write(out, offset, 2, timeLeft, 0, run, benefit, t.cloudCost[m], 0, 0);
    return;
  }
  const edge = s.candidateEdge[e * d.maxCandidates + k];
  const pos = insertPosition(s, t, c, e, edge, i);
  write(
    out,
    offset,
    k === 0 ? 0 : 1,
    timeLeft,
    backlog(s, t, c, e, edge, pos),
    expectedEdge(t, c, i, edge),
    benefit,
    edgeCost(t, c, i, edge),
    displaced(s, t, c, e, edge, i, pos, false),
    s.queueLength[e * d.edges + edge],
  );
}

/** As candidateFeatureInputs, for copy e's global features (GLOBAL_INPUTS). */
export function globalFeatureInputs<Out>(
  s: OffloadState,
  t: Tables,
  c: Sim,
  e: number,
  write: InputSink<Out, typeof writeOffloadGlobalFeatures>,
  out: Out,
  offset: number,
): void {
  const d = c.d;
  const i = s.next[e];
  const m = modelOf(d, i);
  let queued = 0;
  let idle = 0;
  for (let edge = 0; edge < d.edges; edge++) {
    queued += s.queueLength[e * d.edges + edge];
    if (s.edgeRunning[e * d.edges + edge] === NONE) idle++;
  }
  write(
    out,
    offset,
    t.modelId[m],
    s.now[e] - arrival(s, d, e, i),
    deadline(s, t, d, e, i) - s.now[e],
    t.benefit[m],
    observedRatio(s, e) / 1000,
    queued,
    idle,
    d.edges,
    d.tasks - i,
    d.tasks,
  );
}

/** Chooses copy e's candidates and writes their features, the mask and the global features. */
export function writeObservation(
  s: OffloadState,
  t: Tables,
  c: Sim,
  obs: Observation,
  work: EdgeScratch,
  e: number,
): void {
  const d = c.d;
  const K = d.maxCandidates;
  const F = CANDIDATE_FEATURES.length;
  const own = sourceEdge(d, s.next[e]);
  chooseNeighbours(s, t, c, e, own, work);
  for (let k = 0; k < K; k++) {
    const edgeCandidate = k <= d.neighbours;
    const full =
      edgeCandidate && s.queueLength[e * d.edges + s.candidateEdge[e * K + k]] >= QUEUE_SLOTS;
    obs.mask[e * K + k] = full ? 0 : 1;
    candidateFeatureInputs(s, t, c, e, k, writeOffloadCandidateFeatures, obs.cand, (e * K + k) * F);
  }
  globalFeatureInputs(s, t, c, e, writeOffloadGlobalFeatures, obs.glob, e * GLOBAL_FEATURES.length);
}

const copyInputs = (out: Float64Array, offset: number, ...inputs: number[]): void =>
  out.set(inputs, offset);

function inputRecord(
  inputs: readonly { readonly name: string }[],
  fill: (out: Float64Array) => void,
): Record<string, number> {
  const values = new Float64Array(inputs.length);
  fill(values);
  return Object.fromEntries(inputs.map((input, i) => [input.name, values[i]]));
}

/** What the baselines and tools read of a batch, on either backend (a kernel's state synced). */
export interface OffloadBatch {
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  readonly obs: Observation;
  readonly state: OffloadState;
  readonly tables: Tables;
  readonly sim: Sim;
  readonly config: OffloadConfig;
}

export class OffloadEnv extends BatchEnv<OffloadState> {
  readonly metric = UTILITY_METRIC;
  readonly config: OffloadConfig;
  readonly tables: Tables;
  readonly sim: Sim;
  private readonly work: EdgeScratch;

  constructor(config: OffloadConfig) {
    const sim = simOf(config);
    const spec: ObservationSpec = {
      maxCandidates: sim.d.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    super(ENV_NAME, spec, allocateState(sim.d));
    this.config = config;
    this.sim = sim;
    this.tables = buildTables(config).tables;
    this.work = new Uint32Array(sim.d.edges);
  }

  protected allocate(): AllocatedState<OffloadState> {
    return allocateState(this.sim.d);
  }
  protected resetCopy(e: number): void {
    resetCopy(this.state, this.tables, this.sim, e);
  }
  protected stepCopy(e: number, a: number): number {
    return stepCopy(this.state, this.tables, this.sim, e, a);
  }
  protected isDone(e: number): boolean {
    return isDone(this.state, this.sim.d, e);
  }
  protected episodeMetric(e: number): number {
    return episodeMetric(this.state, e);
  }
  protected metricValue(count: number): number {
    return utilityPerTask(count, this.sim.d);
  }
  protected override endEpisode(e: number): void {
    endEpisode(this.state, this.sim.d, e);
  }
  protected writeObservation(e: number): void {
    writeObservation(this.state, this.tables, this.sim, this.obs, this.work, e);
  }

  /** The raw inputs of candidate k's features in copy e, named as the exported module's. */
  candidateInputs(e: number, k: number): Record<string, number> {
    return inputRecord(CANDIDATE_INPUTS, (x) =>
      candidateFeatureInputs(this.state, this.tables, this.sim, e, k, copyInputs, x, 0),
    );
  }

  /** The raw inputs of copy e's global features, named as the exported module's `stateInputs`. */
  stateInputs(e: number): Record<string, number> {
    return inputRecord(GLOBAL_INPUTS, (x) =>
      globalFeatureInputs(this.state, this.tables, this.sim, e, copyInputs, x, 0),
    );
  }
}
