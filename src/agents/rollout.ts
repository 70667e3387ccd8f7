/**
 * Rollout storage: T steps of E copies, time-major, on the host. Observations are copied in
 * (the environment overwrites its buffers every step); minibatches are gathered out by index.
 */

import type { Observation, ObservationSpec } from '../core/vecenv.js';

export interface Minibatch {
  readonly size: number;
  /** [M, K, F] */
  readonly cand: Float32Array;
  /** [M, G] */
  readonly glob: Float32Array;
  /** [M, K] 1 where legal, as float32 for the network */
  readonly mask: Float32Array;
  readonly actions: Int32Array;
  readonly logprobs: Float32Array;
  readonly values: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
}

export class Rollout {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly k: number;
  readonly f: number;
  readonly g: number;
  /** [T, E, K, F] */
  readonly cand: Float32Array;
  /** [T, E, G] */
  readonly glob: Float32Array;
  /** [T, E, K] */
  readonly mask: Uint8Array;
  /** [T, E] */
  readonly actions: Int32Array;
  readonly logprobs: Float32Array;
  readonly values: Float32Array;
  readonly rewards: Float32Array;
  /** [T, E] 1 when the step ended the copy's episode. */
  readonly ended: Uint8Array;

  constructor(numSteps: number, numEnvs: number, spec: ObservationSpec) {
    this.numSteps = numSteps;
    this.numEnvs = numEnvs;
    this.k = spec.maxCandidates;
    this.f = spec.candidateFeatures.length;
    this.g = spec.globalFeatures.length;
    const n = numSteps * numEnvs;
    this.cand = new Float32Array(n * this.k * this.f);
    this.glob = new Float32Array(n * this.g);
    this.mask = new Uint8Array(n * this.k);
    this.actions = new Int32Array(n);
    this.logprobs = new Float32Array(n);
    this.values = new Float32Array(n);
    this.rewards = new Float32Array(n);
    this.ended = new Uint8Array(n);
  }

  /** Stores the observation the actions of step t were chosen from. */
  storeObservation(t: number, obs: Observation): void {
    const E = this.numEnvs;
    this.cand.set(obs.cand, t * E * this.k * this.f);
    this.glob.set(obs.glob, t * E * this.g);
    this.mask.set(obs.mask, t * E * this.k);
  }

  /** Gathers the samples at flat indices `idx` (t * E + e) with their advantages and returns. */
  gather(idx: ArrayLike<number>, advantages: Float32Array, returns: Float32Array): Minibatch {
    const M = idx.length;
    const { k, f, g } = this;
    const out: Minibatch = {
      size: M,
      cand: new Float32Array(M * k * f),
      glob: new Float32Array(M * g),
      mask: new Float32Array(M * k),
      actions: new Int32Array(M),
      logprobs: new Float32Array(M),
      values: new Float32Array(M),
      advantages: new Float32Array(M),
      returns: new Float32Array(M),
    };
    for (let i = 0; i < M; i++) {
      const s = idx[i];
      out.cand.set(this.cand.subarray(s * k * f, (s + 1) * k * f), i * k * f);
      out.glob.set(this.glob.subarray(s * g, (s + 1) * g), i * g);
      for (let j = 0; j < k; j++) out.mask[i * k + j] = this.mask[s * k + j];
      out.actions[i] = this.actions[s];
      out.logprobs[i] = this.logprobs[s];
      out.values[i] = this.values[s];
      out.advantages[i] = advantages[s];
      out.returns[i] = returns[s];
    }
    return out;
  }
}
