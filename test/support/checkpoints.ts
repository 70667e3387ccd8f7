import { initialParameters, type Architecture } from '../../src/agents/network.js';
import type { Checkpoint } from '../../src/train/checkpoint.js';
import { CANDIDATE_FEATURES, GLOBAL_FEATURES } from '../../envs/jobshop/features.js';

/**
 * A job-shop checkpoint with freshly initialized weights, the policy head scaled up so that
 * decisions are far from uniform (an untrained head scores every candidate nearly alike).
 */
export function jobshopCheckpoint(seed = 7, hidden = 16): Checkpoint {
  const architecture: Architecture = {
    type: 'candidate-scorer',
    candidateFeatures: CANDIDATE_FEATURES.length,
    globalFeatures: GLOBAL_FEATURES.length,
    hidden,
  };
  const weights = initialParameters(architecture, seed);
  weights.set(
    'wo',
    weights.get('wo')!.map((w) => w * 300),
  );
  return {
    env: { name: 'jobshop', options: { size: '6x6', mode: 'active' } },
    features: {
      candidate: CANDIDATE_FEATURES,
      global: GLOBAL_FEATURES,
      normalization: { TIME_SCALE: 100 },
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
