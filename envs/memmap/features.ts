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
} as const satisfies FeatureModule;
