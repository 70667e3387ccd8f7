/**
 * The job-shop environment's registry entry: what is specific to the problem, for the shared
 * commands, the trainer and the conformance suite.
 */

import { UsageError } from '../../src/core/errors.js';
import { choiceOption, parseSize, stringOption } from '../../src/core/options.js';
import type { EnvEntry, EnvOptions, OptionValues } from '../../src/core/registry.js';
import { JobShopEnv, MAKESPAN, jobShopConfig } from './env.js';
import { FEATURES, TIME_SCALE } from './features.js';
import { randomSource } from './generator.js';
import { JobShopGpuEnv } from './gpu.js';
import { RULE_NAMES, isRuleName, rulePolicy } from './rules.js';
import {
  POOL_PER_SIZE,
  SUITES,
  SUITE_SYNTAX,
  jobshopSuite,
  mixedTrainingConfig,
  replicate,
  validationConfig,
  type Size,
} from './suites.js';
import { SCHEDULE_MODES, type JobShopConfig, type ScheduleMode } from './types.js';
import { describeIssue, validateSchedule } from './validate.js';
import { renderGantt } from './viewer.js';

interface Options {
  /** One size: random instances drawn by each copy; several: a mixed pool (mixedTrainingConfig). */
  readonly sizes: readonly Size[];
  readonly mode: ScheduleMode;
  /** The sizes of the validation instances: `--eval-size`, else the training sizes. */
  readonly evalSizes: readonly Size[];
}

/** A comma list of sizes: empty items skipped, a repeated size kept once (as instance selections are). */
function readSizes(text: string, flag: string): Size[] {
  const words = text
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
  if (words.length === 0) throw new UsageError(`--${flag}: expected sizes like 15x15, got ''`);
  return [
    ...new Map(
      words.map((word) => parseSize(word, flag)).map((x) => [sizeName(x), x] as const),
    ).values(),
  ];
}

/** The recorded options of a run or a checkpoint, checked again (a checkpoint may be edited). */
function readOptions(options: EnvOptions): Options {
  const sizes = readSizes(String(options.size ?? '6x6'), 'size');
  const mode = choiceOption(
    { mode: String(options.mode ?? 'active') },
    'mode',
    SCHEDULE_MODES,
    'active',
  );
  const evalSize = options['eval-size'];
  const evalSizes = evalSize === undefined ? sizes : readSizes(String(evalSize), 'eval-size');
  return { sizes, mode, evalSizes };
}

function sizeName(size: Size): string {
  return `${size.jobs}x${size.machines}`;
}

function parseOptions(values: OptionValues): EnvOptions {
  const options: Record<string, string> = {
    size: stringOption(values, 'size', '6x6'),
    mode: stringOption(values, 'mode', 'active'),
  };
  if (values['eval-size'] !== undefined)
    options['eval-size'] = stringOption(values, 'eval-size', '');
  // Recorded as read (' 6x6, 10X5,' as '6x6,10x5'): run folders and checkpoints name it. The
  // validation sizes are recorded only where given, so a run without them records what it did.
  const read = readOptions(options);
  return {
    ...options,
    size: read.sizes.map(sizeName).join(','),
    ...(options['eval-size'] === undefined
      ? {}
      : { 'eval-size': read.evalSizes.map(sizeName).join(',') }),
  };
}

const BENCH_SIZES = { cpu: '15x15,30x20,100x20', webgpu: '15x15' } as const;

export const jobshop: EnvEntry<JobShopConfig, JobShopEnv, JobShopGpuEnv> = {
  name: 'jobshop',
  summary: 'job-shop scheduling (Taillard, Lawrence, ...), dispatching-rule baselines',
  metric: { ...MAKESPAN, unit: 'time units' },

  options: {
    size: {
      type: 'string',
      description: `size JxM of the random instances; a comma list trains on a pool of ${POOL_PER_SIZE} instances of each (bench: a case each, default ${BENCH_SIZES.cpu}; with webgpu ${BENCH_SIZES.webgpu})`,
      default: '6x6',
    },
    mode: {
      type: 'string',
      description: `schedule generation: ${SCHEDULE_MODES.join(', ')}`,
      default: 'active',
    },
    'eval-size': {
      type: 'string',
      description:
        'train: sizes JxM of the validation instances best.json is chosen on (random instances of their own seed, never Taillard; default: --size)',
    },
  },
  parseOptions,
  config(options, numEnvs) {
    const { sizes, mode } = readOptions(options);
    if (sizes.length > 1) return mixedTrainingConfig(sizes, mode, numEnvs);
    const { jobs, machines } = sizes[0];
    return jobShopConfig({ numEnvs, source: randomSource(jobs, machines), mode });
  },
  create: {
    cpu: (config) => new JobShopEnv(config),
    webgpu: (config, gpu) => JobShopGpuEnv.create(config, gpu),
  },

  baselines: {
    names: RULE_NAMES,
    teachers: [],
    policy(name, seed) {
      if (!isRuleName(name)) throw new UsageError(`unknown jobshop rule '${name}'`);
      return rulePolicy(name, seed);
    },
  },

  evaluation: {
    options: {
      mode: {
        type: 'string',
        description: 'schedule generation: active, conflict (Giffler-Thompson), nondelay, or all',
        default: 'active',
      },
    },
    suites: SUITES,
    suiteSyntax: SUITE_SYNTAX,
    suite: (name, values) => jobshopSuite(name, values),
    replicate,
    validate(env, config, e, makespan) {
      if (config.source.kind !== 'fixed') return null;
      const { instanceIndex, schedule } = env.finalSchedule(e);
      const issues = validateSchedule(config.source.instances[instanceIndex], schedule, makespan);
      return issues.map(describeIssue);
    },
  },

  view: {
    // The final schedule is in the state (finalStart), so a kernel's readback has it too.
    backends: ['cpu', 'webgpu'],
    draw(env, config, e, title) {
      if (config.source.kind !== 'fixed')
        throw new Error('jobshop: only episodes of fixed instances can be drawn');
      const { instanceIndex, schedule } = env.finalSchedule(e);
      const instance = config.source.instances[instanceIndex];
      const makespan = Math.max(0, ...schedule.end.flat());
      return renderGantt(instance, schedule, { title: `${title}, makespan ${makespan}` });
    },
  },

  features: FEATURES,

  training: {
    // Dense rewards are increases of the makespan bound in time units (Taillard durations 1..99).
    rewardScale: 1 / TIME_SCALE,
    validation(options, count) {
      const { evalSizes, mode } = readOptions(options);
      if (count < evalSizes.length)
        throw new UsageError(
          `--eval-instances ${count} is fewer than the ${evalSizes.length} validation sizes (--eval-size, else --size): every size needs a validation instance`,
        );
      return { config: validationConfig(evalSizes, mode, count), seed: 0 };
    },
    // A mean makespan over several sizes is the largest size's: a run validated on mixed sizes
    // ranks its validations by the mean ratio to the best rule per instance instead, in which
    // every instance counts the same. One size keeps the mean makespan (and its runs' best.json).
    selection(options) {
      if (readOptions(options).evalSizes.length < 2) return undefined;
      return {
        summary:
          "the mean over validation instances of makespan / the best rule's makespan there (lower is better; every size counts alike)",
        score: (policy) => -policy.reference_ratio,
      };
    },
  },

  bench: {
    options: {},
    defaultBatches: { cpu: '1,64,1024', webgpu: '64,256,1024,4096,16384,65536' },
    cases(values, backend) {
      // A case per size (a list here is not a mixed pool).
      const { sizes } = readOptions({ size: stringOption(values, 'size', BENCH_SIZES[backend]) });
      return sizes.map((size) => {
        const options = parseOptions({ ...values, size: sizeName(size) });
        return { label: `${String(options.size)} ${String(options.mode)}`, options };
      });
    },
  },
};
