import { describe, expect, it } from 'vitest';
import { learnedPolicy } from '../../src/agents/learned.js';
import { CandidateScorer } from '../../src/agents/network.js';
import { decide } from '../../src/agents/policy.js';
import { useTfBackend, type Tf } from '../../src/agents/tfjs.js';
import { Rng } from '../../src/core/rng.js';
import type { Observation } from '../../src/core/vecenv.js';
import { jobshopCheckpoint } from '../support/checkpoints.js';

describe('learned policy', () => {
  it('scores only the legal candidates and chooses exactly as the full padded batch does', async () => {
    const tf = await useTfBackend('wasm');
    const c = jobshopCheckpoint(5);
    const F = c.architecture.candidateFeatures;
    const G = c.architecture.globalFeatures;
    const E = 3;
    const K = 12;
    const rng = new Rng(9);
    const obs: Observation = {
      cand: Float32Array.from({ length: E * K * F }, () => rng.unit() * 2 - 1),
      mask: Uint8Array.from({ length: E * K }, (_, i) => (i % K < 2 || rng.unit() < 0.4 ? 1 : 0)),
      glob: Float32Array.from({ length: E * G }, () => rng.unit()),
    };
    // Two identical legal candidates in copy 0 tie: the first must win, as before.
    obs.cand.copyWithin(5 * F, 0, F);
    obs.mask[5] = 1;
    const legal = Array.from({ length: E }, (_, e) =>
      obs.mask.subarray(e * K, (e + 1) * K).reduce((a, b) => a + b, 0),
    );
    const widths: number[] = [];
    const spy = {
      ...tf,
      tensor3d: (values: Float32Array, shape: [number, number, number]) => {
        widths.push(shape[1]);
        return tf.tensor3d(values, shape);
      },
    } as unknown as Tf;
    const policy = await learnedPolicy(c, 'p', { sample: false, seed: 0, backend: 'wasm' }, spy);
    const actions = new Int32Array(E);
    await policy.act({ obs, numEnvs: E }, actions);
    policy.dispose();
    expect(widths).toEqual([Math.max(...legal)]);

    const net = new CandidateScorer(tf, c.architecture, c.weights);
    const full = await decide(tf, net, obs, E, null);
    net.dispose();
    expect(Array.from(actions)).toEqual(Array.from(full.actions));
  });

  it('decides greedily on the js learner as the tfjs network does, ties to the first candidate', async () => {
    const tf = await useTfBackend('cpu');
    const c = jobshopCheckpoint(6);
    const F = c.architecture.candidateFeatures;
    const G = c.architecture.globalFeatures;
    const E = 64;
    const K = 15;
    const rng = new Rng(10);
    const obs: Observation = {
      cand: Float32Array.from({ length: E * K * F }, () => rng.unit() * 2 - 1),
      mask: Uint8Array.from({ length: E * K }, (_, i) => (i % K === 3 || rng.unit() < 0.5 ? 1 : 0)),
      glob: Float32Array.from({ length: E * G }, () => rng.unit()),
    };
    const policy = await learnedPolicy(c, 'p', { sample: false, seed: 0, backend: 'js' });
    const actions = new Int32Array(E);
    await policy.act({ obs, numEnvs: E }, actions);
    const net = new CandidateScorer(tf, c.architecture, c.weights);
    const full = await decide(tf, net, obs, E, null);
    net.dispose();
    expect(Array.from(actions)).toEqual(Array.from(full.actions));
    // Copy 0's choice duplicated into its last slot: the two tie, and the first must win.
    const first = actions[0];
    expect(first).toBeLessThan(K - 1);
    obs.cand.copyWithin((K - 1) * F, first * F, (first + 1) * F);
    obs.mask[K - 1] = 1;
    const again = new Int32Array(E);
    await policy.act({ obs, numEnvs: E }, again);
    expect(again[0]).toBe(first);
    policy.dispose();
  });
});
