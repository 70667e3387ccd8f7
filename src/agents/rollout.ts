/**
 * Rollout storage: T steps of E copies, time-major (flat index t * E + e). Actions, log-probs,
 * values, rewards and episode ends live on the host. Observations live where the environment
 * keeps them: copied into host arrays (`HostObservations`, the CPU environment), or copied
 * device-to-device into tensors (`DeviceObservations`, an environment on the same WebGPU device
 * as the network, whose buffers never visit the host). Minibatches gather both by index.
 */

import type * as tfc from '@tensorflow/tfjs-core';
import type { Observation, ObservationSpec } from '../core/vecenv.js';

type Tf = typeof tfc;

/** Observation tensors of a minibatch: cand [M, K, F], glob [M, G], mask [M, K] as float 0/1. */
export interface ObservationTensors {
  readonly cand: tfc.Tensor3D;
  readonly glob: tfc.Tensor2D;
  readonly mask: tfc.Tensor2D;
}

export interface ObservationStore {
  /** Called once per update before any minibatch, outside gradient tapes. */
  prepare?(tf: Tf): void;
  /** The observations at flat indices `idx`, as tensors (call inside a tidy scope). */
  tensors(tf: Tf, idx: Int32Array): ObservationTensors;
}

export interface Minibatch {
  readonly size: number;
  /** Flat indices t * E + e of the samples. */
  readonly indices: Int32Array;
  readonly actions: Int32Array;
  readonly logprobs: Float32Array;
  readonly values: Float32Array;
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
}

/** Observations copied to host arrays, step by step. */
export class HostObservations implements ObservationStore {
  /** [T * E, K, F] */
  readonly cand: Float32Array;
  /** [T * E, G] */
  readonly glob: Float32Array;
  /** [T * E, K] 1 for legal candidates. */
  readonly mask: Uint8Array;

  constructor(
    readonly numSteps: number,
    readonly numEnvs: number,
    readonly k: number,
    readonly f: number,
    readonly g: number,
  ) {
    const n = numSteps * numEnvs;
    this.cand = new Float32Array(n * k * f);
    this.glob = new Float32Array(n * g);
    this.mask = new Uint8Array(n * k);
  }

  /** Stores the observation the actions of step t were chosen from. */
  store(t: number, obs: Observation): void {
    const E = this.numEnvs;
    this.cand.set(obs.cand, t * E * this.k * this.f);
    this.glob.set(obs.glob, t * E * this.g);
    this.mask.set(obs.mask, t * E * this.k);
  }

  tensors(tf: Tf, idx: Int32Array): ObservationTensors {
    const { k, f, g } = this;
    const M = idx.length;
    const cand = new Float32Array(M * k * f);
    const glob = new Float32Array(M * g);
    const mask = new Float32Array(M * k);
    for (let i = 0; i < M; i++) {
      const s = idx[i];
      cand.set(this.cand.subarray(s * k * f, (s + 1) * k * f), i * k * f);
      glob.set(this.glob.subarray(s * g, (s + 1) * g), i * g);
      for (let j = 0; j < k; j++) mask[i * k + j] = this.mask[s * k + j];
    }
    return {
      cand: tf.tensor3d(cand, [M, k, f]),
      glob: tf.tensor2d(glob, [M, g]),
      mask: tf.tensor2d(mask, [M, k]),
    };
  }
}

/** Observations kept as device tensors, one copy per step; concatenated once per update. */
export class DeviceObservations implements ObservationStore {
  private readonly steps: ObservationTensors[] = [];
  private all: ObservationTensors | null = null;

  /** Keeps `copy` (tensors this store now owns) as step `t`'s observation. */
  store(t: number, copy: ObservationTensors): void {
    if (t === 0) this.clear();
    this.steps[t] = copy;
  }

  tensors(tf: Tf, idx: Int32Array): ObservationTensors {
    if (this.all === null) {
      const stack = <T extends tfc.Tensor>(pick: (o: ObservationTensors) => T): T =>
        tf.keep(tf.concat(this.steps.map(pick), 0));
      this.all = {
        cand: stack((o) => o.cand),
        glob: stack((o) => o.glob),
        mask: stack((o) => o.mask),
      };
    }
    const at = tf.tensor1d(idx, 'int32');
    return {
      cand: tf.gather(this.all.cand, at),
      glob: tf.gather(this.all.glob, at),
      mask: tf.gather(this.all.mask, at),
    };
  }

  clear(): void {
    for (const o of [...this.steps, ...(this.all === null ? [] : [this.all])]) {
      o.cand.dispose();
      o.glob.dispose();
      o.mask.dispose();
    }
    this.steps.length = 0;
    this.all = null;
  }
}

export class Rollout {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly k: number;
  readonly f: number;
  readonly g: number;
  readonly observations: ObservationStore;
  /** [T, E] */
  readonly actions: Int32Array;
  readonly logprobs: Float32Array;
  readonly values: Float32Array;
  readonly rewards: Float32Array;
  /** [T, E] 1 when the step ended the copy's episode. */
  readonly ended: Uint8Array;

  constructor(
    numSteps: number,
    numEnvs: number,
    spec: ObservationSpec,
    observations?: ObservationStore,
  ) {
    this.numSteps = numSteps;
    this.numEnvs = numEnvs;
    this.k = spec.maxCandidates;
    this.f = spec.candidateFeatures.length;
    this.g = spec.globalFeatures.length;
    this.observations =
      observations ?? new HostObservations(numSteps, numEnvs, this.k, this.f, this.g);
    const n = numSteps * numEnvs;
    this.actions = new Int32Array(n);
    this.logprobs = new Float32Array(n);
    this.values = new Float32Array(n);
    this.rewards = new Float32Array(n);
    this.ended = new Uint8Array(n);
  }

  /** The samples at flat indices `idx`, with their advantages and returns. */
  gather(idx: Int32Array, advantages: Float32Array, returns: Float32Array): Minibatch {
    const M = idx.length;
    const pick = <T extends Float32Array | Int32Array>(from: T, make: (n: number) => T): T => {
      const out = make(M);
      for (let i = 0; i < M; i++) out[i] = from[idx[i]];
      return out;
    };
    const f32 = (n: number): Float32Array => new Float32Array(n);
    return {
      size: M,
      indices: idx.slice(),
      actions: pick(this.actions, (n) => new Int32Array(n)),
      logprobs: pick(this.logprobs, f32),
      values: pick(this.values, f32),
      advantages: pick(advantages, f32),
      returns: pick(returns, f32),
    };
  }
}
