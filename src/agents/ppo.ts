/**
 * The PPO and A2C updates (docs/design.md, "Learning and exporting"), following the well-known reference details of
 * CleanRL's ppo.py: advantage normalization per minibatch, clipped surrogate and clipped value
 * loss, entropy bonus over legal actions only, Adam with eps 1e-5, global gradient clipping,
 * minibatches reshuffled every epoch. A2C is the same network with the plain actor-critic loss,
 * one gradient step per rollout. An imitation update (behaviour cloning, used to warm-start a
 * run from a teacher heuristic) replaces the policy loss by the cross-entropy of the teacher's
 * choices, which the rollout holds as its actions, and keeps the value loss, so that the critic
 * learns the teacher's returns before PPO takes over.
 */

import type * as tfc from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import type { Adam } from './adam.js';
import type { CandidateScorer } from './network.js';
import type { Minibatch, Rollout } from './rollout.js';

type Tf = typeof tfc;

/**
 * `self-label`: every update imitates the best of several sampled solutions of each instance
 * (src/train/self-label.ts), through the imitation loss below.
 */
export type Algorithm = 'ppo' | 'a2c' | 'self-label';

export interface UpdateConfig {
  readonly algo: Algorithm;
  /** PPO epochs over each rollout (A2C: 1). */
  readonly updateEpochs: number;
  /** Minibatches per epoch (A2C: 1). */
  readonly numMinibatches: number;
  /** Normalize advantages per minibatch. */
  readonly normAdv: boolean;
  /** PPO surrogate clipping coefficient. */
  readonly clipCoef: number;
  /** Clip the value loss like the policy loss. */
  readonly clipVloss: boolean;
  /** Entropy bonus coefficient. */
  readonly entCoef: number;
  /** Value loss coefficient. */
  readonly vfCoef: number;
  /** Global gradient-norm clip. */
  readonly maxGradNorm: number;
  /** Stop the epochs early when the approximate KL exceeds this (null: never). */
  readonly targetKl: number | null;
}

/** What one update learns from: steps of a rollout and their targets. */
export interface UpdateBatch {
  readonly rollout: Rollout;
  /** [T * E] (unused by the imitation loss). */
  readonly advantages: Float32Array;
  /** [T * E] the value targets. */
  readonly returns: Float32Array;
  /** The policy loss is the cross-entropy of the rollout's actions (a teacher's, or labels). */
  readonly imitation: boolean;
  /** Learn from these flat indices t * E + e only (self-labeling); every step when absent. */
  readonly samples?: Int32Array;
}

export interface UpdateMetrics {
  'losses/policy_loss': number;
  'losses/value_loss': number;
  'losses/entropy': number;
  'losses/approx_kl': number;
  'losses/old_approx_kl': number;
  'losses/clipfrac': number;
  'losses/grad_norm': number;
}

/** Loss of one minibatch and its diagnostics; call inside tf.variableGrads. */
export function minibatchLoss(
  tf: Tf,
  net: CandidateScorer,
  rollout: Rollout,
  mb: Minibatch,
  c: UpdateConfig,
  imitation: boolean,
) {
  const M = mb.size;
  const { cand, glob, mask } = rollout.observations.tensors(tf, mb.indices);
  const out = net.forward(cand, glob, mask);
  const logpAll = tf.logSoftmax(out.logits);
  // The one-hot of the taken actions is built on the host: tfjs's OneHot kernels disagree on
  // dtypes (wasm writes int32 data under a float32 label; webgpu relabels int32 casts), and a
  // wrong one silently breaks the PPO ratio.
  const onehot = new Float32Array(M * rollout.k);
  for (let i = 0; i < M; i++) onehot[i * rollout.k + mb.actions[i]] = 1;
  const chosen = tf.tensor2d(onehot, [M, rollout.k]);
  const newLogp = tf.sum(tf.mul(logpAll, chosen), 1);
  // Entropy over legal actions only: masked candidates have probability 0 and are excluded.
  const entropy = tf.neg(tf.sum(tf.mul(tf.mul(tf.exp(logpAll), logpAll), mask), 1));
  let adv = tf.tensor1d(mb.advantages);
  if (c.normAdv && M > 1) {
    const { mean, variance } = tf.moments(adv);
    adv = tf.div(tf.sub(adv, mean), tf.add(tf.sqrt(variance), 1e-8));
  }
  const returns = tf.tensor1d(mb.returns);
  const oldValues = tf.tensor1d(mb.values);
  const logratio = tf.sub(newLogp, tf.tensor1d(mb.logprobs));
  const ratio = tf.exp(logratio);
  let pgLoss: tfc.Scalar;
  let vLoss: tfc.Scalar;
  if (imitation) {
    pgLoss = tf.neg(tf.mean(newLogp));
    vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(out.value, returns))));
  } else if (c.algo === 'ppo') {
    const pg1 = tf.mul(tf.neg(adv), ratio);
    const pg2 = tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - c.clipCoef, 1 + c.clipCoef));
    pgLoss = tf.mean(tf.maximum(pg1, pg2));
    const unclipped = tf.square(tf.sub(out.value, returns));
    if (c.clipVloss) {
      const clippedValue = tf.add(
        oldValues,
        tf.clipByValue(tf.sub(out.value, oldValues), -c.clipCoef, c.clipCoef),
      );
      vLoss = tf.mul(0.5, tf.mean(tf.maximum(unclipped, tf.square(tf.sub(clippedValue, returns)))));
    } else {
      vLoss = tf.mul(0.5, tf.mean(unclipped));
    }
  } else {
    pgLoss = tf.neg(tf.mean(tf.mul(adv, newLogp)));
    vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(out.value, returns))));
  }
  const entropyMean = tf.mean(entropy);
  const loss = tf.add(
    tf.sub(pgLoss, tf.mul(c.entCoef, entropyMean)),
    tf.mul(c.vfCoef, vLoss),
  ) as tfc.Scalar;
  const diagnostics = tf.stack([
    pgLoss,
    vLoss,
    entropyMean,
    tf.mean(tf.sub(tf.sub(ratio, 1), logratio)), // approx_kl (k3 estimator)
    tf.mean(tf.neg(logratio)), // old_approx_kl
    tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c.clipCoef), 'float32')),
  ]);
  return { loss, diagnostics };
}

/** What one minibatch's gradient step reports: the six diagnostics of `minibatchLoss` and the gradient norm before clipping. */
export interface MinibatchStepResult {
  readonly diagnostics: ArrayLike<number>;
  readonly gradNorm: number;
}

/**
 * Runs the epochs and minibatches of one update on `rollout`, `step` taking one gradient step
 * on each minibatch, and returns the metrics of the last epoch's minibatches (averaged), as
 * CleanRL logs them. Shared by the tfjs learner (`update` below) and the JavaScript one
 * (src/agents/js-ppo.ts), so that both draw the same minibatches from the same RNG.
 */
export async function runEpochs(
  batch: UpdateBatch,
  c: UpdateConfig,
  rng: Rng,
  step: (mb: Minibatch) => Promise<MinibatchStepResult> | MinibatchStepResult,
): Promise<UpdateMetrics> {
  const { rollout, advantages, returns, imitation, samples } = batch;
  const order =
    samples?.slice() ??
    Int32Array.from({ length: rollout.numSteps * rollout.numEnvs }, (_, i) => i);
  const n = order.length;
  const epochs = c.algo === 'a2c' ? 1 : c.updateEpochs;
  const numMinibatches = c.algo === 'a2c' ? 1 : Math.min(c.numMinibatches, n);
  const mbSize = Math.floor(n / numMinibatches);
  let sums = new Float64Array(7);
  let count = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    // Reshuffle every epoch (Fisher-Yates from the run's RNG).
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    sums = new Float64Array(7);
    count = 0;
    let approxKl = 0;
    // Exactly numMinibatches of mbSize samples: a remainder (self-labeling's sample counts need
    // not divide) sits out this epoch and, reshuffled, takes part in the next.
    for (let b = 0; b < numMinibatches; b++) {
      const start = b * mbSize;
      const mb = rollout.gather(order.subarray(start, start + mbSize), advantages, returns);
      const { diagnostics: d, gradNorm } = await step(mb);
      for (let i = 0; i < 6; i++) sums[i] += d[i];
      sums[6] += gradNorm;
      count++;
      approxKl = d[3];
    }
    // Imitation moves the policy on purpose: the KL stop is PPO's trust region only.
    if (!imitation && c.targetKl !== null && approxKl > c.targetKl) break;
  }
  const avg = (i: number): number => sums[i] / Math.max(count, 1);
  return {
    'losses/policy_loss': avg(0),
    'losses/value_loss': avg(1),
    'losses/entropy': avg(2),
    'losses/approx_kl': avg(3),
    'losses/old_approx_kl': avg(4),
    'losses/clipfrac': avg(5),
    'losses/grad_norm': avg(6),
  };
}

/**
 * One update of the tfjs network (see `runEpochs`). With `imitation`, the rollout's actions are
 * a teacher's and the policy loss is their cross-entropy.
 */
export async function update(
  tf: Tf,
  net: CandidateScorer,
  adam: Adam,
  batch: UpdateBatch,
  c: UpdateConfig,
  learningRate: number,
  rng: Rng,
): Promise<UpdateMetrics> {
  const varList = [...net.params.values()];
  const names = [...net.params.keys()];
  const { rollout, imitation } = batch;
  rollout.observations.prepare?.(tf);
  return runEpochs(batch, c, rng, async (mb) => {
    let diagnostics: tfc.Tensor | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = minibatchLoss(tf, net, rollout, mb, c, imitation);
      diagnostics = tf.keep(r.diagnostics);
      return r.loss;
    }, varList);
    value.dispose();
    // Global gradient clipping.
    const byName = new Map(names.map((name, i) => [name, grads[varList[i].name]]));
    const normT = tf.tidy(() =>
      tf.sqrt(tf.addN([...byName.values()].map((gr) => tf.sum(tf.square(gr))))),
    );
    const norm = (await normT.data())[0];
    normT.dispose();
    const scale = Math.min(1, c.maxGradNorm / (norm + 1e-6));
    const clipped = new Map(
      [...byName].map(([name, gr]) => [name, scale === 1 ? gr : tf.mul(gr, scale)]),
    );
    adam.apply(net.params, clipped, learningRate);
    for (const t of new Set([...byName.values(), ...clipped.values()])) t.dispose();
    const d = (await diagnostics!.data()) as Float32Array;
    diagnostics!.dispose();
    return { diagnostics: d, gradNorm: norm };
  });
}
