/**
 * The PPO, A2C and imitation updates of src/agents/ppo.ts for the JavaScript scorer
 * (src/agents/js-scorer.ts): the same minibatches from the same RNG (`runEpochs`), the same losses,
 * with their gradients with respect to the logits and values written out by hand where tfjs's
 * autograd derives them, and Adam on plain arrays.
 *
 * Where a loss takes a maximum or a clip, the gradient goes where tfjs sends it: `maximum(a, b)`
 * passes it to a when a >= b, `clipByValue` passes it inside the bounds only.
 */

import type { Rng } from '../core/rng.js';
import type { AdamState } from './adam.js';
import { packLegal, type Gradients, type JsScorer } from './js-scorer.js';
import { runEpochs, type UpdateBatch, type UpdateConfig, type UpdateMetrics } from './ppo.js';
import { HostObservations, type Minibatch } from './rollout.js';

/** Adam as src/agents/adam.ts computes it, on float32 arrays, in double precision per element. */
export class JsAdam {
  step = 0;
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();

  constructor(
    params: ReadonlyMap<string, Float32Array>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    /** 1e-5 as in the PPO reference implementations, not tfjs's 1e-7. */
    readonly epsilon = 1e-5,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, new Float32Array(p.length));
      this.v.set(name, new Float32Array(p.length));
    }
  }

  /** Applies `grads` times `scale` (the gradient clipping's factor) at `learningRate`. */
  apply(
    params: ReadonlyMap<string, Float32Array>,
    grads: Gradients,
    scale: number,
    learningRate: number,
  ): void {
    this.step++;
    const { beta1, beta2, epsilon } = this;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    for (const [name, p] of params) {
      const g = grads.get(name)!;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] * scale;
        m[i] = beta1 * m[i] + (1 - beta1) * gi;
        v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
        p[i] -= learningRate * (m[i] / c1 / (Math.sqrt(v[i] / c2) + epsilon));
      }
    }
  }

  state(): AdamState {
    const copy = (from: Map<string, Float32Array>): Map<string, Float32Array> =>
      new Map([...from].map(([k, a]) => [k, a.slice()]));
    return { step: this.step, m: copy(this.m), v: copy(this.v) };
  }

  load(state: AdamState): void {
    this.step = state.step;
    for (const [name, a] of this.m) a.set(state.m.get(name)!);
    for (const [name, a] of this.v) a.set(state.v.get(name)!);
  }
}

/** The six diagnostics of src/agents/ppo.ts's minibatchLoss, in its order. */
export type Diagnostics = [
  policyLoss: number,
  valueLoss: number,
  entropy: number,
  approxKl: number,
  oldApproxKl: number,
  clipfrac: number,
];

/** The gradients of one minibatch's loss and its diagnostics. */
export function minibatchGradients(
  net: JsScorer,
  observations: HostObservations,
  mb: Minibatch,
  c: UpdateConfig,
  imitation: boolean,
): { grads: Gradients; diagnostics: Diagnostics } {
  const M = mb.size;
  const { k, f, g } = observations;
  const batch = packLegal(
    observations.cand,
    observations.mask,
    observations.glob,
    k,
    f,
    g,
    mb.indices,
  );
  const out = net.forward(batch);
  const { start, slot } = batch;

  // Advantages normalized per minibatch (population variance, as tf.moments).
  const adv = Float64Array.from(mb.advantages);
  if (c.normAdv && M > 1) {
    let mean = 0;
    for (let i = 0; i < M; i++) mean += adv[i];
    mean /= M;
    let variance = 0;
    for (let i = 0; i < M; i++) variance += (adv[i] - mean) ** 2;
    const std = Math.sqrt(variance / M);
    for (let i = 0; i < M; i++) adv[i] = (adv[i] - mean) / (std + 1e-8);
  }

  const dLogits = new Float64Array(batch.rows);
  const dValue = new Float64Array(M);
  const probs = new Float64Array(k);
  let pgLoss = 0;
  let vLoss = 0;
  let entropySum = 0;
  let approxKl = 0;
  let oldApproxKl = 0;
  let clipped = 0;
  for (let i = 0; i < M; i++) {
    const first = start[i];
    const n = start[i + 1] - first;
    // Log-softmax over the legal candidates (masked ones have probability exactly 0).
    let max = -Infinity;
    for (let r = first; r < first + n; r++) max = Math.max(max, out.logits[r]);
    let total = 0;
    for (let r = 0; r < n; r++) total += Math.exp(out.logits[first + r] - max);
    const lse = max + Math.log(total);
    let entropy = 0;
    let chosen = -1;
    for (let r = 0; r < n; r++) {
      const logp = out.logits[first + r] - lse;
      probs[r] = Math.exp(logp);
      entropy -= probs[r] * logp;
      if (slot[first + r] === mb.actions[i]) chosen = r;
    }
    if (chosen < 0)
      throw new Error(
        `update: sample ${mb.indices[i]} took candidate ${mb.actions[i]}, which was not legal`,
      );
    entropySum += entropy;
    const newLogp = out.logits[first + chosen] - lse;
    const logratio = newLogp - mb.logprobs[i];
    const ratio = Math.exp(logratio);
    approxKl += ratio - 1 - logratio;
    oldApproxKl += -logratio;
    if (Math.abs(ratio - 1) > c.clipCoef) clipped++;

    // d loss / d newLogp, and the value loss with d loss / d value.
    let dNewLogp: number;
    const v = out.value[i];
    const ret = mb.returns[i];
    let dv = (v - ret) / M;
    if (imitation) {
      pgLoss -= newLogp;
      dNewLogp = -1 / M;
      vLoss += (v - ret) ** 2;
    } else if (c.algo === 'ppo') {
      const pg1 = -adv[i] * ratio;
      const pg2 = -adv[i] * Math.min(Math.max(ratio, 1 - c.clipCoef), 1 + c.clipCoef);
      pgLoss += Math.max(pg1, pg2);
      // Inside the clip range pg2 equals pg1, so the clipped branch only wins outside it.
      dNewLogp = pg1 >= pg2 ? (-adv[i] * ratio) / M : 0;
      const unclipped = (v - ret) ** 2;
      if (c.clipVloss) {
        const diff = v - mb.values[i];
        const clippedValue = mb.values[i] + Math.min(Math.max(diff, -c.clipCoef), c.clipCoef);
        const clippedSq = (clippedValue - ret) ** 2;
        vLoss += Math.max(unclipped, clippedSq);
        if (unclipped < clippedSq) dv = Math.abs(diff) <= c.clipCoef ? (clippedValue - ret) / M : 0;
      } else {
        vLoss += unclipped;
      }
    } else {
      pgLoss -= adv[i] * newLogp;
      dNewLogp = -adv[i] / M;
      vLoss += (v - ret) ** 2;
    }
    dValue[i] = c.vfCoef * dv;
    // newLogp = logit_chosen - lse; the entropy bonus is -entCoef * mean(entropy).
    for (let r = 0; r < n; r++) {
      const logp = out.logits[first + r] - lse;
      dLogits[first + r] =
        dNewLogp * ((r === chosen ? 1 : 0) - probs[r]) +
        (c.entCoef / M) * probs[r] * (logp + entropy);
    }
  }
  const grads = net.backward(out, dLogits, dValue);
  return {
    grads,
    diagnostics: [
      pgLoss / M,
      (0.5 * vLoss) / M,
      entropySum / M,
      approxKl / M,
      oldApproxKl / M,
      clipped / M,
    ],
  };
}

/** One update of the JavaScript scorer (see src/agents/ppo.ts's `update`). */
export function updateJs(
  net: JsScorer,
  adam: JsAdam,
  batch: UpdateBatch,
  c: UpdateConfig,
  learningRate: number,
  rng: Rng,
): Promise<UpdateMetrics> {
  const observations = batch.rollout.observations;
  if (!(observations instanceof HostObservations))
    throw new Error('update: the JavaScript learner needs the observations on the host');
  return runEpochs(batch, c, rng, (mb) => {
    const { grads, diagnostics } = minibatchGradients(net, observations, mb, c, batch.imitation);
    let squares = 0;
    for (const gr of grads.values()) for (let i = 0; i < gr.length; i++) squares += gr[i] * gr[i];
    const gradNorm = Math.sqrt(squares);
    adam.apply(net.params, grads, Math.min(1, c.maxGradNorm / (gradNorm + 1e-6)), learningRate);
    net.changed();
    return { diagnostics, gradNorm };
  });
}
