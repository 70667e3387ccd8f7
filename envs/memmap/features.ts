/**
 * Candidate and global features of memory mapping, declared once: the environment calls these
 * writers, kernels/memmap.wgsl writes the same numbers from the generated names, and
 * `schedrl export` embeds this module's compiled JavaScript as it is. It imports nothing.
 *
 * Addresses are measured against the trace's capacity (the size of the fast memory): an offset of
 * 0.5 is halfway up the memory whatever its size, the one unit in which traces of different
 * memories look alike. Times are measured against the buffer's own lifetime or the trace's
 * horizon. So no fixed scale is needed beyond these ratios: `scales` lists the one constant the
 * writers use, the cap on a free gap's length where nothing lies above a candidate.
 */

import type { FeatureModule } from '../../src/core/features.js';

/** A gap above a candidate with nothing above it counts as this many capacities (fit mode). */
export const OPEN_GAP = 1;

export const CANDIDATE_FEATURES = [
  'offset', //        offset / capacity
  'top', //           (offset + size) / capacity
  'peak_increase', // how far the placement raises the peak: max(0, top - peak) / capacity
  'gap_above', //     free bytes between the top and the next buffer above it in its lifetime / capacity; where none lies above, min(OPEN_GAP, max(0, capacity - top) / capacity)
  'open_above', //    1 if no live buffer lies above the candidate (the gap is the rest of the memory)
  'fill', //          best-fit tightness: size / (size + gap above), 0 when open above
  'contact_below', // share of the lifetime during which a buffer ends exactly at the offset (1 at offset 0)
  'contact_above', // share of the lifetime during which a buffer starts exactly at the top
  'spill', //         1 for the spill-to-slow-memory candidate (its other features are 0)
] as const;

export const GLOBAL_FEATURES = [
  'progress', //      buffers decided / buffers in the trace
  'area_left', //     share of the trace's size x lifetime area still to decide, this buffer included
  'peak', //          current peak / capacity
  'lower_bound', //   most bytes alive at one time / capacity
  'size', //          size of the buffer to place / capacity
  'lifetime', //      its lifetime / the trace's horizon
  'live_placed', //   bytes of the placed buffers alive with it / capacity
  'choice', //        offset candidates / K
  'spilled', //       buffers spilled so far / buffers in the trace
  'capacity_mode', // 1 in capacity mode (spilling allowed), 0 in fit mode
] as const;

export const NUM_CANDIDATE_FEATURES = CANDIDATE_FEATURES.length;
export const NUM_GLOBAL_FEATURES = GLOBAL_FEATURES.length;

/** The arguments of writeCandidateFeatures after (out, offset), in order. */
export const CANDIDATE_INPUTS = [
  { name: 'offset', doc: 'the candidate offset (0 for the spill candidate)', unit: 'bytes' },
  { name: 'size', doc: 'size of the buffer to place', unit: 'bytes' },
  { name: 'peak', doc: 'highest top of the buffers placed so far', unit: 'bytes' },
  {
    name: 'above',
    doc: 'lowest offset >= offset + size among the placed buffers alive with it, -1 if none',
    unit: 'bytes',
  },
  {
    name: 'contactBelow',
    doc: 'time the buffer shares with placed buffers ending exactly at the offset (its lifetime at offset 0)',
    unit: 'time steps',
  },
  {
    name: 'contactAbove',
    doc: 'time the buffer shares with placed buffers starting exactly at offset + size',
    unit: 'time steps',
  },
  { name: 'lifetime', doc: 'end - start of the buffer to place', unit: 'time steps' },
  { name: 'capacity', doc: 'bytes of fast memory', unit: 'bytes' },
  { name: 'spill', doc: '1 for the spill candidate, 0 for an offset', unit: '0/1' },
] as const;

/** The arguments of writeGlobalFeatures after (out, offset), in order. */
export const GLOBAL_INPUTS = [
  { name: 'decided', doc: 'buffers placed or spilled so far', unit: 'buffers' },
  { name: 'numBuffers', doc: 'buffers in the trace', unit: 'buffers' },
  {
    name: 'areaLeft',
    doc: "share of the trace's size x lifetime in the buffers not yet decided",
    unit: 'fraction',
  },
  { name: 'peak', doc: 'highest top of the buffers placed so far', unit: 'bytes' },
  { name: 'lowerBound', doc: 'most bytes alive at one time in the trace', unit: 'bytes' },
  { name: 'capacity', doc: 'bytes of fast memory', unit: 'bytes' },
  { name: 'size', doc: 'size of the buffer to place', unit: 'bytes' },
  { name: 'lifetime', doc: 'end - start of the buffer to place', unit: 'time steps' },
  { name: 'horizon', doc: 'last end time in the trace', unit: 'time steps' },
  {
    name: 'livePlaced',
    doc: 'bytes of the placed buffers whose live ranges overlap this one',
    unit: 'bytes',
  },
  { name: 'offsets', doc: 'offset candidates of this decision', unit: 'candidates' },
  { name: 'maxOffsets', doc: 'K, the most offset candidates a decision has', unit: 'candidates' },
  { name: 'spilled', doc: 'buffers spilled so far', unit: 'buffers' },
  { name: 'capacityMode', doc: '1 when spilling is allowed (capacity mode)', unit: '0/1' },
] as const;

function indexOf<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>;
}
const CF = indexOf(CANDIDATE_FEATURES);
const GF = indexOf(GLOBAL_FEATURES);

/** Writes the F features of one candidate at `out[offset..offset+F)`, from CANDIDATE_INPUTS. */
export function writeCandidateFeatures(
  out: Float32Array,
  at: number,
  offset: number,
  size: number,
  peak: number,
  above: number,
  contactBelow: number,
  contactAbove: number,
  lifetime: number,
  capacity: number,
  spill: number,
): void {
  if (spill !== 0) {
    for (let f = 0; f < NUM_CANDIDATE_FEATURES; f++) out[at + f] = 0;
    out[at + CF.spill] = 1;
    return;
  }
  const top = offset + size;
  const open = above < 0;
  out[at + CF.offset] = offset / capacity;
  out[at + CF.top] = top / capacity;
  out[at + CF.peak_increase] = Math.max(0, top - peak) / capacity;
  out[at + CF.gap_above] = open
    ? Math.min(OPEN_GAP, Math.max(0, capacity - top) / capacity)
    : (above - top) / capacity;
  out[at + CF.open_above] = open ? 1 : 0;
  out[at + CF.fill] = open ? 0 : size / (above - offset);
  out[at + CF.contact_below] = contactBelow / lifetime;
  out[at + CF.contact_above] = contactAbove / lifetime;
  out[at + CF.spill] = 0;
}

/** Writes the G global features at `out[offset..offset+G)`, from GLOBAL_INPUTS in order. */
export function writeGlobalFeatures(
  out: Float32Array,
  at: number,
  decided: number,
  numBuffers: number,
  areaLeft: number,
  peak: number,
  lowerBound: number,
  capacity: number,
  size: number,
  lifetime: number,
  horizon: number,
  livePlaced: number,
  offsets: number,
  maxOffsets: number,
  spilled: number,
  capacityMode: number,
): void {
  out[at + GF.progress] = decided / numBuffers;
  out[at + GF.area_left] = areaLeft;
  out[at + GF.peak] = peak / capacity;
  out[at + GF.lower_bound] = lowerBound / capacity;
  out[at + GF.size] = size / capacity;
  out[at + GF.lifetime] = lifetime / horizon;
  out[at + GF.live_placed] = livePlaced / capacity;
  out[at + GF.choice] = offsets / maxOffsets;
  out[at + GF.spilled] = spilled / numBuffers;
  out[at + GF.capacity_mode] = capacityMode;
}

/** Memory mapping's feature module: what the trainer records, the kernel and export derive from. */
export const FEATURES = {
  candidate: CANDIDATE_FEATURES,
  global: GLOBAL_FEATURES,
  candidateInputs: CANDIDATE_INPUTS,
  globalInputs: GLOBAL_INPUTS,
  scales: { OPEN_GAP },
  writeCandidate: writeCandidateFeatures,
  writeGlobal: writeGlobalFeatures,
  embedding: {
    name: 'placeAll',
    run: (dispatch: Dispatch, defaults: Readonly<Record<string, unknown>>, ...args: unknown[]) =>
      placeBuffers(
        dispatch,
        defaults as PlaceOptions,
        args[0] as readonly BufferInput[],
        args[1] as PlaceOptions | undefined,
      ),
    // Lines joined here, not one template, so that no line of the compiled module starts with
    // `export` (the exporter embeds this module as a function body).
    dts: [
      "/** A buffer of the compiler's list: half-open live range [start, end), size in bytes, optional alignment. */",
      'export interface BufferInput { id?: string | number; start: number; end: number; size: number; alignment?: number }',
      "/** Defaults: the checkpoint's objective, order and K; capacity: the most bytes alive at once. */",
      "export interface PlaceOptions { capacity?: number; objective?: 'fit' | 'capacity'; order?: 'start' | 'size' | 'duration' | 'given'; candidates?: number }",
      '/**',
      " * The trained policy places every buffer (greedily, as the environment's episode): the offset of",
      " * each buffer in the list's order (null where spilled, capacity mode only) and the peak address.",
      ' * Bad input throws a RangeError naming the buffer and field.',
      ' */',
      'export declare function placeAll(buffers: readonly BufferInput[], options?: PlaceOptions): { offsets: (number | null)[]; peak: number };',
    ].join('\n'),
  },
} as const satisfies FeatureModule;

/** One buffer of a compiler's buffer list, as `placeAll` takes it. */
export interface BufferInput {
  readonly id?: string | number;
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly alignment?: number;
}

export interface PlaceOptions {
  /** Bytes of fast memory; default the most bytes alive at one time (features are relative to it). */
  readonly capacity?: number;
  /** `fit` (place everything) or `capacity` (spill what the policy or the capacity says). */
  readonly objective?: string;
  /** Decision order: start, size, duration, given. */
  readonly order?: string;
  /** K, the lowest K feasible offsets a decision chooses from. */
  readonly candidates?: number;
}

/** Chooses a candidate from its features: an exported module's dispatch(). */
export type Dispatch = (cand: Float32Array, glob: Float32Array, mask: Uint8Array) => number;

function placeFail(what: string): never {
  throw new RangeError(`placeAll: ${what}`);
}

/**
 * The environment's episode over a caller's buffer list, for embedding: buffers decided in the
 * decision order, each offered its lowest K feasible canonical offsets (and spilling in capacity
 * mode) with the features the policy trained on, `dispatch` choosing. Returns the offset of each
 * buffer in the list's order (null where spilled) and the peak. It repeats envs/memmap/env.ts on
 * plain arrays, so that an exported module runs it with nothing installed; a test holds the two
 * to the same placements.
 */
export function placeBuffers(
  dispatch: Dispatch,
  defaults: PlaceOptions,
  list: readonly BufferInput[],
  options: PlaceOptions = {},
): { offsets: (number | null)[]; peak: number } {
  if (!Array.isArray(list) || list.length === 0) placeFail('buffers must be a non-empty array');
  const n = list.length;
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const size = new Int32Array(n);
  const align = new Int32Array(n);
  list.forEach((b, i) => {
    const int = (v: unknown, name: string, lo: number): number => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > 0x3fffffff)
        placeFail(
          `buffers[${i}].${name} must be an integer in ${lo}..${0x3fffffff}, got ${String(v)}`,
        );
      return v as number;
    };
    if (b === null || typeof b !== 'object') placeFail(`buffers[${i}] must be a record`);
    start[i] = int(b.start, 'start', 0);
    end[i] = int(b.end, 'end', start[i] + 1);
    size[i] = int(b.size, 'size', 1);
    align[i] = int(b.alignment ?? 1, 'alignment', 1);
  });
  // As the trace reader's limit: every offset, top and sum of two stays below 2^31.
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += size[i] + align[i] - 1;
  if (bytes > 0x3fffffff)
    placeFail(`sizes (with alignment - 1 each) must sum to at most ${0x3fffffff}, got ${bytes}`);
  const objective = options.objective ?? defaults.objective ?? 'fit';
  // A policy trained on mixed orders plays in XLA's spatial (size) order unless told otherwise.
  const asked = options.order ?? defaults.order ?? 'start';
  const order = asked === 'mixed' ? 'size' : asked;
  const K = options.candidates ?? defaults.candidates ?? 16;
  if (objective !== 'fit' && objective !== 'capacity')
    placeFail(`unknown objective '${objective}'`);
  if (!Number.isSafeInteger(K) || K < 1 || K > 4096)
    placeFail(`candidates must be an integer in 1..4096, got ${K}`);
  // The lower bound: the most bytes alive at once (ends before starts at one time).
  const events: [number, number][] = [];
  for (let i = 0; i < n; i++) events.push([start[i], size[i]], [end[i], -size[i]]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let lowerBound = 0;
  for (const [, d] of events) lowerBound = Math.max(lowerBound, (live += d));
  const capacity = options.capacity ?? defaults.capacity ?? lowerBound;
  if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > 0x3fffffff)
    placeFail(`capacity must be an integer in 1..${0x3fffffff}, got ${capacity}`);
  const life = (i: number): number => end[i] - start[i];
  const keys: Record<string, (a: number, b: number) => number> = {
    start: (a, b) => start[a] - start[b] || size[b] - size[a],
    size: (a, b) => size[b] - size[a] || life(b) - life(a),
    duration: (a, b) => life(b) - life(a) || size[b] - size[a],
    given: () => 0,
  };
  const key = keys[order];
  if (key === undefined) placeFail(`unknown order '${order}'`);
  const ord = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a, b) || a - b);
  const horizon = Math.max(...Array.from(end));
  let totalArea = 0;
  for (let i = 0; i < n; i++) totalArea += size[i] * life(i);
  const offset = new Int32Array(n).fill(-1);
  const C = K + 1;
  const cand = new Float32Array(C * NUM_CANDIDATE_FEATURES);
  const glob = new Float32Array(NUM_GLOBAL_FEATURES);
  const mask = new Uint8Array(C);
  const offsets: number[] = [];
  const hard = objective === 'capacity';
  let after = totalArea;
  let peak = 0;
  let spilled = 0;
  for (let k = 0; k < n; k++) {
    const b = ord[k];
    const areaLeft = totalArea > 0 ? Math.max(0, after) / totalArea : 0;
    after -= size[b] * life(b);
    const overlaps = (j: number): boolean => start[b] < end[j] && start[j] < end[b];
    offsets.length = 0;
    for (let p = -1; p < k; p++) {
      let x = 0;
      if (p >= 0) {
        const j = ord[p];
        if (offset[j] < 0 || !overlaps(j)) continue;
        const top = offset[j] + size[j];
        x = top + ((align[b] - (top % align[b])) % align[b]);
      }
      if (hard && x + size[b] > capacity) continue;
      if (offsets.includes(x)) continue;
      let fits = true;
      for (let q = 0; q < k && fits; q++) {
        const j = ord[q];
        if (offset[j] >= 0 && overlaps(j) && x < offset[j] + size[j] && offset[j] < x + size[b])
          fits = false;
      }
      if (fits) offsets.push(x);
    }
    offsets.sort((a, c) => a - c);
    const count = Math.min(K, offsets.length);
    let livePlaced = 0;
    for (let q = 0; q < k; q++)
      if (offset[ord[q]] >= 0 && overlaps(ord[q])) livePlaced += size[ord[q]];
    cand.fill(0);
    for (let c = 0; c < K; c++) {
      mask[c] = c < count ? 1 : 0;
      if (c >= count) continue;
      const x = offsets[c];
      const top = x + size[b];
      let above = -1;
      let below = x === 0 ? life(b) : 0;
      let touchAbove = 0;
      for (let q = 0; q < k; q++) {
        const j = ord[q];
        const o = offset[j];
        if (o < 0 || !overlaps(j)) continue;
        const shared = Math.min(end[b], end[j]) - Math.max(start[b], start[j]);
        if (o >= top && (above < 0 || o < above)) above = o;
        if (o === top) touchAbove += shared;
        if (x > 0 && o + size[j] === x) below += shared;
      }
      writeCandidateFeatures(
        cand,
        c * NUM_CANDIDATE_FEATURES,
        x,
        size[b],
        peak,
        above,
        below,
        touchAbove,
        life(b),
        capacity,
        0,
      );
    }
    mask[K] = hard ? 1 : 0;
    if (hard)
      writeCandidateFeatures(
        cand,
        K * NUM_CANDIDATE_FEATURES,
        0,
        size[b],
        peak,
        -1,
        0,
        0,
        life(b),
        capacity,
        1,
      );
    writeGlobalFeatures(
      glob,
      0,
      k,
      n,
      areaLeft,
      peak,
      lowerBound,
      capacity,
      size[b],
      life(b),
      horizon,
      livePlaced,
      count,
      K,
      spilled,
      hard ? 1 : 0,
    );
    const a = dispatch(cand, glob, mask);
    if (!Number.isInteger(a) || a < 0 || a >= C || mask[a] === 0)
      placeFail(`dispatch chose ${a}, not a legal candidate`);
    if (a === K) {
      offset[b] = -2;
      spilled++;
    } else {
      offset[b] = offsets[a];
      peak = Math.max(peak, offsets[a] + size[b]);
    }
  }
  return { offsets: Array.from(offset, (o) => (o >= 0 ? o : null)), peak };
}
