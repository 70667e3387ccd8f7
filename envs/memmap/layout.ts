/**
 * Where every field of the memory-mapping state lives (src/gpu/layout.ts derives the CPU's typed
 * arrays and the kernel's bindings from this one description). The traces themselves are not
 * state: both backends read them from the config's trace table (table.ts), by `traceIndex`.
 *
 * Size tokens: E copies, EN copies x buffer slots, EK copies x candidate slots.
 */

import { BATCH_FIELDS } from '../../src/core/batch-env.js';
import {
  buildLayout,
  stateViews,
  type Layout,
  type LayoutSpec,
  type StateOf,
} from '../../src/gpu/layout.js';
import type { Dims } from './types.js';

export const STATE_SPEC = {
  env: {
    type: 'i32',
    fields: {
      /** [E] episodes started by each copy. */
      episode: 'E',
      /** [E] the trace the copy plays (index into the table). */
      traceIndex: 'E',
      /** [E] buffers decided so far: the next decision is the buffer at this position of the order. */
      cursor: 'E',
      /** [E] highest top (offset + size) of a placed buffer, 0 before the first. */
      peak: 'E',
      /** [E] buffers spilled to slow memory (capacity mode). */
      spilled: 'E',
      /** [E] offset candidates of the current decision (the legal ones among the first K slots). */
      numOffsets: 'E',
      /** [E] trace of the last finished episode, -1 before the first. */
      finalTraceIndex: 'E',
    },
  },
  /** The copy's random stream and its episode's running return and length (src/core/batch-env.ts). */
  batch: BATCH_FIELDS,
  benefit: {
    type: 'u32',
    fields: {
      /** [E] benefit of the spilled buffers, low and high 32-bit words (exact on the device). */
      spilledLo: 'E',
      spilledHi: 'E',
    },
  },
  buffers: {
    type: 'i32',
    fields: {
      /** [E, N] offset of the buffer decided k-th, -1 while undecided, -2 when spilled. */
      offset: 'EN',
      /** [E, N] the offsets of the last finished episode (kept across the auto-reset). */
      finalOffset: 'EN',
      /** [E, K] the candidate offsets of the current decision, ascending; -1 in empty slots. */
      candOffset: 'EK',
      /** [E, K] where the free gap above each candidate ends (the next live buffer's offset), -1 where open. */
      candAbove: 'EK',
    },
  },
} as const satisfies LayoutSpec;

export type StateLayout = Layout<typeof STATE_SPEC>;
export type State = StateOf<typeof STATE_SPEC>;

/** The size tokens of both memory-mapping states (envs/memmap-skyline's layout uses them too). */
export function stateSizes(d: Dims): Record<string, number> {
  const E = d.numEnvs;
  return { E, EN: E * d.maxBuffers, EK: E * d.offsets };
}

/** The state of a batch and the layout it lives in (the GPU backend uploads `layout.*.data`). */
export function allocateState(d: Dims): { state: State; layout: StateLayout } {
  const layout = buildLayout(STATE_SPEC, stateSizes(d));
  const state = stateViews(layout);
  state.finalOffset.fill(-1);
  state.finalTraceIndex.fill(-1);
  state.candOffset.fill(-1);
  state.candAbove.fill(-1);
  return { state, layout };
}
