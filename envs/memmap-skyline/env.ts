/**
 * The batched CPU reference of skyline memory mapping.
 *
 * The same problem as envs/memmap (fit every buffer of a trace, minimize the peak address), with
 * the decision turned around: envs/memmap takes the buffers in a fixed order and chooses each one's
 * offset; here the policy chooses which buffer goes next, and it lands at its floor, the highest
 * top of the already placed buffers alive with it (aligned up). Placements are valid by
 * construction, and with every unplaced buffer a candidate, every placement minimalloc (an exact
 * solver) can reach is reachable: take any placement, push every buffer down until it rests on 0
 * or on a buffer, and place the buffers in order of offset; each then lands at its floor
 * (minimalloc's "canonical" solutions). K candidates cut off the orders that need a higher one. The order is
 * the whole search space, which is why it suits sampling: the best heuristics of envs/memmap fix
 * the order and choose offsets; minimalloc searches orders.
 *
 * Candidates are the K unplaced buffers with the lowest landing offsets, ties in the table's order
 * (the config's decision order, envs/memmap/types.ts), lowest first. Only the `fit` objective: a
 * capacity with spilling would need a spill choice per buffer, which this decision does not offer.
 *
 * gymnax-style: plain functions over the explicit `State` and the trace table, one copy at a time,
 * allocating nothing; kernels/memmap-skyline.wgsl mirrors them one to one.
 */

import { BatchEnv, type AllocatedState } from '../../src/core/batch-env.js';
import { fieldFailure } from '../../src/core/errors.js';
import type { Observation } from '../../src/core/vecenv.js';
import {
  COST,
  MAX_OFFSETS,
  alignUp,
  checkConfig,
  checkTrace,
  endEpisode,
  overlap,
  pickTrace,
  readFinalPlacement,
  type Placement,
} from '../memmap/env.js';
import { buildTable } from '../memmap/table.js';
import type { Dims, MemmapConfig, TraceTable } from '../memmap/types.js';
import {
  CANDIDATE_FEATURES,
  GLOBAL_FEATURES,
  NUM_CANDIDATE_FEATURES,
  NUM_GLOBAL_FEATURES,
  writeCandidateFeatures,
  writeGlobalFeatures,
} from './features.js';
import { allocateState, type State } from './layout.js';

export const ENV_NAME = 'memmap-skyline';
export { COST };

/** Validates a config built in code: envs/memmap's rules, and the fit objective only. */
export function checkSkylineConfig(config: MemmapConfig): void {
  checkConfig(config);
  if (config.objective !== 'fit')
    fieldFailure('memmap-skyline config')(
      'objective',
      "'fit' (a buffer's decision here is when it is placed, not whether; spilling is envs/memmap's)",
      config.objective,
    );
}

/** A config with the documented defaults: start-time ties, K = 16, traces in sequence. */
export function skylineConfig(
  c: Pick<MemmapConfig, 'numEnvs' | 'traces'> &
    Partial<Pick<MemmapConfig, 'order' | 'candidates' | 'pick'>>,
): MemmapConfig {
  const config: MemmapConfig = {
    numEnvs: c.numEnvs,
    traces: c.traces,
    pick: c.pick ?? 'sequence',
    order: c.order ?? 'start',
    objective: 'fit',
    candidates: c.candidates ?? 16,
  };
  checkSkylineConfig(config);
  for (const t of config.traces) checkTrace(t, `memmap-skyline trace ${t.name}`);
  return config;
}

export function deriveDims(config: MemmapConfig): Dims {
  checkSkylineConfig(config);
  const maxBuffers = Math.max(...config.traces.map((t) => t.buffers.length));
  const K = Math.min(config.candidates, MAX_OFFSETS);
  return {
    numEnvs: config.numEnvs,
    maxBuffers,
    numTraces: config.traces.length * (config.order === 'mixed' ? 3 : 1),
    offsets: K,
    maxCandidates: K,
  };
}

/** Starts a new episode in copy e: picks its trace, every buffer unplaced with floor 0. */
export function resetCopy(s: State, d: Dims, config: MemmapConfig, e: number): void {
  pickTrace(s, d, config, e);
  s.placed[e] = 0;
  s.peak[e] = 0;
  s.numCandidates[e] = 0;
  s.offset.fill(-1, e * d.maxBuffers, (e + 1) * d.maxBuffers);
  s.floor.fill(0, e * d.maxBuffers, (e + 1) * d.maxBuffers);
}

/** Where table buffer k of copy e lands: its floor, aligned up. */
function landing(s: State, d: Dims, t: TraceTable, e: number, k: number): number {
  return alignUp(s.floor[e * d.maxBuffers + k], t.bufAlign[s.traceIndex[e] * d.maxBuffers + k]);
}

/**
 * Fills copy e's candidate slots with the K unplaced buffers that land lowest (ties: table order),
 * lowest first, by insertion into the K slots: O(N K). Returns how many there are.
 */
export function findCandidates(s: State, d: Dims, t: TraceTable, e: number): number {
  const N = d.maxBuffers;
  const K = d.offsets;
  const row = e * K;
  const n = t.numBuffers[s.traceIndex[e]];
  let count = 0;
  for (let k = 0; k < n; k++) {
    if (s.offset[e * N + k] >= 0) continue;
    const x = landing(s, d, t, e, k);
    // Slots hold increasing (landing, table position); k is the largest position so far, so it
    // goes after every slot that lands at or below x.
    let j = count < K ? count : K;
    while (j > 0 && landing(s, d, t, e, s.candBuffer[row + j - 1]) > x) j--;
    if (j >= K) continue;
    const last = count < K ? count : K - 1;
    for (let i = last; i > j; i--) s.candBuffer[row + i] = s.candBuffer[row + i - 1];
    s.candBuffer[row + j] = k;
    if (count < K) count++;
  }
  for (let i = count; i < K; i++) s.candBuffer[row + i] = -1;
  s.numCandidates[e] = count;
  return count;
}

/** Places the buffer of candidate slot a at its landing offset, raises the floors above it, returns the reward. */
export function stepCopy(s: State, d: Dims, t: TraceTable, e: number, a: number): number {
  const N = d.maxBuffers;
  const tr = s.traceIndex[e];
  const k = s.candBuffer[e * d.offsets + a];
  const at = tr * N + k;
  const x = landing(s, d, t, e, k);
  const top = x + t.bufSize[at];
  s.offset[e * N + k] = x;
  s.placed[e]++;
  const n = t.numBuffers[tr];
  for (let i = 0; i < n; i++) {
    if (s.offset[e * N + i] >= 0) continue;
    if (!overlap(t.bufStart[at], t.bufEnd[at], t.bufStart[tr * N + i], t.bufEnd[tr * N + i]))
      continue;
    if (s.floor[e * N + i] < top) s.floor[e * N + i] = top;
  }
  const lb = t.lowerBound[tr];
  const before = Math.max(s.peak[e], lb);
  s.peak[e] = Math.max(s.peak[e], top);
  // The rise of max(peak, lower bound): the return is lower bound - peak, as in envs/memmap.
  return before - Math.max(s.peak[e], lb);
}

export function isDone(s: State, t: TraceTable, e: number): boolean {
  return s.placed[e] === t.numBuffers[s.traceIndex[e]];
}

/** The peak address, exact. */
export function episodeMetric(s: State, e: number): number {
  return s.peak[e];
}

/** Writes copy e's candidates, mask and features. Area sums run in f32, in the kernel's order. */
export function writeObservation(
  s: State,
  d: Dims,
  t: TraceTable,
  obs: Observation,
  e: number,
): void {
  const N = d.maxBuffers;
  const K = d.offsets;
  const F = NUM_CANDIDATE_FEATURES;
  const f32 = Math.fround;
  const count = findCandidates(s, d, t, e);
  const tr = s.traceIndex[e];
  const base = tr * N;
  const n = t.numBuffers[tr];
  const cap = t.capacity[tr];
  const horizon = t.horizon[tr];
  const lowest = count > 0 ? landing(s, d, t, e, s.candBuffer[e * K]) : 0;
  for (let c = 0; c < K; c++) obs.mask[e * K + c] = c < count ? 1 : 0;
  for (let c = 0; c < count; c++) {
    const k = s.candBuffer[e * K + c];
    const x = landing(s, d, t, e, k);
    const start = t.bufStart[base + k];
    const end = t.bufEnd[base + k];
    let rest = x === 0 ? end - start : 0;
    let pending = 0;
    for (let i = 0; i < n; i++) {
      if (i === k || !overlap(start, end, t.bufStart[base + i], t.bufEnd[base + i])) continue;
      const shared = Math.min(end, t.bufEnd[base + i]) - Math.max(start, t.bufStart[base + i]);
      const o = s.offset[e * N + i];
      if (o < 0) pending = f32(pending + f32(f32(t.bufSize[base + i]) * f32(shared)));
      else if (x > 0 && o + t.bufSize[base + i] === x) rest += shared;
    }
    writeCandidateFeatures(
      obs.cand,
      (e * K + c) * F,
      x,
      t.bufSize[base + k],
      start,
      end - start,
      s.peak[e],
      lowest,
      Math.min(rest, end - start),
      pending,
      c,
      K,
      cap,
      horizon,
    );
  }
  obs.cand.fill(0, (e * K + count) * F, (e * K + K) * F);
  let left = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const area = f32(f32(t.bufSize[base + i]) * f32(t.bufEnd[base + i] - t.bufStart[base + i]));
    total = f32(total + area);
    if (s.offset[e * N + i] < 0) left = f32(left + area);
  }
  writeGlobalFeatures(
    obs.glob,
    e * NUM_GLOBAL_FEATURES,
    s.placed[e],
    n,
    total > 0 ? left / total : 0,
    s.peak[e],
    t.lowerBound[tr],
    lowest,
    cap,
    count,
    K,
  );
}

export class SkylineEnv extends BatchEnv<State> {
  readonly config: MemmapConfig;
  readonly dims: Dims;
  readonly table: TraceTable;
  readonly metric = COST;

  constructor(config: MemmapConfig) {
    const dims = deriveDims(config);
    const spec = {
      maxCandidates: dims.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    super(ENV_NAME, spec, allocateState(dims));
    this.config = config;
    this.dims = dims;
    this.table = buildTable(config.traces, config.order, dims.maxBuffers);
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }
  protected resetCopy(e: number): void {
    resetCopy(this.state, this.dims, this.config, e);
  }
  protected stepCopy(e: number, a: number): number {
    return stepCopy(this.state, this.dims, this.table, e, a);
  }
  protected isDone(e: number): boolean {
    return isDone(this.state, this.table, e);
  }
  protected episodeMetric(e: number): number {
    return episodeMetric(this.state, e);
  }
  protected metricValue(count: number): number {
    return count;
  }
  protected override endEpisode(e: number): void {
    endEpisode(this.state, this.dims, e);
  }
  protected writeObservation(e: number): void {
    writeObservation(this.state, this.dims, this.table, this.obs, e);
  }

  finalPlacement(e: number): { traceIndex: number; placement: Placement } {
    return readFinalPlacement(this.state, this.dims, this.table, e);
  }
}
