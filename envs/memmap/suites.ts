/**
 * What memory mapping is evaluated and trained on: the bundled minimalloc traces, a user's trace
 * files, and ML-like generated traces, each from a seed of its own (training pool, validation,
 * the `ml` suite), so that no evaluation trace is ever trained on.
 */

import { UsageError } from '../../src/core/errors.js';
import { choiceOption, integerOption } from '../../src/core/options.js';
import type { OptionSpec, OptionValues, Suite, SuiteCell } from '../../src/core/registry.js';
import { MAX_OFFSETS, memmapConfig } from './env.js';
import { DEFAULT_BUFFERS, generateTraces } from './generator.js';
import { generateTilings } from './tilings.js';
import { MAX_VALUE, bundledTraces, findTrace, liveBytesBound } from './traces.js';
import {
  CONFIG_ORDERS,
  OBJECTIVES,
  type ConfigOrder,
  type MemmapConfig,
  type Objective,
  type Trace,
} from './types.js';

/** Seeds of the generated trace sets: training pool, validation, the `ml` suite. */
export const TRAIN_SEED = 1;
export const VALIDATION_SEED = 2;
export const ML_SUITE_SEED = 3;

export const SUITES = {
  challenging: "minimalloc's 11 challenging traces A-K at capacity 1048576",
  examples: "minimalloc's example trace (5 buffers, capacity 12)",
  ml: 'ML-like generated traces (--ml-traces of --ml-buffers buffers; a seed never trained on)',
  tilings:
    'perfect tilings of the capacity (--tiling-traces of --tiling-buffers buffers; a seed never trained on)',
} as const;

/** The generators a training pool can be drawn from. */
export const FAMILIES = ['ml', 'tilings'] as const;
export type Family = (typeof FAMILIES)[number];

/** `count` generated traces of `family` from stream `seed`. */
export function generated(family: Family, seed: number, count: number, buffers: number): Trace[] {
  return family === 'tilings'
    ? generateTilings(seed, count, { buffers })
    : generateTraces(seed, count, { buffers });
}

export const SUITE_SYNTAX =
  'a comma list of bundled trace names (A,B,input) or trace files NAME.CAPACITY.csv (or give --capacity)';

/** The flags of the training distribution, shared by train, bench and eval. */
export const DISTRIBUTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  objective: {
    type: 'string',
    description: `${OBJECTIVES.join(' or ')}: place everything, minimize the peak / hard capacity, spill, maximize the benefit placed`,
    default: 'fit',
  },
  order: {
    type: 'string',
    description: `decision order of the buffers: ${CONFIG_ORDERS.join(', ')} (mixed: every trace in the size, duration and start orders)`,
    default: 'start',
  },
  candidates: {
    type: 'string',
    description: "K: the lowest K feasible offsets are a decision's candidates",
    default: '16',
  },
};

export const TRAINING_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...DISTRIBUTION_OPTIONS,
  family: {
    type: 'string',
    description: `generator of the training pool and validation traces: ${FAMILIES.join(' or ')} (envs/memmap/generator.ts, tilings.ts)`,
    default: 'ml',
  },
  buffers: {
    type: 'string',
    description: 'buffers per generated training trace',
    default: String(DEFAULT_BUFFERS),
  },
  pool: {
    type: 'string',
    description: 'generated traces in the training pool (each episode draws one)',
    default: '256',
  },
};

export const EVALUATION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  ...DISTRIBUTION_OPTIONS,
  capacity: {
    type: 'string',
    description:
      "bytes of fast memory for every trace of the suite (default: a file's from its name NAME.CAPACITY.csv, a bundled trace's own)",
  },
  'ml-traces': { type: 'string', description: 'traces of the ml suite', default: '32' },
  'ml-buffers': {
    type: 'string',
    description: 'buffers per trace of the ml suite',
    default: String(DEFAULT_BUFFERS),
  },
  'tiling-traces': { type: 'string', description: 'traces of the tilings suite', default: '32' },
  'tiling-buffers': {
    type: 'string',
    description: 'buffers per trace of the tilings suite',
    default: '300',
  },
};

export interface Distribution {
  readonly objective: Objective;
  readonly order: ConfigOrder;
  readonly candidates: number;
}

export function readDistribution(values: OptionValues): Distribution {
  return {
    objective: choiceOption(values, 'objective', OBJECTIVES, 'fit'),
    order: choiceOption(values, 'order', CONFIG_ORDERS, 'start'),
    candidates: integerOption(values, 'candidates', 16, 1, MAX_OFFSETS),
  };
}

/** Cells and the one batch (a copy per trace) of a list of traces. */
function traceSuite(
  name: string,
  group: (t: Trace) => string,
  traces: readonly Trace[],
  dist: Distribution,
  bestKnown: (t: Trace) => number | undefined,
): Suite<MemmapConfig> {
  const cells: SuiteCell[] = traces.map((t) => {
    const best = dist.objective === 'fit' ? bestKnown(t) : undefined;
    return {
      name: t.name,
      group: group(t),
      info: {
        buffers: t.buffers.length,
        capacity: t.capacity,
        'lower bound': liveBytesBound(t.buffers),
      },
      ...(best !== undefined ? { bestKnown: best } : {}),
    };
  });
  if (new Set(cells.map((c) => c.name)).size !== cells.length)
    throw new UsageError(`memmap: suite ${name} names a trace twice`);
  const config = memmapConfig({ numEnvs: traces.length, traces, ...dist });
  return {
    name: `${name}, ${dist.objective} mode`,
    cells,
    batches: [
      {
        config,
        cells: traces.map((_, i) => i),
        steps: Math.max(...traces.map((t) => t.buffers.length)),
      },
    ],
    xLabel: 'trace',
  };
}

export function mlTraces(count: number, buffers: number, seed = ML_SUITE_SEED): Trace[] {
  return generateTraces(seed, count, { buffers });
}

export function memmapSuite(name: string, values: OptionValues): Suite<MemmapConfig> {
  const dist = readDistribution(values);
  const capacity =
    values.capacity === undefined ? undefined : integerOption(values, 'capacity', 1, 1, MAX_VALUE);
  const at = (traces: Trace[]): Trace[] =>
    capacity === undefined ? traces : traces.map((t) => ({ ...t, capacity }));
  // minimalloc fits every bundled trace within its own capacity: that capacity is a known peak.
  const capacityFits = (t: Trace): number | undefined =>
    capacity === undefined ? t.capacity : undefined;
  if (name === 'challenging' || name === 'examples')
    return traceSuite(name, () => name, at(bundledTraces(name)), dist, capacityFits);
  if (name === 'tilings') {
    const count = integerOption(values, 'tiling-traces', 32, 1, 4096);
    const buffers = integerOption(values, 'tiling-buffers', 300, 1, 1000);
    const traces = generateTilings(ML_SUITE_SEED, count, { buffers });
    // A tiling fits its capacity exactly: the rectangles' own positions.
    return traceSuite('tilings', () => `tilings ${buffers}`, at(traces), dist, capacityFits);
  }
  if (name === 'ml') {
    const count = integerOption(values, 'ml-traces', 32, 1, 4096);
    const buffers = integerOption(values, 'ml-buffers', DEFAULT_BUFFERS, 4, 4096);
    return traceSuite(
      'ml',
      () => `ml ${buffers}`,
      at(mlTraces(count, buffers)),
      dist,
      () => undefined,
    );
  }
  const words = name
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  if (words.length === 0) throw new UsageError('memmap: an empty trace list');
  const traces = words.map((w) => findTrace(w, capacity));
  const group = (t: Trace): string => (words.some((w) => w.endsWith('.csv')) ? 'traces' : t.name);
  return traceSuite(name, group, traces, dist, () => undefined);
}

/** Copy i's trace `samples` times in a row, so that copies i*K..i*K+K-1 replay it. */
export function replicate(config: MemmapConfig, samples: number): MemmapConfig {
  if (config.pick !== 'sequence')
    throw new Error('memmap: only a sequence of traces can be replayed for best-of-K sampling');
  const traces = Array.from(
    { length: config.numEnvs },
    (_, e) => config.traces[e % config.traces.length],
  );
  const many = traces.flatMap((t) => Array.from({ length: samples }, () => t));
  return { ...config, numEnvs: many.length, traces: many };
}

export interface TrainingDistribution extends Distribution {
  readonly family: Family;
  readonly buffers: number;
  readonly pool: number;
}

export function readTrainingOptions(values: OptionValues): TrainingDistribution {
  return {
    ...readDistribution(values),
    family: choiceOption(values, 'family', FAMILIES, 'ml'),
    buffers: integerOption(values, 'buffers', DEFAULT_BUFFERS, 4, 4096),
    pool: integerOption(values, 'pool', 256, 1, 65536),
  };
}

/** `numEnvs` copies, each episode a trace drawn from the generated training pool. */
export function trainingConfig(d: TrainingDistribution, numEnvs: number): MemmapConfig {
  const traces = generated(d.family, TRAIN_SEED, d.pool, d.buffers);
  return memmapConfig({
    numEnvs,
    traces,
    pick: 'stream',
    objective: d.objective,
    order: d.order,
    candidates: d.candidates,
  });
}

/** `count` generated traces from the validation seed, one per copy. */
export function validationConfig(d: TrainingDistribution, count: number): MemmapConfig {
  const traces = generated(d.family, VALIDATION_SEED, count, d.buffers);
  return memmapConfig({
    numEnvs: count,
    traces,
    objective: d.objective,
    order: d.order,
    candidates: d.candidates,
  });
}
