/**
 * Acting with the network: one forward pass for the whole batch, then masked categorical
 * sampling on the host from schedrl's RNG (deterministic for a seed on every tfjs backend), or
 * the greedy choice.
 */

import type * as tfc from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import type { Observation } from '../core/vecenv.js';
import type { CandidateScorer } from './network.js';
import type { ObservationTensors } from './rollout.js';

type Tf = typeof tfc;

export interface Decision {
  /** [E] chosen candidate per copy. */
  readonly actions: Int32Array;
  /** [E] log-probability of the chosen candidate. */
  readonly logprobs: Float32Array;
  /** [E] value estimate of the observation. */
  readonly values: Float32Array;
}

/** Log-probabilities [E, K] (masked candidates: about -1e9) and values [E] of an observation. */
export async function evaluateObservation(
  tf: Tf,
  net: CandidateScorer,
  obs: Observation,
  numEnvs: number,
): Promise<{ logp: Float32Array; values: Float32Array }> {
  const K = obs.mask.length / numEnvs;
  const F = obs.cand.length / (numEnvs * K);
  const G = obs.glob.length / numEnvs;
  return policyOutputs(tf, net, () => ({
    cand: tf.tensor3d(obs.cand, [numEnvs, K, F]),
    glob: tf.tensor2d(obs.glob, [numEnvs, G]),
    mask: tf.tensor2d(Float32Array.from(obs.mask), [numEnvs, K]),
  }));
}

/**
 * Log-probabilities and values on the host for inputs built by `inputs` (called inside a tidy
 * scope, so whatever it creates is freed unless it keeps it).
 */
export async function policyOutputs(
  tf: Tf,
  net: CandidateScorer,
  inputs: () => ObservationTensors,
): Promise<{ logp: Float32Array; values: Float32Array }> {
  const [logpT, valueT] = tf.tidy(() => {
    const { cand, glob, mask } = inputs();
    const out = net.forward(cand, glob, mask);
    return [tf.logSoftmax(out.logits), out.value];
  });
  const [logp, values] = await Promise.all([
    logpT.data() as Promise<Float32Array>,
    valueT.data() as Promise<Float32Array>,
  ]);
  logpT.dispose();
  valueT.dispose();
  return { logp, values };
}

/**
 * An action per copy from log-probabilities [E, K]: sampled by inverse CDF from `rng`, or the most
 * probable one when `rng` is null. Candidates at about -1e9 (masked) are never chosen.
 */
export function choose(
  logp: Float32Array,
  numEnvs: number,
  rng: Rng | null,
): { actions: Int32Array; logprobs: Float32Array } {
  const K = logp.length / numEnvs;
  const actions = new Int32Array(numEnvs);
  const logprobs = new Float32Array(numEnvs);
  for (let e = 0; e < numEnvs; e++) {
    const row = e * K;
    let a = -1;
    if (rng === null) {
      for (let j = 0; j < K; j++)
        if (logp[row + j] > LEGAL && (a < 0 || logp[row + j] > logp[row + a])) a = j;
    } else {
      // The last legal candidate absorbs rounding.
      let u = rng.unit();
      for (let j = 0; j < K; j++) {
        if (logp[row + j] <= LEGAL) continue;
        a = j;
        u -= Math.exp(logp[row + j]);
        if (u < 0) break;
      }
    }
    actions[e] = a;
    logprobs[e] = logp[row + a];
  }
  return { actions, logprobs };
}

/** Log-probabilities below this belong to masked candidates (their logits are -1e9). */
const LEGAL = -1e8;

/** Samples an action per copy (or takes the most probable one when `rng` is null). */
export async function decide(
  tf: Tf,
  net: CandidateScorer,
  obs: Observation,
  numEnvs: number,
  rng: Rng | null,
): Promise<Decision> {
  const { logp, values } = await evaluateObservation(tf, net, obs, numEnvs);
  return { ...choose(logp, numEnvs, rng), values };
}
