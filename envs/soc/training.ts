/** What the generic trainer (src/train) needs from SoC job streams, and the bench command. */

import {
  choiceOption,
  integerOption,
  listOption,
  numberOption,
  stringOption,
} from '../../src/core/options.js';
import { describeMachine } from '../../src/core/machine.js';
import type {
  CommandReport,
  EnvCommand,
  OptionValues,
  TrainingAdapter,
  Validation,
} from '../../src/core/registry.js';
import { median } from '../../src/core/table.js';
import { randomLegalActions, type Observation } from '../../src/core/vecenv.js';
import { seedStreams } from '../../src/core/rng.js';
import type { DeviceVecEnv } from '../../src/gpu/device-env.js';
import { SOC_BASELINES, socBaseline } from './baselines.js';
import { DS3_JOBS, type Ds3Job } from './ds3.js';
import { SocEnv } from './env.js';
import { DEFAULT_JOBS, meanLatency, streamConfig, type StreamOptions } from './evaluate.js';
import { TIME_SCALE, writeSocCandidateFeatures, writeSocGlobalFeatures } from './features.js';

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
    return new SocEnv(streamConfig(read(options), numEnvs));
  },
  makeDeviceEnv(): Promise<DeviceVecEnv> {
    return Promise.reject(
      new Error('soc: there is no WGSL kernel for job streams yet (--env-backend cpu)'),
    );
  },
  // Rewards are latency integrals in units of 100 us; a 30-job episode sums to a few hundred.
  rewardScale: 0.1,
  normalization: { TIME_SCALE },
  async validation(options, count): Promise<Validation> {
    const config = streamConfig(read(options), count);
    let best = { name: '', metric: Infinity };
    for (const b of ['heft', 'etf'] as const) {
      const metric = await meanLatency(config, socBaseline(b), VALIDATION_SEED);
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
  featureSource: {
    code: [
      `const TIME_SCALE = ${TIME_SCALE};`,
      writeSocCandidateFeatures.toString(),
      writeSocGlobalFeatures.toString(),
    ].join('\n'),
    candidateFunction: writeSocCandidateFeatures.name,
    globalFunction: writeSocGlobalFeatures.name,
  },
};

/** `schedrl bench --env soc`: scheduling decisions per second of the CPU environment (no kernel yet). */
export const socBenchCommand: EnvCommand = {
  options: {
    batches: { type: 'string', description: 'batch sizes', default: '1,64' },
    seconds: { type: 'string', description: 'length of one timed window', default: '1' },
    windows: {
      type: 'string',
      description: 'timed windows (the median is reported)',
      default: '3',
    },
  },
  run(values: OptionValues, log): Promise<CommandReport> {
    const batches = listOption(values, 'batches', '1,64', (w) =>
      integerOption({ batches: w }, 'batches', 1, 1, 1 << 16),
    );
    const seconds = numberOption(values, 'seconds', 1, 0.01);
    const windows = integerOption(values, 'windows', 3, 1, 100);
    const results = batches.map((batch) => {
      const env = new SocEnv(
        streamConfig(
          {
            soc: 'ds3-16pe',
            jobs: DEFAULT_JOBS,
            meanInterArrival: 50,
            noise: 0.3,
            jobsPerEpisode: 30,
          },
          batch,
        ),
      );
      env.reset(1);
      const rng = new Uint32Array(batch);
      seedStreams(rng, 2);
      const actions = new Int32Array(batch);
      const samples: number[] = [];
      for (let w = 0; w <= windows; w++) {
        let steps = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < seconds * 1000) {
          randomLegalActions(env.obs.mask, env.spec.maxCandidates, rng, actions);
          env.step(actions);
          steps += batch;
        }
        if (w > 0) samples.push(Math.round(steps / ((performance.now() - t0) / 1000)));
      }
      log(`soc batch ${batch}: ${median(samples).toLocaleString('en-US')} decisions/s (cpu)`);
      return { batch, backend: 'cpu', decisionsPerSecond: median(samples), samples };
    });
    const json = {
      env: 'soc',
      command: 'bench',
      note: 'CPU only: the WGSL kernel for job streams is not built yet',
      machine: describeMachine(),
      results,
    };
    return Promise.resolve({ json, text: JSON.stringify(json, null, 2) });
  },
};

export { SOC_BASELINES };
