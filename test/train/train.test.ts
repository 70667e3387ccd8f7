import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { configProblems, train, type TrainConfig } from '../../src/train/train.js';
import { quiet, rows, tiny } from '../support/training.js';

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
    // A huge learning rate turns the weights, then the loss, into NaN (an infinite one is refused).
    const result = await train(
      tiny(out, { totalSteps: 16 * 36 * 3, evalEvery: 1, learningRate: 1e38, annealLr: false }),
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

describe('starting from a checkpoint (--init)', () => {
  it("plays the checkpoint's policy at first, then trains its own run", async () => {
    const first = mkdtempSync(join(tmpdir(), 'schedrl-init-'));
    await train(tiny(first, { totalSteps: 16 * 36 * 3, evalEvery: 3 }), quiet);
    const trained = readCheckpoint(join(first, 'best.json'));
    // A learning rate too small to move the weights: the first validation is the checkpoint's.
    const out = mkdtempSync(join(tmpdir(), 'schedrl-init-'));
    const config = tiny(out, {
      totalSteps: 16 * 36,
      evalEvery: 1,
      learningRate: 1e-12,
      seed: 7,
      initFrom: join(first, 'best.json'),
    });
    await train(config, quiet);
    expect(rows(out)[0]['eval/greedy_makespan']).toBe(
      trained.training.evaluation?.greedy_jobshop_metric,
    );
    const started = readCheckpoint(join(out, 'checkpoint.json'));
    expect(started.training.updates).toBe(1); // a run of its own, counted from zero
    expect(started.optimizer?.step).toBe(4 * 2); // and a fresh Adam: 1 update x 4 epochs x 2
    expect(started.training.hyperparameters.initFrom).toBe(join(first, 'best.json'));
    // A fresh network of the same seed plays differently.
    const fresh = mkdtempSync(join(tmpdir(), 'schedrl-init-'));
    await train({ ...config, out: fresh, initFrom: 'none' }, quiet);
    expect(rows(fresh)[0]['eval/greedy_makespan']).not.toBe(rows(out)[0]['eval/greedy_makespan']);
  });

  it('refuses a checkpoint of another environment or width before writing anything', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'schedrl-init-')), 'run');
    await expect(
      train(tiny(out, { initFrom: 'checkpoints/memmap-ppo.json' }), quiet),
    ).rejects.toThrow(/memmap-ppo\.json \(env\.name\): expected a jobshop checkpoint/);
    await expect(
      train(tiny(out, { initFrom: 'checkpoints/jobshop-ppo.json' }), quiet),
    ).rejects.toThrow(/jobshop-ppo\.json \(architecture\.hidden\): expected 32.*--hidden 64/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('metrics.csv', () => {
  it('has every metric as a column from its first line, blank where a row has none', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-csv-'));
    // 16 steps per copy: no 36-decision episode ends in the first update.
    await train(tiny(out, { numSteps: 16, totalSteps: 16 * 16 * 3, evalEvery: 3 }), quiet);
    const [header, ...lines] = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    const columns = header.split(',');
    for (const name of [
      'charts/episodic_return',
      'charts/episodic_makespan',
      'eval/greedy_makespan',
      'eval/baseline_makespan',
      'imitation/greedy_agreement',
    ])
      expect(columns).toContain(name);
    const cells = lines.map((l) => l.split(','));
    for (const row of cells) expect(row).toHaveLength(columns.length);
    const at = (row: string[], name: string): string => row[columns.indexOf(name)];
    expect(at(cells[0], 'charts/episodic_return')).toBe('');
    expect(at(cells[0], 'eval/greedy_makespan')).toBe('');
    const last = cells[cells.length - 1];
    expect(Number.isFinite(Number(at(last, 'charts/episodic_return')))).toBe(true);
    expect(Number(at(last, 'eval/greedy_makespan'))).toBe(rows(out)[2]['eval/greedy_makespan']);
  });
});

describe('training settings', () => {
  it('refuses an out-of-range value of every field, naming the field', () => {
    const good = tiny('runs/x');
    expect(configProblems(good)).toEqual([]);
    // Typed over every field: a field added to TrainConfig without a case here fails to compile.
    const bad: { readonly [K in keyof TrainConfig]: readonly unknown[] } = {
      env: [3],
      envOptions: [null],
      algo: ['dqn'],
      totalSteps: [0, 1.5, 1e12, NaN],
      numEnvs: [0, 100_000],
      numSteps: [0, 2.5, 100_000],
      numMinibatches: [0, 5, 16 * 36 + 1],
      updateEpochs: [0, 10_000],
      learningRate: [0, -1, Infinity, NaN],
      annealLr: ['yes'],
      gamma: [-0.1, 1.5, NaN],
      gaeLambda: [-0.1, 1.5],
      normAdv: [1],
      clipCoef: [0, Infinity],
      clipVloss: ['no'],
      entCoef: [-1, Infinity],
      vfCoef: [-1, NaN],
      maxGradNorm: [0, Infinity],
      targetKl: [0, -1, Infinity],
      hidden: [0, 100_000],
      seed: [-1, 2 ** 32, 0.5],
      tfBackend: ['tpu'],
      envBackend: ['gpu'],
      evalEvery: [0],
      evalInstances: [0, 10_000],
      out: [''],
      imitationTeacher: [7],
      imitationUpdates: [-1, 1000],
      initFrom: ['', 3],
      samplesPerInstance: [0, 1.5, 100_000],
    };
    for (const [field, values] of Object.entries(bad))
      for (const value of values) {
        const problems = configProblems({ ...good, [field]: value } as TrainConfig);
        expect(
          problems.map(([f]) => f),
          `${field} = ${String(value)}`,
        ).toContain(field);
      }
    // Self-labeling needs groups that divide the copies, and copies it can clone on the host.
    const selfLabel = { ...good, algo: 'self-label' as const, samplesPerInstance: 4 };
    expect(configProblems(selfLabel)).toEqual([]);
    expect(configProblems({ ...selfLabel, samplesPerInstance: 5 }).map(([f]) => f)).toEqual([
      'samplesPerInstance',
    ]);
    expect(configProblems({ ...selfLabel, samplesPerInstance: 1 }).map(([f]) => f)).toEqual([
      'samplesPerInstance',
    ]);
    expect(
      configProblems({ ...selfLabel, envBackend: 'webgpu', tfBackend: 'webgpu' }).map(([f]) => f),
    ).toEqual(['envBackend']);
    // A batch too large to hold is refused by its size, with either factor in range.
    expect(configProblems({ ...good, numEnvs: 65536, numSteps: 65536 }).map(([f]) => f)).toContain(
      'numSteps',
    );
  });
});
