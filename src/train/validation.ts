/**
 * The fixed validation set of a training run, for every environment alike: the environment's
 * validation episodes, played once by every reference baseline (training.references, else every
 * baseline; the best one's mean metric is the figure to beat) and, at every validation, greedily by the policy being trained.
 */

import { mean } from '../core/table.js';
import type { AnyEnvEntry, EnvOptions, ValidationFigures } from '../core/registry.js';
import type { Observation } from '../core/vecenv.js';
import { playBatch, type EpisodeResult } from '../eval/play.js';

const CPU = { backend: 'cpu', gpu: undefined } as const;

export interface Validation {
  /** Copies in one pass (one per validation episode). */
  readonly numEnvs: number;
  /** The best reference baseline's mean metric (and all its figures) on the same episodes. */
  readonly baseline: {
    readonly name: string;
    readonly metric: number;
    readonly figures: ValidationFigures;
  };
  /** Plays `choose` once on every episode and returns the mean metric and figures. */
  evaluate(
    choose: (obs: Observation, numEnvs: number) => Promise<Int32Array>,
  ): Promise<{ metric: number; figures: ValidationFigures }>;
}

/**
 * The mean metric (as `metric`), the mean extras and the mean ratio of each episode's metric to
 * `reference[i]`, the best reference baseline's on the same episode (as `reference_ratio`).
 */
function meanFigures(
  episodes: readonly EpisodeResult[],
  reference: readonly number[],
): ValidationFigures {
  const figures: Record<string, number> = { metric: mean(episodes.map((x) => x.metric)) };
  for (const key of Object.keys(episodes[0]?.extras ?? {}))
    if (key !== 'metric') figures[key] = mean(episodes.map((x) => x.extras[key] ?? NaN));
  figures.reference_ratio = mean(
    episodes.map((x, i) => (x.metric === reference[i] ? 1 : x.metric / reference[i])),
  );
  return figures;
}

export async function validationSet(
  entry: AnyEnvEntry,
  options: EnvOptions,
  count: number,
): Promise<Validation> {
  const { config, seed } = entry.training.validation(options, count);
  const better = (a: number, b: number): boolean => (entry.metric.lowerIsBetter ? a < b : a > b);
  const passes: { name: string; episodes: readonly EpisodeResult[] }[] = [];
  for (const name of entry.training.references ?? entry.baselines.names) {
    const played = await playBatch(
      entry,
      entry.baselines.config?.(config, name) ?? config,
      entry.baselines.policy(name, 0),
      CPU,
      { seed },
    );
    passes.push({ name, episodes: played.episodes });
  }
  // Episode i is copy i's in every pass: the best reference of each episode, whichever it is.
  const reference = passes[0].episodes.map((_, i) =>
    passes.map((p) => p.episodes[i].metric).reduce((a, b) => (better(b, a) ? b : a)),
  );
  let baseline = {
    name: '',
    metric: entry.metric.lowerIsBetter ? Infinity : -Infinity,
    figures: {} as ValidationFigures,
  };
  for (const { name, episodes } of passes) {
    const figures = meanFigures(episodes, reference);
    if (better(figures.metric, baseline.metric))
      baseline = { name, metric: figures.metric, figures };
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
      const figures = meanFigures(played.episodes, reference);
      return { metric: figures.metric, figures };
    },
  };
}
