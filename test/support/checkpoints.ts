import { initialParameters, type Architecture } from '../../src/agents/network.js';
import type { Checkpoint } from '../../src/train/checkpoint.js';
import { CANDIDATE_FEATURES, FEATURES, GLOBAL_FEATURES } from '../../envs/jobshop/features.js';
import * as soc from '../../envs/soc/features.js';

/** A job-shop checkpoint with freshly initialized weights (see randomCheckpoint). */
export function jobshopCheckpoint(seed = 7, hidden = 16): Checkpoint {
  return randomCheckpoint(
    { name: 'jobshop', options: { size: '6x6', mode: 'active' } },
    CANDIDATE_FEATURES,
    GLOBAL_FEATURES,
    seed,
    hidden,
    FEATURES.scales,
  );
}

/** A checkpoint for SoC job streams with freshly initialized weights (see randomCheckpoint). */
export function socCheckpoint(seed = 7, hidden = 16): Checkpoint {
  return randomCheckpoint(
    { name: 'soc', options: { gap: 50, noise: 0.3 } },
    soc.CANDIDATE_FEATURES,
    soc.GLOBAL_FEATURES,
    seed,
    hidden,
    soc.FEATURES.scales,
  );
}

/**
 * A checkpoint with freshly initialized weights, the policy head scaled up so that decisions are
 * far from uniform (an untrained head scores every candidate nearly alike).
 */
export function randomCheckpoint(
  env: Checkpoint['env'],
  candidate: readonly string[],
  global: readonly string[],
  seed: number,
  hidden: number,
  normalization: Readonly<Record<string, number>> = { TIME_SCALE: 100 },
): Checkpoint {
  const architecture: Architecture = {
    type: 'candidate-scorer',
    candidateFeatures: candidate.length,
    globalFeatures: global.length,
    hidden,
  };
  const weights = initialParameters(architecture, seed);
  weights.set(
    'wo',
    weights.get('wo')!.map((w) => w * 300),
  );
  return {
    env,
    features: {
      candidate,
      global,
      normalization,
    },
    architecture,
    weights,
    optimizer: null,
    training: {
      algo: 'ppo',
      seed,
      steps: 0,
      updates: 0,
      wallSeconds: 0,
      hyperparameters: {},
      evaluation: null,
      toolkitVersion: 'test',
      machine: {},
    },
  };
}
