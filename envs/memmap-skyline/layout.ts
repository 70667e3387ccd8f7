/**
 * Where every field of the skyline memory-mapping state lives (src/gpu/layout.ts derives the CPU's
 * typed arrays and the kernel's bindings from this one description). As in envs/memmap, the traces
 * are not state: both backends read them from the config's trace table, by `traceIndex`; a buffer
 * is named by its position in the table's order, which here only breaks ties between candidates.
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
import { stateSizes } from '../memmap/layout.js';
import type { Dims } from '../memmap/types.js';

export const STATE_SPEC = {
  env: {
    type: 'i32',
    fields: {
      /** [E] episodes started by each copy. */
      episode: 'E',
      /** [E] the trace the copy plays (index into the table). */
      traceIndex: 'E',
      /** [E] buffers placed so far. */
      placed: 'E',
      /** [E] highest top (offset + size) of a placed buffer, 0 before the first. */
      peak: 'E',
      /** [E] candidates of the current decision (the legal ones among the first K slots). */
      numCandidates: 'E',
      /** [E] trace of the last finished episode, -1 before the first. */
      finalTraceIndex: 'E',
    },
  },
  /** The copy's random stream and its episode's running return and length (src/core/batch-env.ts). */
  batch: BATCH_FIELDS,
  buffers: {
    type: 'i32',
    fields: {
      /** [E, N] offset of table buffer k, -1 while unplaced. */
      offset: 'EN',
      /** [E, N] the offsets of the last finished episode (kept across the auto-reset). */
      finalOffset: 'EN',
      /** [E, N] the highest top of the placed buffers alive with table buffer k (its floor), 0 if none. */
      floor: 'EN',
      /** [E, K] the table position of each candidate buffer, lowest floor first; -1 in empty slots. */
      candBuffer: 'EK',
    },
  },
} as const satisfies LayoutSpec;

export type StateLayout = Layout<typeof STATE_SPEC>;
export type State = StateOf<typeof STATE_SPEC>;

/** The state of a batch and the layout it lives in (the GPU backend uploads `layout.*.data`). */
export function allocateState(d: Dims): { state: State; layout: StateLayout } {
  const layout = buildLayout(STATE_SPEC, stateSizes(d));
  const state = stateViews(layout);
  state.offset.fill(-1);
  state.finalOffset.fill(-1);
  state.finalTraceIndex.fill(-1);
  state.candBuffer.fill(-1);
  return { state, layout };
}
