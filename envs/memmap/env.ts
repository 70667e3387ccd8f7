/**
 * The batched CPU reference of the memory-mapping environment.
 *
 * gymnax-style: `resetCopy`, `stepCopy`, `isDone`, `episodeMetric`, `endEpisode` and
 * `writeObservation` are plain functions over the explicit `State` and the config's trace table,
 * one copy at a time, allocating nothing; `MemmapEnv` binds them to src/core/batch-env.ts.
 * kernels/memmap.wgsl mirrors them one to one.
 *
 * A decision places the next buffer of the decision order. Its candidates are the canonical
 * offsets, 0 and the (aligned) top of every placed buffer whose live range overlaps its own, that
 * are feasible: the buffer there overlaps no placed buffer in both time and address, and, in
 * capacity mode, ends within the capacity. The lowest K of them are the offset candidates, in
 * ascending order; slot K is spilling to slow memory, legal in capacity mode only. Every
 * placement of minimalloc's problem that is optimal can be built from canonical offsets (each
 * buffer pushed down until it rests on 0 or on a buffer below), so restricting the choice to them
 * loses nothing when K is large enough.
 */

import { fieldFailure } from '../../src/core/errors.js';
import { BatchEnv, type AllocatedState } from '../../src/core/batch-env.js';
import { nextInt } from '../../src/core/rng.js';
import type { MetricSpec, Observation } from '../../src/core/vecenv.js';
import {
  CANDIDATE_FEATURES,
  GLOBAL_FEATURES,
  NUM_CANDIDATE_FEATURES,
  NUM_GLOBAL_FEATURES,
  writeCandidateFeatures,
  writeGlobalFeatures,
} from './features.js';
import { allocateState } from './layout.js';
import { buildTable } from './table.js';
import { MAX_ALIGNMENT, MAX_TOTAL_BENEFIT, MAX_TOTAL_SIZE, MAX_VALUE } from './traces.js';
import {
  CONFIG_ORDERS,
  MIXED_ORDERS,
  OBJECTIVES,
  type Dims,
  type MemmapConfig,
  type State,
  type Trace,
  type TraceTable,
} from './types.js';

export const ENV_NAME = 'memmap';

/**
 * One metric for both objectives, lower is better: the peak address in fit mode, the benefit
 * spilled to slow memory in capacity mode.
 */
export const COST: MetricSpec = { name: 'cost', lowerIsBetter: true };

/** The most offset candidates a config may ask for. */
export const MAX_OFFSETS = 4096;

const TWO_32 = 2 ** 32;

/** Throws naming the field when a trace built in code is malformed. */
export function checkTrace(trace: Trace, where = `memmap trace ${trace.name}`): void {
  const fail = fieldFailure(where);
  if (!Number.isSafeInteger(trace.capacity) || trace.capacity < 1 || trace.capacity > MAX_VALUE)
    fail('capacity', `an integer in 1..${MAX_VALUE}`, trace.capacity);
  if (!Array.isArray(trace.buffers) || trace.buffers.length === 0)
    fail('buffers', 'a non-empty array', trace.buffers);
  let total = 0;
  let benefit = 0;
  trace.buffers.forEach((b, i) => {
    const int = (name: keyof typeof b, lo: number, hi: number): void => {
      const v = b[name];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi)
        fail(`buffers[${i}].${name}`, `an integer in ${lo}..${hi}`, v);
    };
    int('start', 0, MAX_VALUE - 1);
    int('end', b.start + 1, MAX_VALUE);
    int('size', 1, MAX_VALUE);
    int('alignment', 1, MAX_ALIGNMENT);
    int('benefit', 0, MAX_TOTAL_BENEFIT);
    total += b.size + b.alignment - 1;
    benefit += b.benefit;
  });
  if (total > MAX_TOTAL_SIZE)
    fail('buffers', `sizes (with alignment - 1 each) summing to at most ${MAX_TOTAL_SIZE}`, total);
  if (benefit > MAX_TOTAL_BENEFIT)
    fail('buffers', `benefits summing to at most ${MAX_TOTAL_BENEFIT}`, benefit);
}

/** Validates a config built in code; `memmapConfig` fills in the documented defaults. */
export function checkConfig(config: MemmapConfig): void {
  const fail = fieldFailure('memmap config');
  if (!Number.isInteger(config.numEnvs) || config.numEnvs < 1)
    fail('numEnvs', 'a positive integer', config.numEnvs);
  if (!CONFIG_ORDERS.includes(config.order))
    fail('order', `one of ${CONFIG_ORDERS.join(', ')}`, config.order);
  if (!OBJECTIVES.includes(config.objective))
    fail('objective', `one of ${OBJECTIVES.join(', ')}`, config.objective);
  if (config.pick !== 'sequence' && config.pick !== 'stream')
    fail('pick', "'sequence' or 'stream'", config.pick);
  if (
    !Number.isInteger(config.candidates) ||
    config.candidates < 1 ||
    config.candidates > MAX_OFFSETS
  )
    fail('candidates', `an integer in 1..${MAX_OFFSETS}`, config.candidates);
  if (!Array.isArray(config.traces) || config.traces.length === 0)
    fail('traces', 'a non-empty array of traces', config.traces);
}

/** A config with the documented defaults: fit mode, start-time order, K = 16, traces in sequence. */
export function memmapConfig(
  c: Pick<MemmapConfig, 'numEnvs' | 'traces'> &
    Partial<Pick<MemmapConfig, 'order' | 'objective' | 'candidates' | 'pick'>>,
): MemmapConfig {
  const config: MemmapConfig = {
    numEnvs: c.numEnvs,
    traces: c.traces,
    pick: c.pick ?? 'sequence',
    order: c.order ?? 'start',
    objective: c.objective ?? 'fit',
    candidates: c.candidates ?? 16,
  };
  checkConfig(config);
  for (const t of config.traces) checkTrace(t);
  return config;
}

export function deriveDims(config: MemmapConfig): Dims {
  checkConfig(config);
  return {
    numEnvs: config.numEnvs,
    maxBuffers: Math.max(...config.traces.map((t) => t.buffers.length)),
    numTraces: config.traces.length * (config.order === 'mixed' ? MIXED_ORDERS.length : 1),
    offsets: config.candidates,
    maxCandidates: config.candidates + 1,
  };
}

/** Whether [s0, e0) and [s1, e1) share a time step. */
export function overlap(s0: number, e0: number, s1: number, e1: number): boolean {
  return s0 < e1 && s1 < e0;
}

export function alignUp(v: number, a: number): number {
  return v + ((a - (v % a)) % a);
}

/** The state fields that say which trace a copy plays (shared with envs/memmap-skyline). */
type TraceCursor = Pick<State, 'rng' | 'episode' | 'traceIndex'>;

/**
 * Moves copy e on to its next trace and counts the episode: a draw from its stream, or in
 * sequence the trace numEnvs entries after its last one.
 */
export function pickTrace(s: TraceCursor, d: Dims, config: MemmapConfig, e: number): void {
  const T = d.numTraces;
  let idx: number;
  if (config.pick === 'stream') idx = nextInt(s.rng, e, 0, T - 1);
  else idx = s.episode[e] === 0 ? e % T : (s.traceIndex[e] + (d.numEnvs % T)) % T;
  s.traceIndex[e] = idx;
  s.episode[e]++;
}

/** Starts a new episode in copy e: picks its trace, every buffer undecided. */
export function resetCopy(s: State, d: Dims, config: MemmapConfig, e: number): void {
  pickTrace(s, d, config, e);
  s.cursor[e] = 0;
  s.peak[e] = 0;
  s.spilled[e] = 0;
  s.numOffsets[e] = 0;
  s.spilledLo[e] = 0;
  s.spilledHi[e] = 0;
  s.offset.fill(-1, e * d.maxBuffers, (e + 1) * d.maxBuffers);
}

/**
 * Per-copy scratch of one decision (the kernel's private arrays): the placed buffers alive with
 * the buffer to place, as address intervals [lo, hi) with the time they share with it.
 */
export interface Overlaps {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly shared: Int32Array;
  count: number;
}

export function allocateOverlaps(d: Dims): Overlaps {
  const n = Math.max(1, d.maxBuffers);
  return { lo: new Int32Array(n), hi: new Int32Array(n), shared: new Int32Array(n), count: 0 };
}

function swapOverlaps(ov: Overlaps, a: number, b: number): void {
  let t = ov.lo[a];
  ov.lo[a] = ov.lo[b];
  ov.lo[b] = t;
  t = ov.hi[a];
  ov.hi[a] = ov.hi[b];
  ov.hi[b] = t;
  t = ov.shared[a];
  ov.shared[a] = ov.shared[b];
  ov.shared[b] = t;
}

function siftDown(ov: Overlaps, root0: number, end: number): void {
  let root = root0;
  for (;;) {
    let c = 2 * root + 1;
    if (c >= end) return;
    if (c + 1 < end && ov.lo[c + 1] > ov.lo[c]) c++;
    if (ov.lo[root] >= ov.lo[c]) return;
    swapOverlaps(ov, root, c);
    root = c;
  }
}

/**
 * Gathers the placed buffers alive with the buffer at copy e's cursor into `ov`, sorted by offset
 * (heap sort: O(m log m), where a plain double loop would be O(m^2) and exceed llvmpipe's loop
 * budget on the kernel for traces of hundreds of buffers).
 */
export function gatherOverlaps(s: State, d: Dims, t: TraceTable, e: number, ov: Overlaps): void {
  const N = d.maxBuffers;
  const base = s.traceIndex[e] * N;
  const k = s.cursor[e];
  const start = t.bufStart[base + k];
  const end = t.bufEnd[base + k];
  let m = 0;
  for (let i = 0; i < k; i++) {
    const o = s.offset[e * N + i];
    const bs = t.bufStart[base + i];
    const be = t.bufEnd[base + i];
    if (o < 0 || !overlap(start, end, bs, be)) continue;
    ov.lo[m] = o;
    ov.hi[m] = o + t.bufSize[base + i];
    ov.shared[m] = Math.min(end, be) - Math.max(start, bs);
    m++;
  }
  ov.count = m;
  for (let r = Math.floor(m / 2); r > 0; r--) siftDown(ov, r - 1, m);
  for (let last = m - 1; last > 0; last--) {
    swapOverlaps(ov, 0, last);
    siftDown(ov, 0, last);
  }
}

/**
 * Fills copy e's candidate slots with the lowest K feasible canonical offsets of the buffer at its
 * cursor, ascending, and returns how many there are. Every feasible canonical offset is the
 * aligned start of a free gap between the live buffers (sorted in `ov`): a top inside another
 * buffer is infeasible or, aligned up, the start of the gap above it. So one sweep up the sorted
 * intervals finds them in ascending order, with the end of each one's gap.
 */
export function findCandidates(
  s: State,
  d: Dims,
  config: MemmapConfig,
  t: TraceTable,
  e: number,
  ov: Overlaps,
): number {
  const N = d.maxBuffers;
  const K = d.offsets;
  const tr = s.traceIndex[e];
  const at = tr * N + s.cursor[e];
  const size = t.bufSize[at];
  const align = t.bufAlign[at];
  const cap = t.capacity[tr];
  const hard = config.objective === 'capacity';
  gatherOverlaps(s, d, t, e, ov);
  const m = ov.count;
  const row = e * K;
  let count = 0;
  let g0 = 0;
  for (let i = 0; i <= m && count < K; i++) {
    const open = i === m;
    if (open || ov.lo[i] > g0) {
      const x = alignUp(g0, align);
      if ((open || x + size <= ov.lo[i]) && !(hard && x + size > cap)) {
        s.candOffset[row + count] = x;
        s.candAbove[row + count] = open ? -1 : ov.lo[i];
        count++;
      }
    }
    if (!open && ov.hi[i] > g0) g0 = ov.hi[i];
  }
  for (let i = count; i < K; i++) {
    s.candOffset[row + i] = -1;
    s.candAbove[row + i] = -1;
  }
  s.numOffsets[e] = count;
  return count;
}

/** Places (or spills) the buffer at copy e's cursor and returns the reward. */
export function stepCopy(
  s: State,
  d: Dims,
  config: MemmapConfig,
  t: TraceTable,
  e: number,
  a: number,
): number {
  const N = d.maxBuffers;
  const tr = s.traceIndex[e];
  const k = s.cursor[e];
  const at = tr * N + k;
  s.cursor[e] = k + 1;
  if (a === d.offsets) {
    s.offset[e * N + k] = -2;
    s.spilled[e]++;
    const lo = (s.spilledLo[e] + t.benefitLo[at]) >>> 0;
    const carry = lo < s.spilledLo[e] ? 1 : 0;
    s.spilledHi[e] = (s.spilledHi[e] + t.benefitHi[at] + carry) >>> 0;
    s.spilledLo[e] = lo;
    return t.spillReward[at];
  }
  const x = s.candOffset[e * d.offsets + a];
  s.offset[e * N + k] = x;
  const lb = t.lowerBound[tr];
  const before = Math.max(s.peak[e], lb);
  s.peak[e] = Math.max(s.peak[e], x + t.bufSize[at]);
  // In fit mode the reward is the rise of max(peak, lower bound): the return is lb - peak.
  return config.objective === 'fit' ? before - Math.max(s.peak[e], lb) : 0;
}

export function isDone(s: State, t: TraceTable, e: number): boolean {
  return s.cursor[e] === t.numBuffers[s.traceIndex[e]];
}

/** The peak (fit) or the benefit spilled (capacity), exact. */
export function episodeMetric(s: State, config: MemmapConfig, e: number): number {
  return config.objective === 'fit' ? s.peak[e] : s.spilledHi[e] * TWO_32 + s.spilledLo[e];
}

/** Keeps copy e's finished placement and its trace across the auto-reset (both memmap states). */
export function endEpisode(
  s: Pick<State, 'offset' | 'finalOffset' | 'traceIndex' | 'finalTraceIndex'>,
  d: Dims,
  e: number,
): void {
  const N = d.maxBuffers;
  for (let i = e * N; i < (e + 1) * N; i++) s.finalOffset[i] = s.offset[i];
  s.finalTraceIndex[e] = s.traceIndex[e];
}

/** Writes copy e's candidates, mask and features for the buffer at its cursor. */
export function writeObservation(
  s: State,
  d: Dims,
  config: MemmapConfig,
  t: TraceTable,
  obs: Observation,
  e: number,
  ov: Overlaps,
): void {
  const N = d.maxBuffers;
  const K = d.offsets;
  const C = d.maxCandidates;
  const F = NUM_CANDIDATE_FEATURES;
  const count = findCandidates(s, d, config, t, e, ov);
  const tr = s.traceIndex[e];
  const at = tr * N + s.cursor[e];
  const size = t.bufSize[at];
  const cap = t.capacity[tr];
  const hard = config.objective === 'capacity';
  const lifetime = t.bufEnd[at] - t.bufStart[at];
  const m = ov.count;
  let livePlaced = 0;
  for (let i = 0; i < m; i++) livePlaced += ov.hi[i] - ov.lo[i];
  for (let c = 0; c < K; c++) obs.mask[e * C + c] = c < count ? 1 : 0;
  for (let c = 0; c < count; c++) {
    const x = s.candOffset[e * K + c];
    const top = x + size;
    let below = x === 0 ? lifetime : 0;
    let touchAbove = 0;
    for (let i = 0; i < m; i++) {
      if (ov.lo[i] === top) touchAbove += ov.shared[i];
      if (x > 0 && ov.hi[i] === x) below += ov.shared[i];
    }
    writeCandidateFeatures(
      obs.cand,
      (e * C + c) * F,
      x,
      size,
      s.peak[e],
      s.candAbove[e * K + c],
      below,
      touchAbove,
      lifetime,
      cap,
      0,
    );
  }
  obs.cand.fill(0, (e * C + count) * F, (e * C + K) * F);
  const spillOff = (e * C + K) * F;
  obs.mask[e * C + K] = hard ? 1 : 0;
  if (hard)
    writeCandidateFeatures(obs.cand, spillOff, 0, size, s.peak[e], -1, 0, 0, lifetime, cap, 1);
  else obs.cand.fill(0, spillOff, spillOff + F);
  writeGlobalFeatures(
    obs.glob,
    e * NUM_GLOBAL_FEATURES,
    s.cursor[e],
    t.numBuffers[tr],
    t.areaFrom[at],
    s.peak[e],
    t.lowerBound[tr],
    cap,
    size,
    lifetime,
    t.horizon[tr],
    livePlaced,
    count,
    K,
    s.spilled[e],
    hard ? 1 : 0,
  );
}

/** A finished or partial placement: offset per buffer in the trace's order, null where spilled or undecided. */
export type Placement = (number | null)[];

/** Offsets of `offsets` (in table order) mapped back to the trace's buffer order. */
export function placementOf(
  offsets: Int32Array,
  d: Dims,
  t: TraceTable,
  e: number,
  tr: number,
): Placement {
  const n = t.numBuffers[tr];
  const out: Placement = new Array<number | null>(n).fill(null);
  for (let k = 0; k < n; k++) {
    const o = offsets[e * d.maxBuffers + k];
    out[t.bufIndex[tr * d.maxBuffers + k]] = o >= 0 ? o : null;
  }
  return out;
}

/** Copy e's last finished placement and the index of its trace in the config. */
export function readFinalPlacement(
  s: Pick<State, 'finalOffset' | 'finalTraceIndex'>,
  d: Dims,
  t: TraceTable,
  e: number,
): { traceIndex: number; placement: Placement } {
  const tr = s.finalTraceIndex[e];
  if (tr < 0) throw new Error(`memmap: copy ${e} has not finished an episode yet`);
  return { traceIndex: t.traceOf[tr], placement: placementOf(s.finalOffset, d, t, e, tr) };
}

/** The offsets of copy e's current episode so far. */
export function readPlacement(s: State, d: Dims, t: TraceTable, e: number): Placement {
  return placementOf(s.offset, d, t, e, s.traceIndex[e]);
}

export class MemmapEnv extends BatchEnv<State> {
  readonly config: MemmapConfig;
  readonly dims: Dims;
  readonly table: TraceTable;
  readonly metric = COST;
  private readonly overlaps: Overlaps;

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
    this.overlaps = allocateOverlaps(dims);
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }
  protected resetCopy(e: number): void {
    resetCopy(this.state, this.dims, this.config, e);
  }
  protected stepCopy(e: number, a: number): number {
    return stepCopy(this.state, this.dims, this.config, this.table, e, a);
  }
  protected isDone(e: number): boolean {
    return isDone(this.state, this.table, e);
  }
  protected episodeMetric(e: number): number {
    return episodeMetric(this.state, this.config, e);
  }
  protected metricValue(count: number): number {
    return count;
  }
  protected override endEpisode(e: number): void {
    endEpisode(this.state, this.dims, e);
  }
  protected writeObservation(e: number): void {
    writeObservation(this.state, this.dims, this.config, this.table, this.obs, e, this.overlaps);
  }

  finalPlacement(e: number): { traceIndex: number; placement: Placement } {
    return readFinalPlacement(this.state, this.dims, this.table, e);
  }
}
