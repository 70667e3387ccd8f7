/**
 * The SoC job-stream environment's registry entry: what is specific to the problem, for the
 * shared commands, the trainer and the conformance suite.
 */

import { UsageError } from '../../src/core/errors.js';
import type { EnvEntry } from '../../src/core/registry.js';
import { SOC_BASELINES, socBaseline, type SocBaseline } from './baselines.js';
import { MAX_CANDIDATES, MEAN_LATENCY, SocEnv, type FinishedJob, type SocConfig } from './env.js';
import { FEATURES } from './features.js';
import { SocGpuEnv } from './gpu.js';
import {
  GRID_OPTIONS,
  SUITES,
  VALIDATION_SEED,
  gridSuite,
  parseStreamOptions,
  readStreamOptions,
  streamConfig,
} from './streams.js';
import { validateStream } from './validate.js';
import { renderSocGantt } from './viewer.js';

function isBaseline(name: string): name is SocBaseline {
  return (SOC_BASELINES as readonly string[]).includes(name);
}

/** The finished episode of copy e as the CPU reference recorded it; null where nothing was. */
function finished(
  env: SocEnv | SocGpuEnv,
  config: SocConfig,
  e: number,
): SocEnv['finishedJobs'][number] | null {
  return env instanceof SocEnv && (config.recordSchedules ?? true) ? env.finishedJobs[e] : null;
}

/**
 * Problems with copy e's recorded episode: every schedule valid (validateStream), every job of
 * the episode there, and the reported mean latency the one the records give.
 */
function validateEpisode(
  jobs: readonly FinishedJob[],
  config: SocConfig,
  metric: number,
): string[] {
  const issues = validateStream(config.jobs, config.platform, jobs);
  if (jobs.length !== config.jobsPerEpisode)
    issues.push(`${jobs.length} jobs finished, expected ${config.jobsPerEpisode}`);
  const latency =
    jobs.reduce(
      (sum, job) => sum + Math.max(job.arrival, ...job.schedule.finish) - job.arrival,
      0,
    ) / config.jobsPerEpisode;
  if (!(Math.abs(latency - metric) <= 1e-6 * Math.max(1, latency)))
    issues.push(`reported mean latency ${metric}, the recorded schedules give ${latency}`);
  return issues;
}

export const soc: EnvEntry<SocConfig, SocEnv, SocGpuEnv> = {
  name: 'soc',
  summary: 'DAG jobs streaming onto a heterogeneous SoC (DS3 workloads), HEFT-family baselines',
  metric: { ...MEAN_LATENCY, unit: 'us' },

  options: {
    soc: GRID_OPTIONS.soc,
    jobs: GRID_OPTIONS.jobs,
    gap: {
      type: 'string',
      description: 'mean inter-arrival time (us); a comma list mixes loads, one per episode',
      default: '50',
    },
    noise: {
      type: 'string',
      description:
        'execution-time noise (relative std); a comma list mixes levels, one per episode',
      default: '0.3',
    },
    'jobs-per-episode': GRID_OPTIONS['jobs-per-episode'],
  },
  parseOptions: parseStreamOptions,
  // Training and benchmarks never validate, so they keep no schedules.
  config: (options, numEnvs) => ({
    ...streamConfig(readStreamOptions(options), numEnvs),
    recordSchedules: false,
  }),
  create: {
    cpu: (config) => new SocEnv(config),
    webgpu: (config, gpu) => SocGpuEnv.create(config, gpu),
  },

  baselines: {
    names: SOC_BASELINES,
    teachers: SOC_BASELINES.filter((b) => b !== 'random'),
    policy(name, seed) {
      if (!isBaseline(name)) throw new UsageError(`unknown soc baseline '${name}'`);
      return socBaseline(name, seed);
    },
    // The heuristics see every ready pair; a policy its top K.
    config: (config) => ({ ...config, maxCandidates: MAX_CANDIDATES }),
  },

  evaluation: {
    options: GRID_OPTIONS,
    suites: SUITES,
    suite: gridSuite,
    validate(env, config, e, metric) {
      const jobs = finished(env, config, e);
      return jobs === null ? null : validateEpisode(jobs, config, metric);
    },
    extras(env, config, e): Record<string, number> {
      const jobs = finished(env, config, e);
      if (jobs === null) return {};
      // Throughput: the episode's jobs over the time from its first arrival (0) to its last
      // completion; every task taking no time at all would make an episode instantaneous.
      const end = Math.max(...jobs.flatMap((job) => job.schedule.finish));
      return { 'completed jobs per ms': end > 0 ? (jobs.length / end) * 1000 : Infinity };
    },
  },

  view: {
    // Finished jobs are recorded by the CPU reference only (host arrays, not kernel state).
    backends: ['cpu'],
    draw(env, config, e, title) {
      const jobs = finished(env, config, e);
      if (jobs === null) throw new Error('soc: only the CPU reference records schedules to draw');
      return renderSocGantt(jobs, config.platform, {
        title,
        templateNames: config.jobs.map((j) => j.name),
      });
    },
  },

  features: FEATURES,

  training: {
    // Rewards are latency integrals in units of 100 us; a 30-job episode sums to a few hundred.
    rewardScale: 0.1,
    validation: (options, count) => ({
      config: streamConfig(readStreamOptions(options), count),
      seed: VALIDATION_SEED,
    }),
  },

  bench: {
    options: {},
    defaultBatches: { cpu: '1,64,1024', webgpu: '64,1024,4096,8192' },
    cases(values) {
      const options = parseStreamOptions(values);
      return [{ label: `gap ${options.gap} us, noise ${options.noise}`, options }];
    },
  },
};
