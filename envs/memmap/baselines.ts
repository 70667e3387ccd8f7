/**
 * The heuristics of ML compilers' buffer assignment, each a policy over the environment's own
 * candidates (so a learned policy is judged on the very same placements), and the decision order
 * each is defined with (`baselineConfig`): the order is part of the heuristic.
 *
 * - `xla-spatial`: XLA heap simulator's decreasing-size best fit, buffers by size (then lifetime);
 * - `xla-temporal`: the same best fit, buffers by lifetime (then size);
 * - `best-fit`: best fit with buffers in start-time order;
 * - `first-fit`: the lowest feasible offset, buffers in start-time order.
 *
 * Best fit takes the candidate whose free gap (from its offset up to the next buffer above it in
 * the buffer's lifetime) is the smallest that holds the buffer; the open space above everything
 * counts as an infinite gap in fit mode and as the rest of the capacity in capacity mode; ties go
 * to the lower offset. In capacity mode a buffer that fits nowhere is spilled. Heuristics see
 * every feasible offset (K raised to the trace's size), a learned policy its K lowest.
 */

import type { Policy } from '../../src/core/vecenv.js';
import { MAX_OFFSETS } from './env.js';
import type { DecisionOrder, MemmapBatch, MemmapConfig } from './types.js';

export const BASELINES = ['xla-spatial', 'xla-temporal', 'best-fit', 'first-fit'] as const;
export type BaselineName = (typeof BASELINES)[number];

export function isBaseline(name: string): name is BaselineName {
  return (BASELINES as readonly string[]).includes(name);
}

const ORDER: Readonly<Record<BaselineName, DecisionOrder>> = {
  'xla-spatial': 'size',
  'xla-temporal': 'duration',
  'best-fit': 'start',
  'first-fit': 'start',
};

/** The config a heuristic plays `config`'s traces with: its own order, every feasible offset. */
export function baselineConfig(config: MemmapConfig, name: string): MemmapConfig {
  const most = Math.max(...config.traces.map((t) => t.buffers.length));
  return {
    ...config,
    order: isBaseline(name) ? ORDER[name] : config.order,
    candidates: Math.min(MAX_OFFSETS, Math.max(config.candidates, most + 1)),
  };
}

/**
 * The free gap above candidate c of copy e: from its offset to the next live buffer above it, or
 * Infinity where none is (the capacity bounds it in capacity mode).
 */
export function candidateGap(env: MemmapBatch, e: number, c: number): number {
  const { state: s, dims: d } = env;
  const x = s.candOffset[e * d.offsets + c];
  const above = s.candAbove[e * d.offsets + c];
  if (above >= 0) return above - x;
  return env.config.objective === 'capacity' ? env.table.capacity[s.traceIndex[e]] - x : Infinity;
}

export function baselinePolicy(name: BaselineName): Policy<MemmapBatch> {
  const bestFit = name !== 'first-fit';
  return {
    name,
    act(env, actions) {
      const { state: s, dims: d } = env;
      for (let e = 0; e < env.numEnvs; e++) {
        const count = s.numOffsets[e];
        if (count === 0) {
          actions[e] = d.offsets; // nothing fits: spill (legal only in capacity mode)
          continue;
        }
        let best = 0;
        if (bestFit) {
          let bestGap = candidateGap(env, e, 0);
          for (let c = 1; c < count; c++) {
            const gap = candidateGap(env, e, c);
            if (gap < bestGap) {
              best = c;
              bestGap = gap;
            }
          }
        }
        actions[e] = best;
      }
    },
  };
}
