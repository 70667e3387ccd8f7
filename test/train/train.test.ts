import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../../src/train/train.js';
import type { MetricsRow } from '../../src/train/log.js';

const quiet = { update: () => undefined, log: () => undefined };

/** A tiny run: 6x6 instances, 16 copies x 36 steps per update. */
function tiny(out: string, patch: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...DEFAULT_CONFIG,
    env: 'jobshop',
    envOptions: { size: '6x6', mode: 'active' },
    numEnvs: 16,
    numSteps: 36,
    numMinibatches: 2,
    hidden: 32,
    tfBackend: 'cpu',
    evalInstances: 16,
    out,
    ...patch,
  };
}

const rows = (dir: string): MetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricsRow);

describe('training', () => {
  it('improves the greedy policy on a fixed set of small instances, without leaking tensors', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-train-'));
    const result = await train(tiny(out, { totalSteps: 16 * 36 * 16, evalEvery: 1 }), quiet);
    expect(result.stopped).toBeNull();
    const log = rows(out);
    const evals = log.map((r) => r['eval/greedy_makespan']);
    // The first evaluation follows one update; the last follows sixteen.
    expect(evals[evals.length - 1]).toBeLessThan(evals[0]);
    expect(evals[evals.length - 1]).toBeLessThan(log[0]['eval/baseline_makespan'] * 1.1);
    // Live tensors after each update stay where they were after the first.
    const live = log.map((r) => r['debug/live_tensors']);
    expect(new Set(live).size).toBe(1);
    for (const key of [
      'losses/approx_kl',
      'losses/clipfrac',
      'losses/explained_variance',
      'charts/SPS',
      'charts/episodic_return',
    ]) {
      expect(Number.isFinite(log[log.length - 1][key]), key).toBe(true);
    }
    expect(readFileSync(join(out, 'learning_curve.svg'), 'utf8')).toContain('greedy on validation');
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0]).toContain(
      'global_step,losses/policy_loss',
    );
  });

  it('trains A2C with the same network: one gradient step per rollout', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-a2c-'));
    const result = await train(
      tiny(out, { algo: 'a2c', totalSteps: 16 * 36 * 3, evalEvery: 3 }),
      quiet,
    );
    expect(result.stopped).toBeNull();
    expect(readCheckpoint(join(out, 'checkpoint.json')).optimizer?.step).toBe(3);
    for (const r of rows(out)) expect(Number.isFinite(r['losses/policy_loss'])).toBe(true);
  });

  it('resumes where the run stopped: step count, learning-rate schedule and optimizer', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-resume-'));
    const config = tiny(out, { totalSteps: 16 * 36 * 4, evalEvery: 2 });
    await train({ ...config, totalSteps: 16 * 36 * 2 }, quiet);
    const first = readCheckpoint(join(out, 'checkpoint.json'));
    expect([first.training.steps, first.training.updates]).toEqual([16 * 36 * 2, 2]);
    expect(first.optimizer?.step).toBe(2 * 4 * 2); // updates x epochs x minibatches
    await train(config, quiet, first);
    const second = readCheckpoint(join(out, 'checkpoint.json'));
    expect([second.training.steps, second.training.updates]).toEqual([16 * 36 * 4, 4]);
    expect(second.optimizer?.step).toBe(4 * 4 * 2);
    const log = rows(out);
    expect(log.map((r) => r.global_step)).toEqual([1, 2, 3, 4].map((u) => u * 16 * 36));
    // The schedule of the 4-update run: update 3 runs at lr * (1 - 2/4).
    expect(log[2]['charts/learning_rate']).toBeCloseTo(config.learningRate * 0.5, 12);
  });

  it('stops on a NaN loss and leaves the last good checkpoint intact', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-nan-'));
    await train(tiny(out, { totalSteps: 16 * 36, evalEvery: 1 }), quiet);
    const good = readFileSync(join(out, 'checkpoint.json'), 'utf8');
    const resume = readCheckpoint(join(out, 'checkpoint.json'));
    // A learning rate of infinity turns the weights, then the loss, into NaN.
    const result = await train(
      tiny(out, { totalSteps: 16 * 36 * 3, evalEvery: 1, learningRate: Infinity, annealLr: false }),
      quiet,
      resume,
    );
    expect(result.stopped).toMatch(
      /is NaN; stopped, the last good checkpoint \(update \d+\) is intact at .*checkpoint\.json/,
    );
    expect(readFileSync(join(out, 'checkpoint.json'), 'utf8')).toBe(good);
  });

  it('keeps the best validation beside the last checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-train-'));
    const result = await train(tiny(out, { totalSteps: 16 * 36 * 3, evalEvery: 1 }), quiet);
    const evals = rows(out).map((r) => r['eval/greedy_makespan']);
    expect(result.best?.metric).toBe(Math.min(...evals));
    const best = readCheckpoint(join(out, 'best.json'));
    expect(best.training.evaluation?.greedy_jobshop_metric).toBe(Math.min(...evals));
    // A policy to play or ship: weights only, so it cannot be resumed (checkpoint.json can).
    expect(best.optimizer).toBeNull();
    expect(readCheckpoint(join(out, 'checkpoint.json')).optimizer).not.toBeNull();
    await expect(train(tiny(out, { totalSteps: 16 * 36 * 4 }), quiet, best)).rejects.toThrow(
      /holds no optimizer state/,
    );
  });
});

describe('imitation before PPO', () => {
  const soc = (out: string, patch: Partial<TrainConfig>): TrainConfig => ({
    ...tiny(out),
    env: 'soc',
    envOptions: { gap: 25, noise: 0.3, 'jobs-per-episode': 6 },
    numEnvs: 8,
    numSteps: 64,
    numMinibatches: 4,
    updateEpochs: 8,
    learningRate: 3e-3,
    evalInstances: 4,
    evalEvery: 100,
    ...patch,
  });

  it("fits the teacher's choices: the greedy policy agrees with HEFT more after each update", async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-imitate-'));
    const result = await train(
      soc(out, { imitationTeacher: 'heft', imitationUpdates: 4, totalSteps: 8 * 64 * 5 }),
      quiet,
    );
    expect(result.stopped).toBeNull();
    const agreement = rows(out).map((r) => r['imitation/greedy_agreement']);
    expect(agreement).toHaveLength(5);
    expect(agreement[4]).toBeUndefined(); // PPO from the fifth update on
    expect(agreement[3]).toBeGreaterThan(agreement[0]);
    expect(agreement[3]).toBeGreaterThan(0.7);
  });

  it('refuses a teacher the environment does not have, or imitation without one', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-imitate-'));
    await expect(
      train(soc(out, { imitationTeacher: 'cpop', imitationUpdates: 1 }), quiet),
    ).rejects.toThrow(/soc has no heuristic 'cpop' to imitate \(heft, etf, eft, met, stf\)/);
    await expect(train(soc(out, { imitationUpdates: 1 }), quiet)).rejects.toThrow(
      /imitationTeacher: expected a heuristic to imitate/,
    );
  });
});
