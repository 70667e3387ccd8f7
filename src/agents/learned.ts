/**
 * A trained policy from a checkpoint, acting on any batch with the checkpoint's observation
 * layout: greedy (the most probable legal candidate) or sampling (for best-of-K evaluation).
 */

import { Rng } from '../core/rng.js';
import { InputError } from '../core/errors.js';
import type { Observation, ObservationSpec } from '../core/vecenv.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { CandidateScorer } from './network.js';
import { decide } from './policy.js';
import { useTfBackend, type Tf, type TfBackendName } from './tfjs.js';

export interface LearnedPolicy {
  readonly name: string;
  act(
    batch: { readonly obs: Observation; readonly numEnvs: number },
    actions: Int32Array,
  ): Promise<void>;
  dispose(): void;
}

/** Refuses a checkpoint whose features are not the environment's, naming the difference. */
export function checkCompatible(
  c: Checkpoint,
  file: string,
  envName: string,
  spec: ObservationSpec,
): void {
  if (c.env.name !== envName)
    throw new InputError(
      { file, field: 'env.name' },
      `expected a ${envName} checkpoint, found ${c.env.name}`,
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
}

export async function learnedPolicy(
  c: Checkpoint,
  label: string,
  options: { readonly sample: boolean; readonly seed: number; readonly backend: TfBackendName },
  tfIn?: Tf,
): Promise<LearnedPolicy> {
  const tf = tfIn ?? (await useTfBackend(options.backend));
  const net = new CandidateScorer(tf, c.architecture, c.weights);
  const rng = options.sample ? new Rng(options.seed) : null;
  return {
    name: label,
    async act(batch, actions) {
      const d = await decide(tf, net, batch.obs, batch.numEnvs, rng);
      actions.set(d.actions);
    },
    dispose() {
      net.dispose();
    },
  };
}
