import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOTH_FIGURES } from '../../envs/offload/entry.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { train } from '../../src/train/train.js';
import { quiet, rows, tiny } from '../support/training.js';

describe('best.json by an environment selection rule', () => {
  it('offload ranks validations matching the best baseline in utility and completion above all others', () => {
    const baseline = { metric: 34, 'completion %': 58 };
    const score = (metric: number, completion: number): number =>
      BOTH_FIGURES.score({ metric, 'completion %': completion }, baseline);
    expect(score(36, 58)).toBe(36);
    expect(score(36, 58)).toBeGreaterThan(score(40, 57.9));
    // A barely trained policy completes many tasks at a poor utility.
    expect(score(34, 58)).toBeGreaterThan(score(3, 60));
    expect(score(37, 60)).toBeGreaterThan(score(36, 58));
    // Among the rest, utility as before.
    expect(score(40, 50)).toBeGreaterThan(score(39, 57));
    expect(score(40, 50)).toBeGreaterThan(score(3, 60));
  });

  it('keeps the validation of highest selection score, and says which in best.json', async () => {
    const out = mkdtempSync(join(tmpdir(), 'schedrl-select-'));
    const result = await train(
      tiny(out, {
        env: 'offload',
        envOptions: { load: 'heavy', edges: 2, drones: 4, segments: 1 },
        numEnvs: 8,
        numSteps: 32,
        totalSteps: 8 * 32 * 4,
        evalEvery: 1,
        evalInstances: 4,
        tfBackend: 'js',
      }),
      quiet,
    );
    expect(result.stopped).toBeNull();
    const log = rows(out);
    const scores = log.map((r) => r['eval/selection_score']);
    expect(scores).toHaveLength(4);
    // Each score is the utility, less the penalty where the completion rate fell short.
    for (const r of log) {
      const gap = r['eval/greedy_utility'] - r['eval/selection_score'];
      expect([0, 1e6]).toContainEqual(Math.round(gap));
    }
    const best = readCheckpoint(join(out, 'best.json'));
    expect(best.training.evaluation?.selection_score).toBe(Math.max(...scores));
    expect(best.training.updates).toBe(scores.indexOf(Math.max(...scores)) + 1);
  });
});
