import { describe, expect, it } from 'vitest';
import {
  JsScorer,
  indexLegal,
  jsGreedyActions,
  jsPolicyOutputs,
  packLegal,
} from '../../src/agents/js-scorer.js';
import { choose } from '../../src/agents/policy.js';
import { learnedPolicy } from '../../src/agents/learned.js';
import { initialParameters, type Architecture } from '../../src/agents/network.js';
import { ScoringPool } from '../../src/agents/scoring-pool.js';
import { Rng } from '../../src/core/rng.js';
import { randomInstance, randomSource } from '../../envs/jobshop/generator.js';
import { playEpisodes } from '../../envs/jobshop/play.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';

// Splitting a decision's rows across threads must not change a single bit of the scores: each
// row goes through the same kernels whichever thread runs it, and the pooled mean is summed by
// fixed chunks of rows whichever thread sums them (src/agents/pooling.ts).
const arch: Architecture = {
  type: 'candidate-scorer',
  candidateFeatures: 10,
  globalFeatures: 4,
  hidden: 64,
};

/** B samples of random observations, sample s with legal[s] legal candidates out of K. */
function randomObservation(legal: readonly number[], K: number, seed: number) {
  const rng = new Rng(seed);
  const B = legal.length;
  const cand = Float32Array.from(
    { length: B * K * arch.candidateFeatures },
    () => rng.unit() * 4 - 2,
  );
  const glob = Float32Array.from({ length: B * arch.globalFeatures }, () => rng.unit());
  const mask = new Uint8Array(B * K);
  legal.forEach((n, s) => {
    // Legal slots scattered over the row, not only its front.
    for (let k = 0; k < K && n > 0; k++)
      if (rng.unit() < n / (K - k)) {
        mask[s * K + k] = 1;
        n--;
      }
  });
  return { cand, mask, glob };
}

/** randomObservation's legal candidates packed (as the learner's minibatches are). */
function randomBatch(legal: readonly number[], K: number, seed: number) {
  const { cand, mask, glob } = randomObservation(legal, K, seed);
  return packLegal(cand, mask, glob, K, arch.candidateFeatures, arch.globalFeatures, null);
}

describe('ScoringPool', () => {
  const net = new JsScorer(arch, initialParameters(arch, 3));

  it.each([2, 3])(
    'scores like the calling thread alone, bit for bit, whatever the split (%i threads)',
    (threads) => {
      const pool = new ScoringPool(threads);
      try {
        // Samples of every size: none, fewer rows than a share, and shares that cross samples.
        const legal = [700, 0, 5, 900, 130];
        const { cand, mask, glob } = randomObservation(legal, 1000, 1);
        const batch = randomBatch(legal, 1000, 1);
        // Acting reads the legal rows where the observation holds them.
        const indexed = indexLegal(cand, mask, glob, 1000);
        const alone = net.scores(batch);
        expect(pool.activeWorkers).toBe(0);
        // Repeated calls: which thread takes which chunks changes from call to call.
        for (let i = 0; i < 6; i++) {
          const shared = net.scores(i % 2 === 0 ? batch : indexed, pool);
          expect(Array.from(shared.logits)).toEqual(Array.from(alone.logits));
          expect(Array.from(shared.value)).toEqual(Array.from(alone.value));
          expect(pool.activeWorkers).toBe(threads - 1);
        }
        // And the same as the forward pass the learner differentiates.
        expect(Array.from(alone.logits)).toEqual(Array.from(net.forward(batch).logits));
        expect(Array.from(net.scores(indexed).logits)).toEqual(Array.from(alone.logits));
      } finally {
        pool.dispose();
      }
    },
  );

  it("runs the learner's forward and backward passes on two threads with the numbers of one", () => {
    const batch = randomBatch([700, 0, 5, 900, 130], 1000, 3);
    const rng = new Rng(4);
    const dLogits = Float64Array.from({ length: batch.rows }, () => rng.unit() - 0.5);
    const dValue = Float64Array.from({ length: batch.samples }, () => rng.unit() - 0.5);
    const alone = new JsScorer(arch, initialParameters(arch, 5));
    const threaded = new JsScorer(arch, initialParameters(arch, 5));
    const pool = new ScoringPool(2);
    threaded.useThreads(pool);
    try {
      const expected = alone.forward(batch);
      const f = threaded.forward(batch);
      expect(pool.activeWorkers).toBe(1);
      for (const key of ['logits', 'value', 'a1', 'h', 'pooled', 'z', 'v1'] as const)
        expect([key, ...f[key]]).toEqual([key, ...expected[key]]);
      const grads = threaded.backward(f, dLogits, dValue);
      for (const [name, g] of alone.backward(expected, dLogits, dValue))
        expect([name, ...grads.get(name)!]).toEqual([name, ...g]);
    } finally {
      pool.dispose();
    }
  });

  it('still scores after dispose, on the calling thread', () => {
    const pool = new ScoringPool(2);
    const batch = randomBatch([600], 600, 2);
    const before = net.scores(batch, pool);
    pool.dispose();
    expect(Array.from(net.scores(batch, pool).logits)).toEqual(Array.from(before.logits));
  });

  it('gives a learned policy the same schedule on one thread and on two', async () => {
    const checkpoint = readCheckpoint('checkpoints/jobshop-ppo.json');
    const instance = randomInstance(randomSource(200, 4), 5);
    const makespans: number[] = [];
    const starts: number[][] = [];
    for (const threads of [1, 2]) {
      const policy = await learnedPolicy(checkpoint, 'ppo', {
        sample: false,
        seed: 0,
        backend: 'js',
        threads,
      });
      const [outcome] = await playEpisodes([instance], () => policy, 'active');
      policy.dispose();
      makespans.push(outcome.makespan);
      starts.push(outcome.schedule.start.flat());
    }
    expect(makespans[1]).toBe(makespans[0]);
    expect(starts[1]).toEqual(starts[0]);
  });
});

describe('greedy actions', () => {
  it('pick what choose picks from the log-probabilities, exact and near ties included', () => {
    const net = new JsScorer(arch, initialParameters(arch, 4));
    const rng = new Rng(8);
    const [E, K, F, G] = [6, 40, arch.candidateFeatures, arch.globalFeatures];
    const cand = Float32Array.from({ length: E * K * F }, () => rng.unit() * 2 - 1);
    const glob = Float32Array.from({ length: E * G }, () => rng.unit());
    const mask = Uint8Array.from({ length: E * K }, () => (rng.unit() < 0.7 ? 1 : 0));
    // Copy 1: every legal candidate the same (all logits tie); copy 2: a twin of its best
    // candidate later in the row; copy 3: one differing in the last bit of a feature (a near
    // tie); copy 4: nothing legal; copy 5: one legal candidate.
    const row = (e: number, k: number) => cand.subarray((e * K + k) * F, (e * K + k + 1) * F);
    for (let k = 1; k < K; k++) row(1, k).set(row(1, 0));
    mask.fill(0, 4 * K, 5 * K);
    mask.fill(0, 5 * K, 6 * K);
    mask[5 * K + 17] = 1;
    const first = jsPolicyOutputs(net, { cand, mask, glob }, E);
    for (const e of [2, 3]) {
      let best = -1;
      for (let k = 0; k < K; k++)
        if (
          first.logp[e * K + k] > -1e8 &&
          (best < 0 || first.logp[e * K + k] > first.logp[e * K + best])
        )
          best = k;
      row(e, K - 1).set(row(e, best));
      mask[e * K + K - 1] = 1;
      if (e === 3) row(e, K - 1)[0] = Math.fround(row(e, K - 1)[0] * (1 + 2 ** -23));
    }
    const obs = { cand, mask, glob };
    const expected = choose(jsPolicyOutputs(net, obs, E).logp, E, null).actions;
    const actions = new Int32Array(E);
    jsGreedyActions(net, obs, E, null, actions);
    expect(Array.from(actions)).toEqual(Array.from(expected));
    expect(actions[4]).toBe(-1);
    expect(actions[5]).toBe(17);
  });
});
