/**
 * Adam with the learning rate set per step (for linear annealing) and its moments kept as plain
 * named tensors, so that a checkpoint can save them and a resumed run continues exactly. tfjs's own
 * AdamOptimizer fixes its learning rate at construction and hides its state.
 */

import type * as tfc from '@tensorflow/tfjs-core';

type Tf = typeof tfc;

export interface AdamState {
  /** Updates applied so far (for bias correction). */
  step: number;
  readonly m: Map<string, Float32Array>;
  readonly v: Map<string, Float32Array>;
}

export class Adam {
  private readonly tf: Tf;
  private readonly m = new Map<string, tfc.Variable>();
  private readonly v = new Map<string, tfc.Variable>();
  step = 0;

  constructor(
    tf: Tf,
    params: ReadonlyMap<string, tfc.Variable>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    /** 1e-5 as in the PPO reference implementations, not tfjs's 1e-7. */
    readonly epsilon = 1e-5,
  ) {
    this.tf = tf;
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false, `${p.name}/adam_m`));
      this.v.set(name, tf.variable(tf.zerosLike(p), false, `${p.name}/adam_v`));
    }
  }

  /** Applies one update with `grads` (by parameter name) at `learningRate`. */
  apply(
    params: ReadonlyMap<string, tfc.Variable>,
    grads: ReadonlyMap<string, tfc.Tensor>,
    learningRate: number,
  ): void {
    const tf = this.tf;
    this.step++;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      for (const [name, p] of params) {
        const g = grads.get(name);
        if (g === undefined) continue;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
        p.assign(tf.sub(p, tf.mul(update, learningRate)));
      }
    });
  }

  async state(): Promise<AdamState> {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const [name, t] of this.m) m.set(name, (await t.data()) as Float32Array);
    for (const [name, t] of this.v) v.set(name, (await t.data()) as Float32Array);
    return { step: this.step, m, v };
  }

  load(state: AdamState): void {
    this.step = state.step;
    for (const [name, t] of this.m)
      t.assign(this.tf.tensor(state.m.get(name)!, t.shape, 'float32'));
    for (const [name, t] of this.v)
      t.assign(this.tf.tensor(state.v.get(name)!, t.shape, 'float32'));
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
