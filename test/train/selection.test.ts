import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobshop } from '../../envs/jobshop/entry.js';
import { BOTH_FIGURES } from '../../envs/offload/entry.js';
import type { Observation, Policy } from '../../src/core/vecenv.js';
import { playBatch } from '../../src/eval/play.js';
import { validationSet } from '../../src/train/validation.js';
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

const CPU = { backend: 'cpu', gpu: undefined } as const;

describe('the scale-free validation figure and the job shop rule for mixed sizes', () => {
  const firstLegal = (obs: Observation, n: number): Int32Array => {
    const K = obs.mask.length / n;
    const actions = new Int32Array(n);
    for (let e = 0; e < n; e++) actions[e] = obs.mask.subarray(e * K, (e + 1) * K).indexOf(1);
    return actions;
  };

  it("reference_ratio is the mean of each episode's makespan over the best rule's on it", async () => {
    const options = jobshop.parseOptions({ size: '6x6,10x5' });
    const validation = await validationSet(jobshop, options, 6);
    const { figures } = await validation.evaluate(async (obs, n) => firstLegal(obs, n));
    // The same episodes played here, one pass per rule and one of the first legal action.
    const { config, seed } = jobshop.training.validation(options, 6);
    type Batch = Parameters<typeof jobshop.evaluation.validate>[0];
    const play = async (policy: Policy<Batch>): Promise<number[]> =>
      (await playBatch(jobshop, config, policy, CPU, { seed })).episodes.map((x) => x.metric);
    const rules = await Promise.all(
      jobshop.baselines.names.map((name) => play(jobshop.baselines.policy(name, 0))),
    );
    const best = rules[0].map((_, i) => Math.min(...rules.map((r) => r[i])));
    const mine = await play({
      name: 'first',
      act: (env, a) => a.set(firstLegal(env.obs, env.numEnvs)),
    });
    const expected = mine.reduce((s, m, i) => s + m / best[i], 0) / mine.length;
    expect(figures.reference_ratio).toBeCloseTo(expected, 12);
    expect(figures.reference_ratio).toBeGreaterThan(1);
    expect(validation.baseline.figures.reference_ratio).toBeGreaterThanOrEqual(1);
  });

  it('job shop ranks a mixed-size run by that ratio, a one-size run by its makespan as before', () => {
    expect(jobshop.training.selection?.(jobshop.parseOptions({ size: '15x15' }))).toBeUndefined();
    const rule = jobshop.training.selection?.(jobshop.parseOptions({ size: '6x6,15x15' }));
    expect(rule?.score({ metric: 900, reference_ratio: 0.95 }, {})).toBe(-0.95);
    // A lower ratio wins even at a higher mean makespan (the large size's makespans dominate it).
    expect(rule!.score({ metric: 1000, reference_ratio: 0.9 }, {})).toBeGreaterThan(
      rule!.score({ metric: 900, reference_ratio: 0.95 }, {}),
    );
  });
});
