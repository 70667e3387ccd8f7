/**
 * A suite evaluated for a list of policies: every batch of the suite played by every policy,
 * each cell's episodes reduced to one figure (the mean; with best-of-K sampling, the best of each
 * copy's K episodes first), and each figure set beside the cell's best-known value.
 */

import { UsageError } from '../core/errors.js';
import { mean } from '../core/table.js';
import type { AnyEnvEntry, Suite } from '../core/registry.js';
import type { BackendSession } from '../gpu/session.js';
import { playBatch, type EpisodeResult } from './play.js';
import { openPolicy, type ActingOptions, type PolicyRef } from './policies.js';
import { Progress } from './progress.js';

export interface ResultRow {
  /** Index of the cell in the suite (cell names may repeat across groups). */
  readonly cellIndex: number;
  readonly cell: string;
  readonly group: string;
  /** The cell's info (size, mode, arrival gap...). */
  readonly info: Readonly<Record<string, string | number>>;
  readonly policy: string;
  /** The environment's metric, mean over the cell's episodes. */
  readonly metric: number;
  readonly episodes: number;
  readonly bestKnown: number | null;
  /** 100 * (metric - best known) / best known; null without a best-known value. */
  readonly gapPercent: number | null;
  /** Mean of each extra figure over the cell's episodes. */
  readonly extras: Readonly<Record<string, number>>;
}

export interface Evaluation {
  readonly rows: readonly ResultRow[];
  /** Whether every episode was validated (false where a backend keeps no schedule to check). */
  readonly validated: boolean;
  /** The picture asked for with `view`, if its cell was played. */
  readonly svg: string | undefined;
}

export interface EvaluateOptions extends ActingOptions {
  /** Draw an episode of this cell (index into suite.cells) played by this policy (its label). */
  readonly view?: { readonly cell: number; readonly policy: string };
  readonly log?: (line: string) => void;
  /** Seconds between progress lines within a batch (default 5); 0 prints one per step. */
  readonly progressSeconds?: number;
}

/** Plays every policy on every batch of `suite`. */
export async function evaluateSuite(
  entry: AnyEnvEntry,
  suite: Suite<unknown>,
  policies: readonly PolicyRef[],
  session: BackendSession,
  options: EvaluateOptions,
): Promise<Evaluation> {
  const K = options.samples;
  if (K > 1 && policies.some((p) => p.kind === 'checkpoint')) checkSamples(entry, K);
  const rows: ResultRow[] = [];
  let validated = true;
  let svg: string | undefined;
  let drawnMetric = NaN;
  const progress = new Progress(options.log, options.progressSeconds ?? 5);
  for (const ref of policies) {
    const perCell = suite.cells.map((): EpisodeResult[] => []);
    for (const [b, batch] of suite.batches.entries()) {
      const where = `${entry.name}: ${ref.label} batch ${b + 1}/${suite.batches.length}`;
      progress.start(where, batch.steps);
      // Opened per batch, so that a sampling policy's draws on a batch do not depend on the
      // batches before it.
      const { policy, dispose } = await openPolicy(entry, ref, options);
      try {
        const sampled = ref.kind === 'checkpoint' && K > 1;
        let config = batch.config;
        if (ref.kind === 'baseline' && entry.baselines.config !== undefined)
          config = entry.baselines.config(config, ref.name);
        if (sampled) config = entry.evaluation.replicate!(config, K);
        // The view draws the asked cell's episode of the asked policy: with sampling, the best
        // of its K episodes.
        const viewed =
          options.view?.policy === ref.label ? batch.cells.indexOf(options.view.cell) : -1;
        const per = sampled ? K : 1;
        const played = await playBatch(entry, config, policy, session, {
          seed: options.seed,
          readsState: ref.kind === 'baseline',
          onStep: (steps) => progress.step(steps),
          onEpisode: (env, e, result) => {
            if (viewed < 0 || Math.floor(e / per) !== viewed) return;
            if (!Number.isNaN(drawnMetric) && !better(entry, result.metric, drawnMetric)) return;
            drawnMetric = result.metric;
            svg = entry.view.draw(
              env,
              config,
              e,
              `${suite.cells[options.view!.cell].name}: ${ref.label}`,
            );
          },
        });
        progress.end();
        validated &&= played.validated;
        batch.cells.forEach((cell, i) => {
          const mine = sampled ? played.episodes.slice(i * K, (i + 1) * K) : [played.episodes[i]];
          perCell[cell].push(bestOf(mine, entry.metric.lowerIsBetter));
        });
      } finally {
        dispose();
      }
    }
    suite.cells.forEach((cell, c) => {
      const episodes = perCell[c];
      const metric = mean(episodes.map((x) => x.metric));
      const best = cell.bestKnown ?? null;
      const extraNames = Object.keys(episodes[0]?.extras ?? {});
      rows.push({
        cellIndex: c,
        cell: cell.name,
        group: cell.group,
        info: cell.info,
        policy: ref.label,
        metric,
        episodes: episodes.length,
        bestKnown: best,
        gapPercent: best === null ? null : (100 * (metric - best)) / best,
        extras: Object.fromEntries(
          extraNames.map((x) => [x, mean(episodes.map((ep) => ep.extras[x]))]),
        ),
      });
    });
    options.log?.(`${entry.name}: ${ref.label} done (${suite.cells.length} cells)`);
  }
  return { rows, validated, svg };
}

function better(entry: AnyEnvEntry, a: number, b: number): boolean {
  return entry.metric.lowerIsBetter ? a < b : a > b;
}

function bestOf(episodes: readonly EpisodeResult[], lowerIsBetter: boolean): EpisodeResult {
  return episodes.reduce((a, b) =>
    (lowerIsBetter ? b.metric < a.metric : b.metric > a.metric) ? b : a,
  );
}

/** Best-of-K sampling needs episodes that can be replayed (fixed instances, not live streams). */
export function checkSamples(entry: AnyEnvEntry, samples: number): void {
  if (samples > 1 && entry.evaluation.replicate === undefined)
    throw new UsageError(
      `--samples ${samples}: ${entry.name} episodes cannot be replayed, so best-of-K sampling is not offered`,
      'use --samples 1 (greedy)',
    );
}
