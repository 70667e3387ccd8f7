// Imitation before PPO, in a file of its own: its runs are the longest of the training tests,
// and vitest gives each file a worker of its own.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { train, type TrainConfig } from '../../src/train/train.js';
import { quiet, rows, tiny } from '../support/training.js';

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
