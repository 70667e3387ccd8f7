/** What the generic trainer (src/train) needs from SoC job streams, and the bench command. */

import {
  choiceOption,
  integerOption,
  listOption,
  numberOption,
  stringOption,
} from '../../src/core/options.js';
import type { OptionValues, TrainingAdapter, Validation } from '../../src/core/registry.js';
import type { Observation, Policy, VecEnv } from '../../src/core/vecenv.js';
import type { DeviceVecEnv } from '../../src/gpu/device-env.js';
import { SOC_BASELINES, socBaseline, type SocBaseline } from './baselines.js';
import { DS3_JOBS, type Ds3Job } from './ds3.js';
import { MAX_CANDIDATES, SocEnv } from './env.js';
import { SocGpuEnv } from './gpu.js';
import { DEFAULT_JOBS, meanLatency, streamConfig, type StreamOptions } from './evaluate.js';
import { FEATURES } from './features.js';

/** Validation streams come from a seed of their own, never from the training streams. */
const VALIDATION_SEED = 20_260_202;

function read(options: Readonly<Record<string, unknown>>): StreamOptions {
  const jobs = String(options.jobs ?? DEFAULT_JOBS.join(',')).split(',') as Ds3Job[];
  for (const j of jobs)
    if (!(DS3_JOBS as readonly string[]).includes(j))
      throw new RangeError(`soc: unknown DS3 job '${j}'`);
  return {
    soc: choiceOption(
      { soc: options.soc as string | undefined },
      'soc',
      ['ds3-16pe', 'ds3-16pe-2016'] as const,
      'ds3-16pe',
    ),
    jobs,
    meanInterArrival: Number(options.gap ?? 50),
    noise: Number(options.noise ?? 0.3),
    jobsPerEpisode: Number(options['jobs-per-episode'] ?? 30),
  };
}

export const socTraining: TrainingAdapter = {
  options: {
    soc: { type: 'string', description: 'ds3-16pe or ds3-16pe-2016', default: 'ds3-16pe' },
    jobs: {
      type: 'string',
      description: 'DS3 jobs in the training mix',
      default: DEFAULT_JOBS.join(','),
    },
    gap: {
      type: 'string',
      description: 'mean inter-arrival time (us) of training streams',
      default: '50',
    },
    noise: {
      type: 'string',
      description: 'execution-time noise of training streams',
      default: '0.3',
    },
    'jobs-per-episode': { type: 'string', description: 'jobs per training episode', default: '30' },
  },
  parse(values: OptionValues) {
    const o = {
      soc: stringOption(values, 'soc', 'ds3-16pe'),
      jobs: listOption(values, 'jobs', DEFAULT_JOBS.join(','), (w) => w).join(','),
      gap: numberOption(values, 'gap', 50, 1e-9),
      noise: numberOption(values, 'noise', 0.3, 0),
      'jobs-per-episode': integerOption(values, 'jobs-per-episode', 30, 1),
    };
    read(o);
    return o;
  },
  makeEnv(options, numEnvs) {
    return new SocEnv({ ...streamConfig(read(options), numEnvs), recordSchedules: false });
  },
  makeDeviceEnv(options, numEnvs, gpu): Promise<DeviceVecEnv> {
    return SocGpuEnv.create(streamConfig(read(options), numEnvs), gpu);
  },
  teachers: {
    names: SOC_BASELINES.filter((b) => b !== 'random'),
    policy: (name) => socBaseline(name as SocBaseline) as Policy<VecEnv>,
  },
  // Rewards are latency integrals in units of 100 us; a 30-job episode sums to a few hundred.
  rewardScale: 0.1,
  normalization: FEATURES.scales,
  features: FEATURES,
  async validation(options, count): Promise<Validation> {
    const config = streamConfig(read(options), count);
    // The heuristics see every ready pair; the policy its K (POLICY_CANDIDATES).
    const full = { ...config, maxCandidates: MAX_CANDIDATES };
    let best = { name: '', metric: Infinity };
    for (const b of ['heft', 'etf'] as const) {
      const metric = await meanLatency(full, socBaseline(b), VALIDATION_SEED);
      if (metric < best.metric) best = { name: b, metric };
    }
    return {
      numEnvs: count,
      baseline: best,
      evaluate: (choose: (obs: Observation, numEnvs: number) => Promise<Int32Array>) =>
        meanLatency(
          config,
          {
            name: 'learned',
            act: async (env, actions) => actions.set(await choose(env.obs, env.numEnvs)),
          },
          VALIDATION_SEED,
        ),
    };
  },
};

export { SOC_BASELINES };
