/**
 * Where the rollout's observations come from. The training loop asks an actor, at each step, for
 * the policy's log-probabilities and values on the current observation (storing that observation
 * in the rollout), then hands it the chosen actions.
 * - `HostActor`: the CPU environment; observations are host arrays, uploaded for the forward pass.
 * - `JsHostActor`: the CPU environment and the JavaScript network, which reads the host arrays.
 * - `DeviceActor`: the WebGPU environment on the network's own device; the forward pass reads the
 *   environment's buffers in place and the rollout keeps device copies, so observations never
 *   cross to the host (only actions go in, and rewards and flags come out).
 */

import type * as tfc from '@tensorflow/tfjs-core';
import { jsPolicyOutputs, type JsScorer } from '../agents/js-scorer.js';
import { evaluateObservation, policyOutputs } from '../agents/policy.js';
import type { CandidateScorer } from '../agents/network.js';
import { DeviceObservations, HostObservations, type ObservationStore } from '../agents/rollout.js';
import type { StepResult, VecEnv } from '../core/vecenv.js';
import type { DeviceVecEnv } from '../gpu/device-env.js';
import { tensorOnBuffer } from '../gpu/tfjs.js';

type Tf = typeof tfc;

export interface Actor {
  readonly observations: ObservationStore;
  /** Log-probabilities [E, K] and values [E] at the current observation; `t` stores it as rollout step t (null: do not store). */
  evaluate(t: number | null): Promise<{ logp: Float32Array; values: Float32Array }>;
  step(actions: Int32Array): Promise<StepResult>;
}

export class HostActor implements Actor {
  readonly observations: HostObservations;
  constructor(
    private readonly tf: Tf,
    private readonly net: CandidateScorer,
    private readonly env: VecEnv,
    numSteps: number,
  ) {
    const s = env.spec;
    this.observations = new HostObservations(
      numSteps,
      env.numEnvs,
      s.maxCandidates,
      s.candidateFeatures.length,
      s.globalFeatures.length,
    );
  }

  evaluate(t: number | null): Promise<{ logp: Float32Array; values: Float32Array }> {
    if (t !== null) this.observations.store(t, this.env.obs);
    return evaluateObservation(this.tf, this.net, this.env.obs, this.env.numEnvs);
  }

  step(actions: Int32Array): Promise<StepResult> {
    return Promise.resolve(this.env.step(actions));
  }
}

export class JsHostActor implements Actor {
  readonly observations: HostObservations;
  constructor(
    private readonly net: JsScorer,
    private readonly env: VecEnv,
    numSteps: number,
  ) {
    const s = env.spec;
    this.observations = new HostObservations(
      numSteps,
      env.numEnvs,
      s.maxCandidates,
      s.candidateFeatures.length,
      s.globalFeatures.length,
    );
  }

  evaluate(t: number | null): Promise<{ logp: Float32Array; values: Float32Array }> {
    if (t !== null) this.observations.store(t, this.env.obs);
    return Promise.resolve(jsPolicyOutputs(this.net, this.env.obs, this.env.numEnvs));
  }

  step(actions: Int32Array): Promise<StepResult> {
    return Promise.resolve(this.env.step(actions));
  }
}

export class DeviceActor implements Actor {
  readonly observations = new DeviceObservations();
  private readonly shape: { E: number; K: number; F: number; G: number };

  constructor(
    private readonly tf: Tf,
    private readonly net: CandidateScorer,
    private readonly env: DeviceVecEnv,
  ) {
    const s = env.spec;
    this.shape = {
      E: env.numEnvs,
      K: s.maxCandidates,
      F: s.candidateFeatures.length,
      G: s.globalFeatures.length,
    };
  }

  evaluate(t: number | null): Promise<{ logp: Float32Array; values: Float32Array }> {
    const tf = this.tf;
    const { E, K, F, G } = this.shape;
    return policyOutputs(tf, this.net, () => {
      // Views of the environment's buffers (no upload, no readback), copied device-to-device at
      // once because the environment overwrites them on the next step. The mask goes through a
      // real kernel after the cast: tfjs-webgpu 4.22 casts a zero-copy int32 tensor by relabelling
      // it, and a later reduction then compiles a transpose typed i32 that WGSL rejects (seen here).
      const view = (buffer: GPUBuffer, shape: number[], dtype: 'float32' | 'int32') =>
        tensorOnBuffer(tf, buffer, shape, dtype);
      const cand = tf.add(view(this.env.buffers.cand, [E, K, F], 'float32'), 0) as tfc.Tensor3D;
      const glob = tf.add(view(this.env.buffers.glob, [E, G], 'float32'), 0) as tfc.Tensor2D;
      const mask = tf.mul(
        tf.cast(view(this.env.buffers.mask, [E, K], 'int32'), 'float32'),
        1,
      ) as tfc.Tensor2D;
      if (t !== null)
        this.observations.store(t, {
          cand: tf.keep(cand),
          glob: tf.keep(glob),
          mask: tf.keep(mask),
        });
      return { cand, glob, mask };
    });
  }

  step(actions: Int32Array): Promise<StepResult> {
    this.env.writeActions(actions);
    return this.env.stepKeepingObservations();
  }
}
