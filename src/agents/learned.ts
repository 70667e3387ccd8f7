/**
 * A trained policy from a checkpoint, acting on any batch with the checkpoint's observation
 * layout: greedy (the most probable legal candidate) or sampling (for best-of-K evaluation).
 */

import { Rng } from '../core/rng.js';
import { InputError, UsageError } from '../core/errors.js';
import { findEnv } from '../core/registry.js';
import type { Observation, ObservationSpec } from '../core/vecenv.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { JsScorer, jsGreedyActions, jsPolicyOutputs } from './js-scorer.js';
import { CandidateScorer } from './network.js';
import { ScoringPool } from './scoring-pool.js';
import { SIMD } from './simd.js';
import { choose, policyOutputs } from './policy.js';
import { useTfBackend, type LearnerBackend, type Tf } from './tfjs.js';

export interface LearnedPolicy {
  readonly name: string;
  act(
    batch: { readonly obs: Observation; readonly numEnvs: number },
    actions: Int32Array,
  ): Promise<void>;
  dispose(): void;
}

/**
 * Scales that were literals in an environment's feature code when checkpoints recorded only the
 * named ones, with the literal's value: a checkpoint may leave these out. soc's `/ 8` and `/ 16`
 * became JOBS_SCALE and TASKS_SCALE (commit c769f94) after the first shipped soc policy recorded
 * {TIME_SCALE: 100}; it was trained with those very values, and so was any run of that time.
 */
const UNRECORDED_SCALES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  soc: { JOBS_SCALE: 8, TASKS_SCALE: 16 },
};

/**
 * Refuses a checkpoint whose features are not the environment's, naming the difference: another
 * environment (with the flag that selects it), other feature names, or a normalization constant
 * that is not the environment's (edited, unknown, or missing).
 */
export function checkCompatible(
  c: Checkpoint,
  file: string,
  envName: string,
  spec: ObservationSpec,
): void {
  if (c.env.name !== envName)
    throw new UsageError(
      `${file} (env.name): expected a ${envName} checkpoint, found ${c.env.name}`,
      findEnv(c.env.name) === undefined
        ? `this is a checkpoint of '${c.env.name}', an environment this version does not have`
        : `this is a ${c.env.name} checkpoint: add --env ${c.env.name}`,
    );
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(c.features.candidate, spec.candidateFeatures)) {
    throw new InputError(
      { file, field: 'features.candidate' },
      `expected the environment's features [${spec.candidateFeatures.join(', ')}]`,
    );
  }
  if (!same(c.features.global, spec.globalFeatures)) {
    throw new InputError(
      { file, field: 'features.global' },
      `expected the environment's features [${spec.globalFeatures.join(', ')}]`,
    );
  }
  const scales = findEnv(envName)?.features.scales;
  if (scales !== undefined) checkNormalization(c.features.normalization, scales, file, envName);
}

/**
 * The features a policy learned on are divided by these constants: one edited in the file, or
 * changed in the code since, would feed the network numbers on another scale without a word.
 */
function checkNormalization(
  recorded: Readonly<Record<string, number>>,
  scales: Readonly<Record<string, number>>,
  file: string,
  envName: string,
): void {
  const list = Object.entries(scales)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  for (const [k, v] of Object.entries(recorded)) {
    const field = `features.normalization.${k}`;
    if (!Object.hasOwn(scales, k))
      throw new InputError({ file, field }, `unknown constant; ${envName}'s are {${list}}`);
    if (v !== scales[k])
      throw new InputError(
        { file, field },
        `expected ${scales[k]} (${envName}'s ${k}), found ${v}: the policy would read its features on another scale`,
      );
  }
  const literals = UNRECORDED_SCALES[envName] ?? {};
  for (const k of Object.keys(scales))
    if (!Object.hasOwn(recorded, k) && literals[k] !== scales[k])
      throw new InputError(
        { file, field: `features.normalization.${k}` },
        `missing; expected ${scales[k]} (${envName}'s {${list}})`,
      );
}

export async function learnedPolicy(
  c: Checkpoint,
  label: string,
  options: {
    readonly sample: boolean;
    readonly seed: number;
    readonly backend: LearnerBackend;
    /** Threads scoring each decision's candidates (js backend); default: every core. */
    readonly threads?: number;
  },
  tfIn?: Tf,
): Promise<LearnedPolicy> {
  const rng = options.sample ? new Rng(options.seed) : null;
  if (options.backend === 'js' && tfIn === undefined) {
    // The JavaScript network scores the legal candidates only by construction, each decision's
    // rows split across `threads` threads (src/agents/scoring-pool.ts: the same numbers).
    const net = new JsScorer(c.architecture, c.weights);
    const pool = SIMD === null ? null : new ScoringPool(options.threads);
    return {
      name: label,
      act(batch, actions) {
        if (rng === null) jsGreedyActions(net, batch.obs, batch.numEnvs, pool, actions);
        else {
          const { logp } = jsPolicyOutputs(net, batch.obs, batch.numEnvs, pool);
          actions.set(choose(logp, batch.numEnvs, rng).actions);
        }
        return Promise.resolve();
      },
      dispose() {
        pool?.dispose();
      },
    };
  }
  const tf = tfIn ?? (await useTfBackend(options.backend === 'js' ? 'cpu' : options.backend));
  const net = new CandidateScorer(tf, c.architecture, c.weights);
  const compact = new LegalCandidates();
  return {
    name: label,
    async act(batch, actions) {
      const E = batch.numEnvs;
      const view = compact.gather(batch.obs, E);
      const { logp } = await policyOutputs(tf, net, () => ({
        cand: tf.tensor3d(view.cand, [E, view.width, view.features]),
        glob: tf.tensor2d(batch.obs.glob, [E, batch.obs.glob.length / E]),
        mask: tf.tensor2d(view.mask, [E, view.width]),
      }));
      const chosen = choose(logp, E, rng).actions;
      for (let e = 0; e < E; e++)
        actions[e] = chosen[e] < 0 ? -1 : view.index[e * view.width + chosen[e]];
    },
    dispose() {
      net.dispose();
    },
  };
}

/**
 * The legal candidates of an observation packed to the front of each copy's row, in their
 * order, the rows padded with masked slots to the largest legal count of the batch.
 *
 * The network's cost per decision is linear in the candidates it scores (three tanh layers of
 * H per candidate dominate it), and scoring every padded slot made an episode cost decisions x K
 * whatever the legal set: in the job shop's Giffler-Thompson modes only one machine's
 * operations are legal (500x50 conflict: 46 s -> 8 s), in active mode every unfinished job is,
 * so there only the finished jobs are saved. Packing gives the same figures bit for
 * bit: the masked slots' encodings enter the pooled sum only multiplied by 0 (a sum that adds
 * exact zeros in order is unchanged), the masked logits are never chosen, their exp is exactly
 * 0 in the softmax's sum, and every legal candidate's row goes through the same kernels; the
 * order is kept, so greedy ties go to the same (first) candidate.
 */
class LegalCandidates {
  private cand = new Float32Array(0);
  private mask = new Float32Array(0);
  private index = new Int32Array(0);

  gather(
    obs: Observation,
    E: number,
  ): {
    cand: Float32Array;
    mask: Float32Array;
    index: Int32Array;
    width: number;
    features: number;
  } {
    const K = obs.mask.length / E;
    const F = obs.cand.length / obs.mask.length;
    let width = 1;
    for (let e = 0; e < E; e++) {
      let n = 0;
      for (let k = e * K; k < (e + 1) * K; k++) n += obs.mask[k] === 1 ? 1 : 0;
      if (n > width) width = n;
    }
    // Buffers are reused across decisions and grow only; tensors are made from exact-size views.
    if (this.index.length < E * width) {
      this.cand = new Float32Array(E * K * F);
      this.mask = new Float32Array(E * K);
      this.index = new Int32Array(E * K);
    }
    const cand = this.cand.subarray(0, E * width * F);
    const mask = this.mask.subarray(0, E * width);
    const index = this.index.subarray(0, E * width);
    cand.fill(0);
    mask.fill(0);
    index.fill(-1);
    for (let e = 0; e < E; e++) {
      let n = e * width;
      for (let k = 0; k < K; k++) {
        const src = e * K + k;
        if (obs.mask[src] !== 1) continue;
        cand.set(obs.cand.subarray(src * F, (src + 1) * F), n * F);
        mask[n] = 1;
        index[n] = k;
        n++;
      }
    }
    return { cand, mask, index, width, features: F };
  }
}
