/**
 * The skyline memory-mapping environment's registry entry. It plays envs/memmap's traces, suites
 * and training pool (one problem, another decision), so most of what it offers is imported.
 */

import { UsageError } from '../../src/core/errors.js';
import type { EnvEntry, EnvOptions, OptionSpec, OptionValues } from '../../src/core/registry.js';
import {
  finished,
  fitExtras,
  memmapTraining,
  placementView,
  readOptions,
} from '../memmap/entry.js';
import {
  DISTRIBUTION_OPTIONS,
  EVALUATION_OPTIONS,
  SUITES,
  SUITE_SYNTAX,
  TRAINING_OPTIONS,
  memmapSuite,
  readTrainingOptions,
  replicate,
  trainingConfig,
} from '../memmap/suites.js';
import type { MemmapConfig } from '../memmap/types.js';
import { validatePlacement } from '../memmap/validate.js';
import { BASELINES, baselineConfig, baselinePolicy, isBaseline } from './baselines.js';
import { COST, SkylineEnv } from './env.js';
import { FEATURES } from './features.js';
import { SkylineGpuEnv } from './gpu.js';

/** envs/memmap's flags without `objective` (fit only), `order` and `candidates` said anew. */
function skylineFlags(
  flags: Readonly<Record<string, OptionSpec>>,
): Readonly<Record<string, OptionSpec>> {
  const rest = Object.fromEntries(Object.entries(flags).filter(([name]) => name !== 'objective'));
  return {
    ...rest,
    order: {
      ...DISTRIBUTION_OPTIONS.order,
      description:
        'how ties between buffers that land equally low are broken, and the candidates listed: start, size, duration, given, mixed (each trace in the size, duration and start orders)',
    },
    candidates: {
      ...DISTRIBUTION_OPTIONS.candidates,
      description: "K: the K unplaced buffers that land lowest are a decision's candidates",
    },
  };
}

function refuseObjective(values: OptionValues): void {
  if (values.objective !== undefined && values.objective !== 'fit')
    throw new UsageError(
      `memmap-skyline: --objective must be fit (got '${String(values.objective)}'); the capacity objective is envs/memmap's`,
    );
}

function parseOptions(values: OptionValues): EnvOptions {
  refuseObjective(values);
  const d = readTrainingOptions(values);
  return {
    order: d.order,
    candidates: d.candidates,
    family: d.family,
    buffers: d.buffers,
    pool: d.pool,
  };
}

export const memmapSkyline: EnvEntry<MemmapConfig, SkylineEnv, SkylineGpuEnv> = {
  name: 'memmap-skyline',
  summary:
    'memory mapping where the policy picks which buffer goes next, each landing on the buffers below (minimalloc traces), skyline baselines',
  metric: { ...COST, unit: 'bytes of peak' },

  options: skylineFlags(TRAINING_OPTIONS),
  parseOptions,
  config: (options, numEnvs) => trainingConfig(readOptions(options), numEnvs),
  create: {
    cpu: (config) => new SkylineEnv(config),
    webgpu: (config, gpu) => SkylineGpuEnv.create(config, gpu),
  },

  baselines: {
    names: BASELINES,
    teachers: BASELINES,
    policy(name) {
      if (!isBaseline(name)) throw new UsageError(`unknown memmap-skyline baseline '${name}'`);
      return baselinePolicy(name);
    },
    // Each heuristic breaks ties in its own order and needs only the lowest candidate.
    config: baselineConfig,
  },

  evaluation: {
    options: skylineFlags(EVALUATION_OPTIONS),
    suites: SUITES,
    suiteSyntax: SUITE_SYNTAX,
    suite(name, values) {
      refuseObjective(values);
      return memmapSuite(name, values);
    },
    replicate,
    validate(env, config, e, metric) {
      const { trace, placement } = finished(env, config, e);
      return validatePlacement(trace, placement, 'fit', metric);
    },
    extras(env, config, e): Record<string, number> {
      const { trace, placement } = finished(env, config, e);
      return fitExtras(trace, placement);
    },
  },

  view: placementView,

  features: FEATURES,

  // Rewards are bytes of peak growth, as in envs/memmap's fit mode.
  training: memmapTraining,

  bench: {
    options: {},
    defaultBatches: { cpu: '1,64,256', webgpu: '64,256,1024,4096' },
    cases(values) {
      const sizes = (typeof values.buffers === 'string' ? values.buffers : '120').split(',');
      return sizes.map((b) => {
        const options = parseOptions({ ...values, buffers: b.trim() });
        return {
          label: `${String(options.buffers)} buffers, K=${String(options.candidates)}`,
          options,
        };
      });
    },
  },
};
