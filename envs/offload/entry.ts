/**
 * The edge/cloud offloading environment's registry entry: what is specific to the problem, for
 * the shared commands, the trainer and the conformance suite.
 */

import type { EnvEntry, ValidationFigures } from '../../src/core/registry.js';
import {
  OFFLOAD_BASELINES,
  OFFLOAD_STUDY_BASELINES,
  baselineConfig,
  offloadBaseline,
} from './baselines.js';
import { OffloadEnv, UTILITY_METRIC } from './env.js';
import { FEATURES } from './features.js';
import { OffloadGpuEnv } from './gpu.js';
import { episodeFigures, finishedTasks } from './records.js';
import {
  SCENARIO_OPTIONS,
  offloadConfig,
  readScenarioOptions,
  scenarioFromFlags,
  scenarioOptions,
} from './scenario.js';
import { GRID_OPTIONS, SUITES, VALIDATION_SEED, gridSuite } from './suites.js';
import type { OffloadConfig } from './types.js';
import { validateEpisode } from './validate.js';
import { renderOffloadGantt } from './viewer.js';

/**
 * best.json is the validation of highest QoS utility among those at least as good as the best
 * of the study's baselines (training.references) in both utility and completion rate; utility
 * alone favours policies that decline the cloud gambles a completion rate counts (docs/offload.md,
 * Results), and completion alone a barely trained policy that sends every task to the cloud.
 */
export const BOTH_FIGURES = {
  summary:
    "highest utility among validations at least as good as the best of the study's baselines in utility and completion rate",
  score(policy: ValidationFigures, baseline: ValidationFigures): number {
    const both =
      policy.metric >= baseline.metric && policy['completion %'] >= baseline['completion %'];
    // Any validation that matches the baseline on both ranks above every one that does not.
    return policy.metric - (both ? 0 : SHORTFALL_PENALTY);
  },
} as const;
const SHORTFALL_PENALTY = 1e6;

export const offload: EnvEntry<OffloadConfig, OffloadEnv, OffloadGpuEnv> = {
  name: 'offload',
  summary:
    'deadline-bound DNN inference from drone fleets on edge devices or the cloud (DEMS/GEMS)',
  metric: { ...UTILITY_METRIC, unit: 'QoS utility per task' },

  options: SCENARIO_OPTIONS,
  parseOptions: (values) => scenarioOptions(scenarioFromFlags(values)),
  config: (options, numEnvs) => offloadConfig(readScenarioOptions(options), numEnvs),
  create: {
    cpu: (config) => new OffloadEnv(config),
    webgpu: (config, gpu) => OffloadGpuEnv.create(config, gpu),
  },

  baselines: {
    names: OFFLOAD_BASELINES,
    teachers: ['dems-a', 'dems', 'edge-cloud'],
    policy: (name) => offloadBaseline(name),
    config: baselineConfig,
  },

  evaluation: {
    options: GRID_OPTIONS,
    suites: SUITES,
    suite: gridSuite,
    validate: (env, config, e, metric) =>
      validateEpisode(finishedTasks(env.state, config, e), config, metric),
    extras: (env, config, e) => episodeFigures(finishedTasks(env.state, config, e), config),
  },

  view: {
    backends: ['cpu', 'webgpu'],
    draw: (env, config, e, title) =>
      renderOffloadGantt(finishedTasks(env.state, config, e), config, title),
  },

  features: FEATURES,

  training: {
    // Utilities are benefits of up to 250 per task; an episode sums to thousands.
    rewardScale: 0.01,
    validation: (options, count) => ({
      config: offloadConfig(readScenarioOptions(options), count),
      seed: VALIDATION_SEED,
    }),
    references: OFFLOAD_STUDY_BASELINES,
    selection: () => BOTH_FIGURES,
  },

  bench: {
    options: {},
    defaultBatches: { cpu: '1,64,1024', webgpu: '64,1024,4096' },
    cases(values) {
      const options = scenarioOptions(scenarioFromFlags(values));
      return [
        { label: `${options.load}, ${options.edges} edges, ${options.drones} drones`, options },
      ];
    },
  },
};
