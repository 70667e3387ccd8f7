import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLog, metricNames, type MetricsRow } from '../../src/train/log.js';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../../src/train/train.js';

const quiet = { update: () => undefined, log: () => undefined };

const logged = (dir: string): MetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricsRow);

describe('the declared metric names', () => {
  const runs: [string, Partial<TrainConfig>][] = [
    // Imitation, PPO, finished episodes and validations: every kind of row a run writes.
    [
      'latency',
      {
        env: 'soc',
        envOptions: { gap: 25, noise: 0.3, 'jobs-per-episode': 6 },
        numEnvs: 8,
        numSteps: 64,
        imitationTeacher: 'heft',
        imitationUpdates: 1,
        totalSteps: 8 * 64 * 2,
        evalEvery: 1,
        evalInstances: 2,
      },
    ],
    [
      'makespan',
      {
        env: 'jobshop',
        envOptions: { size: '6x6', mode: 'active' },
        numEnvs: 8,
        numSteps: 36,
        totalSteps: 8 * 36 * 2,
        evalEvery: 1,
        evalInstances: 2,
      },
    ],
  ];
  for (const [metric, patch] of runs) {
    it(`hold every name a ${patch.env} run logs, and are the CSV's columns`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'schedrl-metrics-'));
      const config = {
        ...DEFAULT_CONFIG,
        numMinibatches: 2,
        hidden: 16,
        tfBackend: 'cpu',
        out,
        ...patch,
      } as TrainConfig;
      await train(config, quiet);
      const names = new Set(['global_step', ...metricNames(metric)]);
      const seen = new Set(logged(out).flatMap((r) => Object.keys(r)));
      for (const name of seen) expect(names, name).toContain(name);
      expect(seen).toContain(`eval/greedy_${metric}`);
      expect(seen).toContain('charts/episodic_return');
      const header = readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0];
      expect(header).toBe(['global_step', ...metricNames(metric)].join(','));
    });
  }

  it('refuses to log a name that is not declared', () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-metrics-'));
    const log = new MetricsLog(out, metricNames('makespan'), null);
    expect(() => log.write(1, { 'charts/made_up': 1 })).toThrow(
      /metric charts\/made_up is not declared in metricNames/,
    );
  });
});
