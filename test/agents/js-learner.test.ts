import { describe, expect, it } from 'vitest';
import { Adam } from '../../src/agents/adam.js';
import { JsAdam, minibatchGradients, updateJs } from '../../src/agents/js-ppo.js';
import { JsScorer, indexLegal, packLegal } from '../../src/agents/js-scorer.js';
import { CandidateScorer, initialParameters, type Architecture } from '../../src/agents/network.js';
import { minibatchLoss, update, type UpdateConfig } from '../../src/agents/ppo.js';
import { HostObservations, Rollout } from '../../src/agents/rollout.js';
import { useTfBackend } from '../../src/agents/tfjs.js';
import { Rng } from '../../src/core/rng.js';
import { DEFAULT_CONFIG } from '../../src/train/train.js';

// The JavaScript learner against the tfjs network it replaces on the CPU: forward pass,
// gradients of every loss variant, and whole updates, on random observations whose masks range
// from one legal candidate to all of them.
const tf = await useTfBackend('cpu');
const K = 7;
const F = 5;
const G = 3;
const T = 4;
const E = 6;
const N = T * E;

/** A rollout of random observations and legal actions with log-probabilities near the policy's. */
function randomRollout(seed: number): { rollout: Rollout; store: HostObservations } {
  const rng = new Rng(seed);
  const store = new HostObservations(T, E, K, F, G);
  for (let i = 0; i < N * K * F; i++) store.cand[i] = rng.unit() * 2 - 1;
  for (let i = 0; i < N * G; i++) store.glob[i] = rng.unit();
  for (let s = 0; s < N; s++)
    for (let k = 0; k < K; k++) store.mask[s * K + k] = k === s % K || rng.unit() < s / N ? 1 : 0;
  const spec = {
    maxCandidates: K,
    candidateFeatures: Array.from({ length: F }, (_, i) => `c${i}`),
    globalFeatures: Array.from({ length: G }, (_, i) => `g${i}`),
  };
  const rollout = new Rollout(T, E, spec, store);
  for (let s = 0; s < N; s++) {
    const legal = [...Array(K).keys()].filter((k) => store.mask[s * K + k] === 1);
    rollout.actions[s] = legal[rng.int(0, legal.length - 1)];
    // Far enough from the policy's own that some ratios leave the clip range.
    rollout.logprobs[s] = -Math.log(legal.length) + (rng.unit() - 0.5);
    rollout.values[s] = rng.unit() - 0.5;
  }
  return { rollout, store };
}

function parameters(arch: Architecture, seed: number): Map<string, Float32Array> {
  const p = initialParameters(arch, seed);
  // A policy far from uniform, so that the softmax and entropy terms matter.
  p.set(
    'wo',
    p.get('wo')!.map((w) => w * 100),
  );
  p.set(
    'b1',
    p.get('b1')!.map((_, i) => 0.1 * Math.sin(i)),
  );
  return p;
}

function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  expect(worst).toBeLessThanOrEqual(tol * Math.max(1, scale));
}

// Hidden width 16 runs the WebAssembly SIMD kernels (src/agents/simd.ts), 12 the plain JavaScript ones.
describe.each([16, 12])('JavaScript learner, hidden width %i', (hidden) => {
  const arch: Architecture = {
    type: 'candidate-scorer',
    candidateFeatures: F,
    globalFeatures: G,
    hidden,
  };

  it('computes the logits and values of the tfjs network on the legal candidates', () => {
    const { store } = randomRollout(1);
    const params = parameters(arch, 2);
    const net = new CandidateScorer(tf, arch, params);
    const [logits, values] = tf.tidy(() => {
      const mask = tf.tensor2d(Float32Array.from(store.mask), [N, K]);
      const out = net.forward(
        tf.tensor3d(store.cand, [N, K, F]),
        tf.tensor2d(store.glob, [N, G]),
        mask,
      );
      return [out.logits.dataSync(), out.value.dataSync()];
    });
    const js = new JsScorer(arch, params);
    const batch = packLegal(store.cand, store.mask, store.glob, K, F, G, null);
    const out = js.forward(batch);
    const legalLogits = Array.from(batch.slot, (k, r) => {
      const s = [...batch.start].findIndex((st, i) => r >= st && r < batch.start[i + 1]);
      return logits[s * K + k];
    });
    closeTo(out.logits, legalLogits, 1e-5);
    closeTo(out.value, values, 1e-5);
    // Acting uses `scores` on the observation's rows in place, the update `forward` on packed
    // rows: the same numbers, so that PPO's ratio starts at 1.
    for (const acting of [batch, indexLegal(store.cand, store.mask, store.glob, K)]) {
      const scores = js.scores(acting);
      expect(Array.from(scores.logits)).toEqual(Array.from(out.logits));
      expect(Array.from(scores.value)).toEqual(Array.from(out.value));
    }
    net.dispose();
  });

  const variants: [string, Partial<UpdateConfig>, boolean][] = [
    ['ppo, clipped value loss, entropy bonus', { entCoef: 0.05 }, false],
    ['ppo, plain value loss', { clipVloss: false, normAdv: false }, false],
    ['a2c', { algo: 'a2c', entCoef: 0.01 }, false],
    ['imitation', {}, true],
  ];
  it.each(variants)('has the gradients of tfjs autograd: %s', (_, over, imitation) => {
    const { rollout, store } = randomRollout(3);
    const c: UpdateConfig = { ...DEFAULT_CONFIG, ...over };
    const params = parameters(arch, 4);
    const net = new CandidateScorer(tf, arch, params);
    const rng = new Rng(5);
    const adv = Float32Array.from({ length: N }, () => rng.unit() * 4 - 2);
    const ret = Float32Array.from({ length: N }, () => rng.unit() * 2 - 1);
    const idx = Int32Array.from({ length: 16 }, (_, i) => (i * 5) % N);
    const mb = rollout.gather(idx, adv, ret);
    let diagnostics: Float32Array | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = minibatchLoss(tf, net, rollout, mb, c, imitation);
      diagnostics = r.diagnostics.dataSync() as Float32Array;
      return r.loss;
    }, [...net.params.values()]);
    value.dispose();
    const js = minibatchGradients(new JsScorer(arch, params), store, mb, c, imitation);
    closeTo(js.diagnostics, diagnostics!, 1e-5);
    for (const [name, v] of net.params)
      closeTo(js.grads.get(name)!, grads[v.name].dataSync(), 1e-5);
    for (const g of Object.values(grads)) g.dispose();
    net.dispose();
  });

  it('takes the same update steps as the tfjs learner (epochs, minibatches, clipping, Adam)', async () => {
    const { rollout, store } = randomRollout(6);
    const c: UpdateConfig = {
      ...DEFAULT_CONFIG,
      updateEpochs: 2,
      numMinibatches: 2,
      maxGradNorm: 0.05,
    };
    const params = parameters(arch, 7);
    const rng = new Rng(8);
    const adv = Float32Array.from({ length: N }, () => rng.unit() * 4 - 2);
    const ret = Float32Array.from({ length: N }, () => rng.unit() * 2 - 1);
    const batch = { rollout, advantages: adv, returns: ret, imitation: false };
    const net = new CandidateScorer(tf, arch, params);
    const adam = new Adam(tf, net.params);
    const expected = await update(tf, net, adam, batch, c, 1e-3, new Rng(9));
    const js = new JsScorer(arch, params);
    const jsAdam = new JsAdam(js.params);
    const actual = await updateJs(js, jsAdam, batch, c, 1e-3, new Rng(9));
    void store;
    for (const [name, v] of Object.entries(expected))
      expect(actual[name as keyof typeof actual]).toBeCloseTo(v, 4);
    const weights = await net.values();
    for (const [name, w] of weights) closeTo(js.params.get(name)!, w, 1e-5);
    const state = await adam.state();
    expect(jsAdam.state().step).toBe(state.step);
    for (const [name, m] of state.m) closeTo(jsAdam.state().m.get(name)!, m, 1e-5);
    net.dispose();
    adam.dispose();
  });
});
