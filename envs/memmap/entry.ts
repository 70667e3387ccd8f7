/**
 * The memory-mapping environment's registry entry: what is specific to the problem, for the
 * shared commands, the trainer and the conformance suite.
 */

import { UsageError } from '../../src/core/errors.js';
import type { EnvEntry, EnvOptions, OptionValues } from '../../src/core/registry.js';
import { BASELINES, baselineConfig, baselinePolicy, isBaseline } from './baselines.js';
import { COST, MemmapEnv, type Placement } from './env.js';
import { FEATURES } from './features.js';
import { MemmapGpuEnv } from './gpu.js';
import {
  EVALUATION_OPTIONS,
  SUITES,
  SUITE_SYNTAX,
  TRAINING_OPTIONS,
  memmapSuite,
  readTrainingOptions,
  replicate,
  trainingConfig,
  validationConfig,
} from './suites.js';
import { REWARD_UNIT } from './table.js';
import type { MemmapConfig, Trace } from './types.js';
import { peakOf, placedBenefit, validatePlacement } from './validate.js';
import { renderPlacement } from './viewer.js';

function parseOptions(values: OptionValues): EnvOptions {
  const d = readTrainingOptions(values);
  return {
    objective: d.objective,
    order: d.order,
    candidates: d.candidates,
    family: d.family,
    buffers: d.buffers,
    pool: d.pool,
  };
}

/**
 * The recorded options of a run or a checkpoint, checked again (a checkpoint may be edited).
 * envs/memmap-skyline's entry reads its options with it too.
 */
export function readOptions(options: EnvOptions) {
  return readTrainingOptions(
    Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)])),
  );
}

/** A batch of either memory-mapping environment, which keeps each copy's last placement. */
interface PlacementBatch {
  finalPlacement(e: number): { traceIndex: number; placement: Placement };
}

/** Copy e's last finished trace and placement. */
export function finished(
  env: PlacementBatch,
  config: MemmapConfig,
  e: number,
): { trace: Trace; placement: Placement } {
  const { traceIndex, placement } = env.finalPlacement(e);
  return { trace: config.traces[traceIndex], placement };
}

/** A fit-mode episode's figures beside its peak. */
export function fitExtras(trace: Trace, placement: Placement): Record<string, number> {
  const peak = peakOf(trace, placement);
  return {
    'peak / capacity': peak / trace.capacity,
    'over capacity (bytes)': Math.max(0, peak - trace.capacity),
  };
}

/** Both memory-mapping environments draw a placement the same way. */
export const placementView = {
  // The final offsets are in the state (finalOffset), so a kernel's readback has them too.
  backends: ['cpu', 'webgpu'] as const,
  draw(env: PlacementBatch, config: MemmapConfig, e: number, title: string): string {
    const { trace, placement } = finished(env, config, e);
    return renderPlacement(trace, placement, { title });
  },
};

/** Training of both memory-mapping environments: their rewards and validation traces. */
export const memmapTraining = {
  // Fit-mode rewards are bytes of peak growth; capacity-mode spills are shares of REWARD_UNIT.
  rewardScale: 1 / REWARD_UNIT,
  validation: (options: EnvOptions, count: number) => ({
    config: validationConfig(readOptions(options), count),
    seed: 0,
  }),
};

const BENCH_BUFFERS = '120';

export const memmap: EnvEntry<MemmapConfig, MemmapEnv, MemmapGpuEnv> = {
  name: 'memmap',
  summary:
    'memory mapping of ML compiler buffers (minimalloc traces, ML-like traces), XLA best-fit baselines',
  metric: { ...COST, unit: 'bytes of peak (fit) / benefit spilled (capacity)' },

  options: TRAINING_OPTIONS,
  parseOptions,
  config: (options, numEnvs) => trainingConfig(readOptions(options), numEnvs),
  create: {
    cpu: (config) => new MemmapEnv(config),
    webgpu: (config, gpu) => MemmapGpuEnv.create(config, gpu),
  },

  baselines: {
    names: BASELINES,
    teachers: BASELINES,
    policy(name) {
      if (!isBaseline(name)) throw new UsageError(`unknown memmap baseline '${name}'`);
      return baselinePolicy(name);
    },
    // Each heuristic decides in its own order and sees every feasible offset.
    config: baselineConfig,
  },

  evaluation: {
    options: EVALUATION_OPTIONS,
    suites: SUITES,
    suiteSyntax: SUITE_SYNTAX,
    suite: memmapSuite,
    replicate,
    validate(env, config, e, metric) {
      const { trace, placement } = finished(env, config, e);
      return validatePlacement(trace, placement, config.objective, metric);
    },
    extras(env, config, e): Record<string, number> {
      const { trace, placement } = finished(env, config, e);
      if (config.objective === 'fit') return fitExtras(trace, placement);
      const total = trace.buffers.reduce((s, b) => s + b.benefit, 0);
      const placed = placedBenefit(trace, placement);
      return {
        'placed benefit': placed,
        'placed share': total > 0 ? placed / total : 1,
        'spilled buffers': placement.filter((o) => o === null).length,
      };
    },
  },

  view: placementView,

  features: FEATURES,

  training: memmapTraining,

  bench: {
    options: {},
    defaultBatches: { cpu: '1,64,256', webgpu: '64,256,1024,4096' },
    cases(values) {
      const sizes = (typeof values.buffers === 'string' ? values.buffers : BENCH_BUFFERS).split(
        ',',
      );
      return sizes.map((b) => {
        const options = parseOptions({ ...values, buffers: b.trim() });
        return {
          label: `${String(options.buffers)} buffers, ${String(options.objective)}, K=${String(options.candidates)}`,
          options,
        };
      });
    },
  },
};
