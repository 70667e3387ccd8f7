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
} as const satisfies FeatureModule;
