/**
 * The fixed validation set of a training run, for every environment alike: the environment's
 * validation episodes, played once by every baseline (the best one's mean metric is the figure to
 * beat) and, at every validation, greedily by the policy being trained.
 */

import { mean } from '../core/table.js';
import type { AnyEnvEntry, EnvOptions } from '../core/registry.js';
import type { Observation } from '../core/vecenv.js';
import { playBatch } from '../eval/play.js';

const CPU = { backend: 'cpu', gpu: undefined } as const;

export interface Validation {
  /** Copies in one pass (one per validation episode). */
  readonly numEnvs: number;
  /** The best baseline's mean metric on the same episodes. */
  readonly baseline: { readonly name: string; readonly metric: number };
  /** Plays `choose` once on every episode and returns the mean metric. */
  evaluate(choose: (obs: Observation, numEnvs: number) => Promise<Int32Array>): Promise<number>;
}

export async function validationSet(
  entry: AnyEnvEntry,
  options: EnvOptions,
  count: number,
): Promise<Validation> {
  const { config, seed } = entry.training.validation(options, count);
  const better = (a: number, b: number): boolean => (entry.metric.lowerIsBetter ? a < b : a > b);
  let baseline = { name: '', metric: entry.metric.lowerIsBetter ? Infinity : -Infinity };
  for (const name of entry.baselines.names) {
    const played = await playBatch(
      entry,
      entry.baselines.config?.(config, name) ?? config,
      entry.baselines.policy(name, 0),
      CPU,
      { seed },
    );
    const metric = mean(played.episodes.map((x) => x.metric));
    if (better(metric, baseline.metric)) baseline = { name, metric };
  }
  return {
    numEnvs: count,
    baseline,
    async evaluate(choose) {
      const played = await playBatch(
        entry,
        config,
        {
          name: 'learned',
          act: async (env, actions) => actions.set(await choose(env.obs, env.numEnvs)),
        },
        CPU,
        { seed },
      );
      return mean(played.episodes.map((x) => x.metric));
    },
  };
}
