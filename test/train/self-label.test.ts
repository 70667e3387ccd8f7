import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostObservations, Rollout } from '../../src/agents/rollout.js';
import { runEpochs, type UpdateConfig } from '../../src/agents/ppo.js';
import { Rng } from '../../src/core/rng.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { selfLabels } from '../../src/train/self-label.js';
import { train } from '../../src/train/train.js';
import { quiet, rows, tiny } from '../support/training.js';

const spec = { maxCandidates: 2, candidateFeatures: ['x'], globalFeatures: ['y'] };

/** A rollout of 4 copies x 5 steps, every reward -1, with episodes ending where `ends` says. */
function rolloutWith(ends: Record<number, [number, number][]>): {
  rollout: Rollout;
  metrics: Float64Array;
} {
  const rollout = new Rollout(5, 4, spec);
  const metrics = new Float64Array(20);
  rollout.rewards.fill(-1);
  for (const [copy, list] of Object.entries(ends))
    for (const [t, metric] of list) {
      rollout.ended[t * 4 + Number(copy)] = 1;
      metrics[t * 4 + Number(copy)] = metric;
    }
  return { rollout, metrics };
}

/** Copies 0 and 1 ending two episodes together, at steps 2 (metrics 10, 8) and 4 (7, 9). */
const IN_STEP: Record<number, [number, number][]> = {
  0: [
    [2, 10],
    [4, 7],
  ],
  1: [
    [2, 8],
    [4, 9],
  ],
};

describe('self-labels', () => {
  it("labels each group's best solution, episode by episode while the copies stay in step", () => {
    // Copies 0 and 1 end episodes together at steps 2 and 4; copies 2 and 3 end out of step.
    const { rollout, metrics } = rolloutWith({
      ...IN_STEP,
      2: [
        [1, 5],
        [4, 6],
      ],
      3: [[3, 5]],
    });
    const labels = selfLabels(rollout, metrics, 2, true, 1);
    // Group 0: copy 1's first episode (8 < 10), then copy 0's second (7 < 9). Group 1: the tie
    // of its first episode goes to copy 2; copy 3 has no second episode to compare.
    expect(Array.from(labels.samples)).toEqual([1, 5, 9, 12, 16, 2, 6]);
    expect(labels.instances).toBe(3);
    expect(labels.labelMetric).toBeCloseTo((8 + 7 + 5) / 3, 12);
    expect(labels.sampledMetric).toBeCloseTo((10 + 8 + 7 + 9 + 5 + 5) / 6, 12);
    // Returns to go of the labeled steps (rewards of -1, gamma 1); 0 elsewhere.
    expect([1, 5, 9, 12, 16, 2, 6].map((i) => labels.returns[i])).toEqual([
      -3, -2, -1, -2, -1, -2, -1,
    ]);
    expect(labels.returns[0]).toBe(0);
    // Higher is better: the other copy of each pair wins.
    expect(Array.from(selfLabels(rollout, metrics, 2, false, 1).samples)).toEqual([
      0, 4, 8, 13, 17, 2, 6,
    ]);
  });

  it('compares a later episode only where the copies started it with the same observation', () => {
    const { rollout, metrics } = rolloutWith({
      ...IN_STEP,
      2: [[4, 1]],
      3: [[4, 2]],
    });
    const obs = rollout.observations as HostObservations;
    obs.glob[3 * 4 + 1] = 0.5; // copy 1 at step 3, the first step of its second episode
    const labels = selfLabels(rollout, metrics, 2, true, 1);
    expect(Array.from(labels.samples)).toEqual([1, 5, 9, 2, 6, 10, 14, 18]);
    expect(labels.instances).toBe(2);
  });

  it('refuses a rollout too short for a copy to finish its instance', () => {
    const { rollout, metrics } = rolloutWith({ 0: [[4, 1]], 1: [[4, 1]], 2: [[4, 1]], 3: [] });
    expect(() => selfLabels(rollout, metrics, 2, true, 1)).toThrow(
      /copy 3 did not finish its instance within the rollout's 5 steps; set numSteps \(--num-steps\)/,
    );
  });

  it('updates on the labeled steps alone, in whole minibatches', async () => {
    const rollout = new Rollout(5, 4, spec);
    const samples = Int32Array.from([1, 5, 9, 12, 16, 2, 6]);
    const seen: number[][] = [];
    const c = { algo: 'self-label', updateEpochs: 3, numMinibatches: 2 } as UpdateConfig;
    const zeros = new Float32Array(20);
    const batch = { rollout, advantages: zeros, returns: zeros, imitation: true, samples };
    await runEpochs(batch, c, new Rng(1), (mb) => {
      seen.push(Array.from(mb.indices));
      return { diagnostics: new Float32Array(6), gradNorm: 0 };
    });
    // 3 epochs of 2 minibatches of 3: one sample of the 7 sits out each epoch.
    expect(seen.map((mb) => mb.length)).toEqual([3, 3, 3, 3, 3, 3]);
    for (const mb of seen) for (const i of mb) expect(Array.from(samples)).toContain(i);
    for (let epoch = 0; epoch < 3; epoch++)
      expect(new Set([...seen[2 * epoch], ...seen[2 * epoch + 1]]).size).toBe(6);
  });
});

describe('self-label training', () => {
  it('improves on its validation set from the best of its samples, and reproducibly', async () => {
    const config = (out: string): Parameters<typeof train>[0] =>
      tiny(out, {
        algo: 'self-label',
        samplesPerInstance: 8,
        totalSteps: 16 * 36 * 24,
        evalEvery: 4,
        tfBackend: 'js',
      });
    const a = mkdtempSync(join(tmpdir(), 'schedrl-self-label-'));
    const result = await train(config(a), quiet);
    expect(result.stopped).toBeNull();
    const log = rows(a);
    // Two groups of 8 copies: two 36-step instances labeled per update. The label is the best
    // of its group's samples, so below their mean wherever they differ: in most updates.
    for (const r of log) expect(r['self_label/instances']).toBe(2);
    const below = log.filter(
      (r) => r['self_label/label_makespan'] < r['self_label/sampled_makespan'],
    ).length;
    expect(below).toBeGreaterThan(log.length / 2);
    const evals = log.map((r) => r['eval/greedy_makespan']).filter((v) => v !== undefined);
    expect(evals[evals.length - 1]).toBeLessThan(evals[0]);
    const b = mkdtempSync(join(tmpdir(), 'schedrl-self-label-'));
    await train(config(b), quiet);
    expect(readCheckpoint(join(b, 'checkpoint.json')).weights).toEqual(
      readCheckpoint(join(a, 'checkpoint.json')).weights,
    );
  });
});
