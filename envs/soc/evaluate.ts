/**
 * `schedrl eval --env soc`: schedulers on DS3 job streams, across arrival rates and noise levels,
 * reported as mean job latency (microseconds). Every finished job's schedule is validated.
 * Arrivals depend only on the seed, so every scheduler sees the same streams.
 */

import { basename } from 'node:path';
import { checkCompatible, learnedPolicy } from '../../src/agents/learned.js';
import { TF_BACKENDS } from '../../src/agents/tfjs.js';
import { UsageError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/core/files.js';
import { lineChartSvg } from '../../src/core/chart.js';
import {
  choiceOption,
  integerOption,
  listOption,
  numberOption,
  optionalString,
} from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { markdownTable, mean } from '../../src/core/table.js';
import type { Policy } from '../../src/core/vecenv.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { SOC_BASELINES, socBaseline, type SocBaseline } from './baselines.js';
import { DS3_JOBS, ds3Job, ds3Soc, type Ds3Job } from './ds3.js';
import { MAX_CANDIDATES, SocEnv, type SocConfig } from './env.js';
import { validateStream } from './validate.js';

/** Every DS3 job but pulse-Doppler, whose task types have times only on the 2016 SoC. */
export const DEFAULT_JOBS: readonly Ds3Job[] = DS3_JOBS.filter((j) => j !== 'pulse_doppler');

export interface StreamOptions {
  readonly soc: 'ds3-16pe' | 'ds3-16pe-2016';
  readonly jobs: readonly Ds3Job[];
  readonly meanInterArrival: number;
  readonly noise: number;
  readonly jobsPerEpisode: number;
}

/**
 * K of learned policies: the candidates they train and act on (the top K by upward rank).
 * Heuristics are run with every ready pair offered (MAX_CANDIDATES), so that a cut never
 * handicaps them.
 */
export const POLICY_CANDIDATES = 32;

export function streamConfig(
  o: StreamOptions,
  numEnvs: number,
  maxCandidates = POLICY_CANDIDATES,
): SocConfig {
  const soc = ds3Soc(o.soc);
  return {
    numEnvs,
    platform: soc.platform,
    jobs: o.jobs.map((j) => ds3Job(j, soc)),
    mix: o.jobs.map(() => 1),
    meanInterArrival: o.meanInterArrival,
    jobsPerEpisode: o.jobsPerEpisode,
    noise: o.noise,
    maxCandidates,
  };
}

/** What one scheduler achieves on a stream: mean job latency (us) and completed jobs per ms. */
export interface StreamResult {
  readonly meanLatencyUs: number;
  readonly jobsPerMs: number;
}

/**
 * Plays `policy` for one episode in each of the config's copies seeded by `seed`, validating
 * every finished job's schedule. Throughput is the episode's jobs over the time from the first
 * arrival to the last completion.
 */
export async function streamResult(
  config: SocConfig,
  policy: Policy<SocEnv>,
  seed: number,
): Promise<StreamResult> {
  const env = new SocEnv(config);
  env.reset(seed);
  const actions = new Int32Array(env.numEnvs);
  const latency = new Float64Array(env.numEnvs).fill(NaN);
  const throughput = new Float64Array(env.numEnvs);
  let open = env.numEnvs;
  while (open > 0) {
    const pending = policy.act(env, actions);
    if (pending !== undefined) await pending;
    const r = env.step(actions);
    for (let e = 0; e < env.numEnvs; e++) {
      if (r.terminated[e] === 0 || !Number.isNaN(latency[e])) continue;
      latency[e] = r.episodes.metric[e];
      open--;
      const issues = validateStream(config.jobs, config.platform, env.finishedJobs[e]);
      if (issues.length > 0)
        throw new Error(`soc: ${policy.name} built an invalid schedule: ${issues[0]}`);
      const end = Math.max(...env.finishedJobs[e].flatMap((job) => job.schedule.finish));
      // Every task taking no time at all would make an episode instantaneous.
      throughput[e] = end > 0 ? (env.finishedJobs[e].length / end) * 1000 : Infinity;
    }
  }
  return { meanLatencyUs: mean(Array.from(latency)), jobsPerMs: mean(Array.from(throughput)) };
}

/** Mean job latency of `policy` over one episode per copy (the training validation's metric). */
export async function meanLatency(
  config: SocConfig,
  policy: Policy<SocEnv>,
  seed: number,
): Promise<number> {
  return (await streamResult(config, policy, seed)).meanLatencyUs;
}

function parseJobs(words: readonly string[]): Ds3Job[] {
  return words.map((w) => {
    if (!(DS3_JOBS as readonly string[]).includes(w))
      throw new UsageError(`unknown DS3 job '${w}'`, `jobs: ${DS3_JOBS.join(', ')}`);
    return w as Ds3Job;
  });
}

export const socEvalCommand: EnvCommand = {
  options: {
    soc: {
      type: 'string',
      description: 'ds3-16pe (current DS3 SoC) or ds3-16pe-2016 (first commit)',
      default: 'ds3-16pe',
    },
    jobs: {
      type: 'string',
      description: `DS3 jobs in the mix: ${DS3_JOBS.join(', ')}`,
      default: DEFAULT_JOBS.join(','),
    },
    gaps: {
      type: 'string',
      description: 'mean inter-arrival times (us), light to saturated',
      default: '400,100,50,25',
    },
    noise: {
      type: 'string',
      description: 'relative standard deviations of execution times',
      default: '0,0.1,0.3',
    },
    policy: {
      type: 'string',
      description: `comma list: ${SOC_BASELINES.join(', ')}, checkpoint:FILE.json`,
      default: SOC_BASELINES.join(','),
    },
    episodes: { type: 'string', description: 'episodes (parallel copies) per cell', default: '8' },
    'jobs-per-episode': {
      type: 'string',
      description: 'jobs arriving in one episode',
      default: '30',
    },
    seed: { type: 'string', description: 'seed of the streams', default: '0' },
    chart: {
      type: 'string',
      description: 'write an SVG chart of mean latency per scheduler to this file',
    },
    'tf-backend': {
      type: 'string',
      description: `TensorFlow.js backend of learned policies: ${TF_BACKENDS.join(', ')}`,
      default: 'wasm',
    },
  },
  async run(values: OptionValues, log): Promise<CommandReport> {
    const soc = choiceOption(values, 'soc', ['ds3-16pe', 'ds3-16pe-2016'] as const, 'ds3-16pe');
    const jobs = parseJobs(listOption(values, 'jobs', DEFAULT_JOBS.join(','), (w) => w));
    const gaps = listOption(values, 'gaps', '400,100,50,25', (w) =>
      numberOption({ gaps: w }, 'gaps', 0, 1e-9),
    );
    const noises = listOption(values, 'noise', '0,0.1,0.3', (w) =>
      numberOption({ noise: w }, 'noise', 0, 0),
    );
    const episodes = integerOption(values, 'episodes', 8, 1, 4096);
    const jobsPerEpisode = integerOption(values, 'jobs-per-episode', 30, 1, 100_000);
    const seed = integerOption(values, 'seed', 0, 0, 0xffffffff);
    const tfBackend = choiceOption(values, 'tf-backend', TF_BACKENDS, 'wasm');
    const policies = listOption(values, 'policy', SOC_BASELINES.join(','), (w) => w).map((w) => {
      if (w.startsWith('checkpoint:')) {
        const file = w.slice('checkpoint:'.length);
        const c = readCheckpoint(file);
        const spec = new SocEnv(
          streamConfig({ soc, jobs, meanInterArrival: 100, noise: 0, jobsPerEpisode: 1 }, 1),
        ).spec;
        checkCompatible(c, file, 'soc', spec);
        return {
          label: basename(file).replace(/\.json$/, ''),
          candidates: POLICY_CANDIDATES,
          make: () => learnedPolicy(c, basename(file), { sample: false, seed, backend: tfBackend }),
        };
      }
      if (!(SOC_BASELINES as readonly string[]).includes(w))
        throw new UsageError(
          `unknown policy '${w}'`,
          `policies: ${SOC_BASELINES.join(', ')}, checkpoint:FILE.json`,
        );
      return {
        label: w,
        candidates: MAX_CANDIDATES,
        make: () => Promise.resolve(socBaseline(w as SocBaseline, seed)),
      };
    });
    const rows: ({ gap: number; noise: number; policy: string } & StreamResult)[] = [];
    for (const noise of noises) {
      for (const gap of gaps) {
        for (const p of policies) {
          const config = streamConfig(
            { soc, jobs, meanInterArrival: gap, noise, jobsPerEpisode },
            episodes,
            p.candidates,
          );
          const policy = await p.make();
          rows.push({ gap, noise, policy: p.label, ...(await streamResult(config, policy, seed)) });
          if ('dispose' in policy && typeof policy.dispose === 'function') policy.dispose();
        }
        log(`soc: gap ${gap} us, noise ${noise} done`);
      }
    }
    const labels = policies.map((p) => p.label);
    const cell = (gap: number, noise: number, label: string): StreamResult =>
      rows.find((r) => r.gap === gap && r.noise === noise && r.policy === label)!;
    const table = (
      title: string,
      noise: number,
      value: (r: StreamResult) => number,
      digits: number,
    ): string =>
      markdownTable(
        {
          title,
          columns: ['mean gap (us)', ...labels],
          rows: gaps.map((gap) => [gap, ...labels.map((l) => value(cell(gap, noise, l)))]),
        },
        digits,
      );
    const text = noises
      .flatMap((noise) => [
        table(
          `mean job latency (us), ${soc}, noise ${noise * 100}%`,
          noise,
          (r) => r.meanLatencyUs,
          1,
        ),
        table(`completed jobs per ms, ${soc}, noise ${noise * 100}%`, noise, (r) => r.jobsPerMs, 2),
      ])
      .join('\n');
    const chartFile = optionalString(values, 'chart');
    if (chartFile !== undefined) {
      const panels = noises.map((noise) => ({
        title: `noise ${noise * 100}%`,
        x: gaps,
        series: labels.map((l) => ({
          name: l,
          y: gaps.map((gap) => cell(gap, noise, l).meanLatencyUs),
        })),
      }));
      writeFileAtomic(
        chartFile,
        lineChartSvg(panels, 'mean inter-arrival time (us)', 'mean job latency (us)'),
      );
      log(`wrote ${chartFile}`);
    }
    return {
      json: {
        env: 'soc',
        command: 'eval',
        soc,
        jobs,
        episodes,
        jobsPerEpisode,
        seed,
        results: rows,
      },
      text,
    };
  },
};
