/**
 * Skyline heuristics: each places, at every step, the unplaced buffer that lands lowest, ties
 * broken by its decision order (`baselineConfig`). That is candidate slot 0 of a config in that
 * order, so each is a policy over the environment's own candidates, judged on the very
 * placements a learned policy makes.
 *
 * - `skyline-start`: ties to the earliest start (then the larger size);
 * - `skyline-size`: ties to the larger size (then the longer lifetime);
 * - `skyline-duration`: ties to the longer lifetime (then the larger size).
 */

import type { Policy } from '../../src/core/vecenv.js';
import type { DecisionOrder, MemmapConfig } from '../memmap/types.js';

export const BASELINES = ['skyline-start', 'skyline-size', 'skyline-duration'] as const;
export type BaselineName = (typeof BASELINES)[number];

export function isBaseline(name: string): name is BaselineName {
  return (BASELINES as readonly string[]).includes(name);
}

const ORDER: Readonly<Record<BaselineName, DecisionOrder>> = {
  'skyline-start': 'start',
  'skyline-size': 'size',
  'skyline-duration': 'duration',
};

/** The config a heuristic plays `config`'s traces with: its own tie order, one candidate. */
export function baselineConfig(config: MemmapConfig, name: string): MemmapConfig {
  return isBaseline(name) ? { ...config, order: ORDER[name], candidates: 1 } : config;
}

/** The lowest-landing candidate, slot 0, in whatever order the config breaks ties. */
export function baselinePolicy(name: BaselineName): Policy<{ readonly numEnvs: number }> {
  return {
    name,
    act(env, actions) {
      actions.fill(0, 0, env.numEnvs);
    },
  };
}
