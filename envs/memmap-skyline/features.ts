/**
 * Candidate and global features of skyline memory mapping, declared once: the environment calls
 * these writers, kernels/memmap-skyline.wgsl writes the same numbers from the generated names, and
 * `schedrl export` embeds this module's compiled JavaScript as it is. It imports nothing.
 *
 * A candidate here is a buffer, not an offset: the decision is which buffer goes next, and it
 * lands at its floor (the highest top of the placed buffers alive with it). So a candidate's
 * features describe the buffer (its size and live range) as well as where it would land.
 * Addresses are measured against the trace's capacity, times against the trace's horizon or the
 * buffer's own lifetime, as in envs/memmap/features.ts; no fixed scale is needed beyond these.
 */

import type { FeatureModule } from '../../src/core/features.js';

export const CANDIDATE_FEATURES = [
  'offset', //          where the buffer lands (its aligned floor) / capacity
  'top', //             (offset + size) / capacity
  'peak_increase', //   how far placing it raises the peak: max(0, top - peak) / capacity
  'above_lowest', //    offset - the lowest candidate's offset, / capacity
  'size', //            size / capacity
  'lifetime', //        (end - start) / horizon
  'start', //           start / horizon
  'rest', //            share of its lifetime during which a placed buffer ends exactly at the offset (1 at offset 0)
  'pending_overlap', // mean bytes of the other unplaced buffers alive with it over its lifetime / capacity
  'rank', //            its slot / K: candidates come lowest offset first, ties in the table's order
] as const;

export const GLOBAL_FEATURES = [
  'progress', //    buffers placed / buffers in the trace
  'area_left', //   share of the trace's size x lifetime area still unplaced
  'peak', //        current peak / capacity
  'lower_bound', // most bytes alive at one time / capacity
  'lowest', //      the lowest candidate's offset / capacity
  'choice', //      candidates / K
] as const;

export const NUM_CANDIDATE_FEATURES = CANDIDATE_FEATURES.length;
export const NUM_GLOBAL_FEATURES = GLOBAL_FEATURES.length;

/** The arguments of writeCandidateFeatures after (out, offset), in order. */
export const CANDIDATE_INPUTS = [
  { name: 'offset', doc: 'where the buffer lands: its floor, aligned up', unit: 'bytes' },
  { name: 'size', doc: 'size of the buffer', unit: 'bytes' },
  { name: 'start', doc: 'first time step it is alive', unit: 'time steps' },
  { name: 'lifetime', doc: 'end - start of the buffer', unit: 'time steps' },
  { name: 'peak', doc: 'highest top of the buffers placed so far', unit: 'bytes' },
  { name: 'lowest', doc: 'offset of the lowest candidate', unit: 'bytes' },
  {
    name: 'rest',
    doc: 'time the buffer shares with placed buffers ending exactly at the offset (its lifetime at offset 0)',
    unit: 'time steps',
  },
  {
    name: 'pendingOverlap',
    doc: 'sum over the other unplaced buffers of size x time shared with it, summed in f32',
    unit: 'byte time steps',
  },
  { name: 'slot', doc: "the candidate's slot, 0 for the lowest", unit: 'candidates' },
  { name: 'maxCandidates', doc: 'K, the most candidates a decision has', unit: 'candidates' },
  { name: 'capacity', doc: 'bytes of fast memory', unit: 'bytes' },
  { name: 'horizon', doc: 'last end time in the trace', unit: 'time steps' },
] as const;

/** The arguments of writeGlobalFeatures after (out, offset), in order. */
export const GLOBAL_INPUTS = [
  { name: 'placed', doc: 'buffers placed so far', unit: 'buffers' },
  { name: 'numBuffers', doc: 'buffers in the trace', unit: 'buffers' },
  {
    name: 'areaLeft',
    doc: "share of the trace's size x lifetime in the unplaced buffers",
    unit: 'fraction',
  },
  { name: 'peak', doc: 'highest top of the buffers placed so far', unit: 'bytes' },
  { name: 'lowerBound', doc: 'most bytes alive at one time in the trace', unit: 'bytes' },
  { name: 'lowest', doc: 'offset of the lowest candidate', unit: 'bytes' },
  { name: 'capacity', doc: 'bytes of fast memory', unit: 'bytes' },
  { name: 'candidates', doc: 'candidates of this decision', unit: 'candidates' },
  { name: 'maxCandidates', doc: 'K, the most candidates a decision has', unit: 'candidates' },
] as const;

function indexOf<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>;
}
const CF = indexOf(CANDIDATE_FEATURES);
const GF = indexOf(GLOBAL_FEATURES);

/** Writes the F features of one candidate at `out[at..at+F)`, from CANDIDATE_INPUTS. */
export function writeCandidateFeatures(
  out: Float32Array,
  at: number,
  offset: number,
  size: number,
  start: number,
  lifetime: number,
  peak: number,
  lowest: number,
  rest: number,
  pendingOverlap: number,
  slot: number,
  maxCandidates: number,
  capacity: number,
  horizon: number,
): void {
  const top = offset + size;
  out[at + CF.offset] = offset / capacity;
  out[at + CF.top] = top / capacity;
  out[at + CF.peak_increase] = Math.max(0, top - peak) / capacity;
  out[at + CF.above_lowest] = (offset - lowest) / capacity;
  out[at + CF.size] = size / capacity;
  out[at + CF.lifetime] = lifetime / horizon;
  out[at + CF.start] = start / horizon;
  out[at + CF.rest] = rest / lifetime;
  out[at + CF.pending_overlap] = pendingOverlap / lifetime / capacity;
  out[at + CF.rank] = slot / maxCandidates;
}

/** Writes the G global features at `out[at..at+G)`, from GLOBAL_INPUTS in order. */
export function writeGlobalFeatures(
  out: Float32Array,
  at: number,
  placed: number,
  numBuffers: number,
  areaLeft: number,
  peak: number,
  lowerBound: number,
  lowest: number,
  capacity: number,
  candidates: number,
  maxCandidates: number,
): void {
  out[at + GF.progress] = placed / numBuffers;
  out[at + GF.area_left] = areaLeft;
  out[at + GF.peak] = peak / capacity;
  out[at + GF.lower_bound] = lowerBound / capacity;
  out[at + GF.lowest] = lowest / capacity;
  out[at + GF.choice] = candidates / maxCandidates;
}

/** Skyline memory mapping's feature module: what the trainer records, the kernel and export derive from. */
export const FEATURES = {
  candidate: CANDIDATE_FEATURES,
  global: GLOBAL_FEATURES,
  candidateInputs: CANDIDATE_INPUTS,
  globalInputs: GLOBAL_INPUTS,
  scales: {},
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
      "/** Defaults: the checkpoint's tie order and K; capacity: the most bytes alive at once. */",
      "export interface PlaceOptions { capacity?: number; order?: 'start' | 'size' | 'duration' | 'given'; candidates?: number }",
      '/**',
      ' * The trained policy picks, step by step, which buffer is placed next; each lands on the placed',
      " * buffers alive with it (greedily, as the environment's episode). Returns the offset of each",
      " * buffer in the list's order and the peak address. Bad input throws a RangeError naming the",
      ' * buffer and field.',
      ' */',
      'export declare function placeAll(buffers: readonly BufferInput[], options?: PlaceOptions): { offsets: number[]; peak: number };',
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
  /** How ties between equally low candidates are broken: start, size, duration, given. */
  readonly order?: string;
  /** K, the candidates of a decision. */
  readonly candidates?: number;
}

/** Chooses a candidate from its features: an exported module's dispatch(). */
export type Dispatch = (cand: Float32Array, glob: Float32Array, mask: Uint8Array) => number;

function placeFail(what: string): never {
  throw new RangeError(`placeAll: ${what}`);
}

/**
 * The environment's episode over a caller's buffer list, for embedding: at each step the K
 * unplaced buffers that land lowest are offered with the features the policy trained on,
 * `dispatch` picks one, and it lands at its floor. Returns the offset of each buffer in the list's
 * order and the peak. It repeats envs/memmap-skyline/env.ts on plain arrays (f32 sums included),
 * so that an exported module runs it with nothing installed; a test holds the two to the same
 * placements.
 */
export function placeBuffers(
  dispatch: Dispatch,
  defaults: PlaceOptions,
  list: readonly BufferInput[],
  options: PlaceOptions = {},
): { offsets: number[]; peak: number } {
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
  // A policy trained on mixed orders breaks ties in start order unless told otherwise.
  const asked = options.order ?? defaults.order ?? 'start';
  const order = asked === 'mixed' ? 'start' : asked;
  const K = options.candidates ?? defaults.candidates ?? 16;
  if (!Number.isSafeInteger(K) || K < 1 || K > 4096)
    placeFail(`candidates must be an integer in 1..4096, got ${K}`);
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
  // Table order: ties between equally low candidates go to the earlier buffer here.
  const ord = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a, b) || a - b);
  const horizon = Math.max(...Array.from(end));
  const f32 = Math.fround;
  const overlaps = (i: number, j: number): boolean => start[i] < end[j] && start[j] < end[i];
  const offset = new Int32Array(n).fill(-1);
  const floor = new Int32Array(n);
  const landing = (i: number): number => floor[i] + ((align[i] - (floor[i] % align[i])) % align[i]);
  const cand = new Float32Array(K * NUM_CANDIDATE_FEATURES);
  const glob = new Float32Array(NUM_GLOBAL_FEATURES);
  const mask = new Uint8Array(K);
  let total = 0;
  for (const i of ord) total = f32(total + f32(f32(size[i]) * f32(life(i))));
  let peak = 0;
  for (let placed = 0; placed < n; placed++) {
    // The K unplaced buffers that land lowest, ties in table order (a stable sort keeps it).
    const slots = ord
      .filter((i) => offset[i] < 0)
      .sort((a, b) => landing(a) - landing(b))
      .slice(0, K);
    const lowest = landing(slots[0]);
    cand.fill(0);
    mask.fill(0);
    slots.forEach((b, c) => {
      mask[c] = 1;
      const x = landing(b);
      let rest = x === 0 ? life(b) : 0;
      let pending = 0;
      for (const i of ord) {
        if (i === b || !overlaps(b, i)) continue;
        const shared = Math.min(end[b], end[i]) - Math.max(start[b], start[i]);
        if (offset[i] < 0) pending = f32(pending + f32(f32(size[i]) * f32(shared)));
        else if (x > 0 && offset[i] + size[i] === x) rest += shared;
      }
      writeCandidateFeatures(
        cand,
        c * NUM_CANDIDATE_FEATURES,
        x,
        size[b],
        start[b],
        life(b),
        peak,
        lowest,
        Math.min(rest, life(b)),
        pending,
        c,
        K,
        capacity,
        horizon,
      );
    });
    let left = 0;
    for (const i of ord) if (offset[i] < 0) left = f32(left + f32(f32(size[i]) * f32(life(i))));
    writeGlobalFeatures(
      glob,
      0,
      placed,
      n,
      total > 0 ? left / total : 0,
      peak,
      lowerBound,
      lowest,
      capacity,
      slots.length,
      K,
    );
    const a = dispatch(cand, glob, mask);
    if (!Number.isInteger(a) || a < 0 || a >= K || mask[a] === 0)
      placeFail(`dispatch chose ${a}, not a legal candidate`);
    const b = slots[a];
    const x = landing(b);
    offset[b] = x;
    peak = Math.max(peak, x + size[b]);
    for (let i = 0; i < n; i++)
      if (offset[i] < 0 && overlaps(b, i)) floor[i] = Math.max(floor[i], x + size[b]);
  }
  return { offsets: Array.from(offset), peak };
}
