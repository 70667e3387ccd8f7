/**
 * The candidate-scoring actor-critic shared by every problem (docs/design.md, "Learning and exporting").
 *
 * Each candidate's features, together with the global features, go through a shared MLP; a
 * masked mean of the legal candidates' encodings (the pooled summary) is projected and added back
 * to every candidate, so that each score knows its alternatives; a linear head scores each
 * candidate; masked candidates get -1e9 before the softmax; the value head reads the pooled
 * summary. No weight depends on K, so a policy trained on small instances runs on large ones.
 *
 *   x_k    = [cand_k, glob]                         [B, K, F+G]
 *   h_k    = tanh(W2 tanh(W1 x_k + b1) + b2)        [B, K, H]
 *   s      = sum_k mask_k h_k / max(1, sum_k mask_k) [B, H]
 *   z_k    = tanh(h_k + Wc s + bc)                  [B, K, H]
 *   logit_k = wo . z_k + bo   (-1e9 where masked)    [B, K]
 *   value  = wv2 . tanh(Wv1 s + bv1) + bv2          [B]
 *
 * The same forward pass is written in plain JavaScript in the exported dispatch module
 * (src/export), with the same parameter names.
 */

import type * as tfc from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng.js';
import { orthogonal } from './init.js';

type Tf = typeof tfc;

export const MASKED_LOGIT = -1e9;

export interface Architecture {
  readonly type: 'candidate-scorer';
  /** F: candidate features. */
  readonly candidateFeatures: number;
  /** G: global features. */
  readonly globalFeatures: number;
  /** H: width of every hidden layer. */
  readonly hidden: number;
}

/** Parameter names in a fixed order, with their shapes and the gain of their initialization (0: zeros). */
export function parameterSpecs(a: Architecture): { name: string; shape: number[]; gain: number }[] {
  const H = a.hidden;
  const sqrt2 = Math.SQRT2;
  return [
    { name: 'W1', shape: [a.candidateFeatures + a.globalFeatures, H], gain: sqrt2 },
    { name: 'b1', shape: [H], gain: 0 },
    { name: 'W2', shape: [H, H], gain: sqrt2 },
    { name: 'b2', shape: [H], gain: 0 },
    { name: 'Wc', shape: [H, H], gain: sqrt2 },
    { name: 'bc', shape: [H], gain: 0 },
    // Small policy head: initial action probabilities close to uniform (CleanRL: std 0.01).
    { name: 'wo', shape: [H, 1], gain: 0.01 },
    { name: 'bo', shape: [1], gain: 0 },
    { name: 'Wv1', shape: [H, H], gain: sqrt2 },
    { name: 'bv1', shape: [H], gain: 0 },
    { name: 'wv2', shape: [H, 1], gain: 1 },
    { name: 'bv2', shape: [1], gain: 0 },
  ];
}

/** Initial parameter values from `seed` (orthogonal weights, zero biases), as plain arrays. */
export function initialParameters(a: Architecture, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const p of parameterSpecs(a)) {
    const size = p.shape.reduce((x, y) => x * y, 1);
    out.set(
      p.name,
      p.gain === 0 ? new Float32Array(size) : orthogonal(rng, p.shape[0], p.shape[1] ?? 1, p.gain),
    );
  }
  return out;
}

export interface PolicyOutput {
  /** [B, K] logits with -1e9 at masked candidates. */
  readonly logits: tfc.Tensor2D;
  /** [B] state values. */
  readonly value: tfc.Tensor1D;
}

let instances = 0;

export class CandidateScorer {
  readonly architecture: Architecture;
  /** Trainable variables by parameter name, in parameterSpecs order. */
  readonly params: ReadonlyMap<string, tfc.Variable>;
  private readonly tf: Tf;

  constructor(tf: Tf, architecture: Architecture, values: ReadonlyMap<string, Float32Array>) {
    this.tf = tf;
    this.architecture = architecture;
    const params = new Map<string, tfc.Variable>();
    // tfjs variable names are global; each network gets its own prefix.
    const prefix = `scorer${instances++}`;
    for (const p of parameterSpecs(architecture)) {
      const v = values.get(p.name);
      const size = p.shape.reduce((x, y) => x * y, 1);
      if (v === undefined || v.length !== size)
        throw new Error(
          `network: parameter ${p.name} needs ${size} values, got ${v?.length ?? 'none'}`,
        );
      params.set(
        p.name,
        tf.variable(tf.tensor(v, p.shape, 'float32'), true, `${prefix}/${p.name}`),
      );
    }
    this.params = params;
  }

  private p(name: string): tfc.Variable {
    return this.params.get(name)!;
  }

  /** Forward pass; `mask` holds 1 for legal candidates and 0 otherwise (float32). Call inside tf.tidy. */
  forward(cand: tfc.Tensor3D, glob: tfc.Tensor2D, mask: tfc.Tensor2D): PolicyOutput {
    const tf = this.tf;
    const [B, K, F] = cand.shape;
    const G = glob.shape[1];
    const H = this.architecture.hidden;
    const x = tf.reshape(tf.concat([cand, tf.tile(tf.reshape(glob, [B, 1, G]), [1, K, 1])], 2), [
      B * K,
      F + G,
    ]);
    const h1 = tf.tanh(tf.add(tf.matMul(x, this.p('W1')), this.p('b1')));
    const h = tf.reshape(tf.tanh(tf.add(tf.matMul(h1, this.p('W2')), this.p('b2'))), [B, K, H]);
    const m = tf.reshape(mask, [B, K, 1]);
    const pooled = tf.div(tf.sum(tf.mul(h, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tfc.Tensor2D;
    const context = tf.reshape(tf.add(tf.matMul(pooled, this.p('Wc')), this.p('bc')), [B, 1, H]);
    const z = tf.reshape(tf.tanh(tf.add(h, context)), [B * K, H]);
    const raw = tf.reshape(tf.add(tf.matMul(z, this.p('wo')), this.p('bo')), [B, K]);
    const logits = tf.where(
      tf.greater(mask, 0.5),
      raw,
      tf.fill([B, K], MASKED_LOGIT),
    ) as tfc.Tensor2D;
    const v1 = tf.tanh(tf.add(tf.matMul(pooled, this.p('Wv1')), this.p('bv1')));
    const value = tf.reshape(tf.add(tf.matMul(v1, this.p('wv2')), this.p('bv2')), [
      B,
    ]) as tfc.Tensor1D;
    return { logits, value };
  }

  /** Current parameter values as plain arrays (for checkpoints and export). */
  async values(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.params) out.set(name, (await v.data()) as Float32Array);
    return out;
  }

  assign(values: ReadonlyMap<string, Float32Array>): void {
    for (const [name, v] of this.params)
      v.assign(this.tf.tensor(values.get(name)!, v.shape, 'float32'));
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}
