/**
 * Training metrics by CleanRL's names against the global step, written as JSON lines
 * (metrics.jsonl) and CSV (metrics.csv). Each row is appended and flushed, so a run that stops
 * leaves its log complete up to the last update.
 *
 * Every name a run can log is declared once, in `metricNames`: the CSV has all of them as columns
 * from its first line (blank where a row lacks one), and a name outside the list is refused, so a
 * new metric cannot silently miss the CSV.
 */

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import type { UpdateMetrics } from '../agents/ppo.js';

export interface MetricsRow {
  readonly global_step: number;
  readonly [name: string]: number;
}

/** The update's own metrics (src/agents/ppo.ts), in the order the CSV shows them. */
const UPDATE_METRICS = [
  'losses/policy_loss',
  'losses/value_loss',
  'losses/entropy',
  'losses/approx_kl',
  'losses/old_approx_kl',
  'losses/clipfrac',
  'losses/grad_norm',
] as const satisfies readonly (keyof UpdateMetrics)[];
// A loss added to UpdateMetrics but not above stops the build here.
const everyUpdateMetric: Exclude<keyof UpdateMetrics, (typeof UPDATE_METRICS)[number]> extends never
  ? true
  : never = true;
void everyUpdateMetric;

/**
 * Every metric a run on an environment whose episode metric is `metric` (makespan, latency...) can
 * log, besides global_step: the CSV's columns, in order.
 */
export function metricNames(metric: string): readonly string[] {
  return [
    ...UPDATE_METRICS,
    'imitation/greedy_agreement',
    // Self-labeling: instances labeled, and the mean metric of the labels and of all samples.
    'self_label/instances',
    `self_label/label_${metric}`,
    `self_label/sampled_${metric}`,
    'charts/learning_rate',
    'losses/explained_variance',
    'charts/SPS',
    // Seconds of the update's rollout (acting and stepping, GAE or labels) and of its gradient steps.
    'perf/rollout_seconds',
    'perf/update_seconds',
    'charts/episodic_return',
    `charts/episodic_${metric}`,
    `eval/greedy_${metric}`,
    `eval/baseline_${metric}`,
    // Only where the environment ranks validations by its own rule (registry: training.selection).
    'eval/selection_score',
    'debug/live_tensors',
  ];
}

export class MetricsLog {
  private readonly jsonl: string;
  private readonly csv: string;
  private readonly columns: readonly string[];
  private readonly known: ReadonlySet<string>;
  private readonly all: MetricsRow[] = [];

  /**
   * Starts the logs of `dir` afresh, or, when resuming a run whose checkpoint is at `resumeStep`,
   * keeps only the rows up to that step: the updates after it are about to be trained again, and
   * each global step must appear once.
   */
  constructor(dir: string, names: readonly string[], resumeStep: number | null) {
    mkdirSync(dir, { recursive: true });
    this.jsonl = join(dir, 'metrics.jsonl');
    this.csv = join(dir, 'metrics.csv');
    this.columns = ['global_step', ...names];
    this.known = new Set(this.columns);
    if (resumeStep !== null && existsSync(this.jsonl)) {
      const lines = readFileSync(this.jsonl, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (line.trim() === '') return;
        let row: MetricsRow;
        try {
          row = JSON.parse(line) as MetricsRow;
        } catch (err) {
          // A run killed while writing leaves its last line half written: drop that line only.
          if (lines.slice(i + 1).every((l) => l.trim() === '')) return;
          throw new Error(
            `${this.jsonl}:${i + 1}: expected a JSON row (${(err as Error).message})`,
            { cause: err },
          );
        }
        if (row.global_step <= resumeStep) this.all.push(row);
      });
    }
    // Both files are rewritten whole (atomically), so a resumed log is never half cut back.
    writeFileAtomic(this.jsonl, this.all.map((r) => JSON.stringify(r) + '\n').join(''));
    writeFileAtomic(
      this.csv,
      [this.columns.join(','), ...this.all.map((r) => this.csvLine(r))].join('\n') + '\n',
    );
  }

  write(step: number, metrics: Readonly<Record<string, number>>): void {
    const unknown = Object.keys(metrics).filter((k) => !this.known.has(k));
    if (unknown.length > 0)
      throw new Error(`metric ${unknown.join(', ')} is not declared in metricNames (log.ts)`);
    const row: MetricsRow = { global_step: step, ...metrics };
    this.all.push(row);
    appendFileSync(this.jsonl, JSON.stringify(row) + '\n');
    appendFileSync(this.csv, this.csvLine(row) + '\n');
  }

  private csvLine(row: MetricsRow): string {
    return this.columns.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(',');
  }

  rows(): readonly MetricsRow[] {
    return this.all;
  }

  close(): void {}
}
