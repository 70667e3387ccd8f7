/**
 * The streams SoC schedulers are evaluated and trained on: DS3 job mixes arriving at a mean gap
 * with execution-time noise, the grid of loads and noise levels that `eval`/`compare` sweep, and
 * the streams training validates on. Arrivals depend only on the seed, so every scheduler sees
 * the same streams.
 */

import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { integerOption, listOption, numberOption, stringOption } from '../../src/core/options.js';
import type { EnvOptions, OptionValues, Suite, SuiteCell } from '../../src/core/registry.js';
import { DS3_JOBS, ds3Job, ds3Soc, readDs3JobFile, readDs3SocFile, type Ds3Job } from './ds3.js';
import type { Ds3SocDescription } from './ds3-text.js';
import type { SocConfig } from './env.js';
import { MAX_MIX } from './workload.js';

/** Every DS3 job but pulse-Doppler, whose task types have times only on the 2016 SoC. */
export const DEFAULT_JOBS: readonly Ds3Job[] = DS3_JOBS.filter((j) => j !== 'pulse_doppler');

export const SOCS = ['ds3-16pe', 'ds3-16pe-2016'] as const;

export interface StreamOptions {
  /** A bundled SoC (SOCS) or the absolute path of a SoC file in DS3's text format. */
  readonly soc: string;
  /** Bundled DS3 jobs (DS3_JOBS) or absolute paths of job files in DS3's text format. */
  readonly jobs: readonly string[];
  /** One mean gap, or a list that each episode draws one of (a mix of loads). */
  readonly meanInterArrival: number | readonly number[];
  /** One noise level, or a list that each episode draws one of. */
  readonly noise: number | readonly number[];
  readonly jobsPerEpisode: number;
}

/**
 * K of learned policies: the candidates they train and act on (the top K by upward rank).
 * Heuristics are run with every ready pair offered (MAX_CANDIDATES), so that a cut never
 * handicaps them.
 */
export const POLICY_CANDIDATES = 32;

const isBundledSoc = (w: string): w is (typeof SOCS)[number] =>
  (SOCS as readonly string[]).includes(w);
const isBundledJob = (w: string): w is Ds3Job => (DS3_JOBS as readonly string[]).includes(w);

/**
 * Whether a --soc or --jobs word names a file rather than a bundled SoC or job: as the job shop's
 * --suite, anything with a path separator or a .txt ending, or an existing file of another name.
 */
const looksLikePath = (w: string): boolean => /[\\/]/.test(w) || /\.txt$/i.test(w) || existsSync(w);

/** A SoC by its bundled name or from a DS3 SoC file (a file that is gone is an InputError). */
export function loadSoc(soc: string): Ds3SocDescription {
  return isBundledSoc(soc) ? ds3Soc(soc) : readDs3SocFile(soc);
}

/** A short name for tables: the bundled name, or the file's base name. */
const shortName = (w: string): string => (isBundledSoc(w) || isBundledJob(w) ? w : basename(w));

export function streamConfig(
  o: StreamOptions,
  numEnvs: number,
  maxCandidates = POLICY_CANDIDATES,
): SocConfig {
  const soc = loadSoc(o.soc);
  return {
    numEnvs,
    platform: soc.platform,
    jobs: o.jobs.map((j) => (isBundledJob(j) ? ds3Job(j, soc) : readDs3JobFile(j, soc))),
    mix: o.jobs.map(() => 1),
    meanInterArrival: o.meanInterArrival,
    jobsPerEpisode: o.jobsPerEpisode,
    noise: o.noise,
    maxCandidates,
  };
}

/**
 * --jobs words as recorded: bundled names as they are, files as absolute paths (so that a
 * checkpoint's options read the same files from any working directory).
 */
export function parseJobs(words: readonly string[]): string[] {
  return words.map((w) => {
    if (isBundledJob(w)) return w;
    if (looksLikePath(w)) return resolve(w);
    throw new UsageError(
      `unknown DS3 job '${w}'`,
      `jobs: ${DS3_JOBS.join(', ')}, or paths of job files in DS3's text format (docs/soc.md)`,
    );
  });
}

/** --soc as recorded: a bundled name, or a file as an absolute path. */
export function parseSoc(word: string): string {
  if (isBundledSoc(word)) return word;
  if (looksLikePath(word)) return resolve(word);
  throw new UsageError(
    `unknown SoC '${word}'`,
    `socs: ${SOCS.join(', ')}, or the path of a SoC file in DS3's text format (docs/soc.md)`,
  );
}

function socOption(values: OptionValues): string {
  return parseSoc(stringOption(values, 'soc', 'ds3-16pe'));
}

function jobsOption(values: OptionValues): string[] {
  return parseJobs(listOption(values, 'jobs', DEFAULT_JOBS.join(','), (w) => w));
}

/**
 * --gap or --noise of train and bench: one value, or a comma list that mixes them (each episode
 * draws one). One value is recorded as a number, so that earlier checkpoints' options read the
 * same.
 */
function mixOption(
  values: OptionValues,
  name: 'gap' | 'noise',
  fallback: number,
  min: number,
): number | readonly number[] {
  const list = listOption(values, name, String(fallback), (w) =>
    numberOption({ [name]: w }, name, 0, min),
  );
  if (list.length > MAX_MIX)
    throw new UsageError(`--${name}: at most ${MAX_MIX} values, got ${list.length}`);
  return list.length === 1 ? list[0] : list;
}

const recorded = (x: number | readonly number[]): number | string =>
  typeof x === 'number' ? x : x.join(',');

/** The flags that choose a stream (train and bench): a gap and a noise level, or mixes of them. */
export function parseStreamOptions(values: OptionValues): EnvOptions {
  const options = {
    soc: socOption(values),
    jobs: jobsOption(values).join(','),
    gap: recorded(mixOption(values, 'gap', 50, 1e-9)),
    noise: recorded(mixOption(values, 'noise', 0.3, 0)),
    'jobs-per-episode': integerOption(values, 'jobs-per-episode', 30, 1, 100_000),
  };
  // Read the files now, so that a bad one is refused before any work.
  streamConfig(readStreamOptions(options), 1);
  return options;
}

/** The recorded options of a run or a checkpoint, checked again (a checkpoint may be edited). */
export function readStreamOptions(options: EnvOptions): StreamOptions {
  const values = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)]));
  return {
    soc: socOption(values),
    jobs: jobsOption(values),
    meanInterArrival: mixOption(values, 'gap', 50, 1e-9),
    noise: mixOption(values, 'noise', 0.3, 0),
    jobsPerEpisode: integerOption(values, 'jobs-per-episode', 30, 1, 100_000),
  };
}

export const SUITES = {
  grid: 'mean arrival gaps (--gap) x noise levels (--noise), --episodes streams each',
} as const;

/** The flags of the grid suite. */
export const GRID_OPTIONS = {
  soc: {
    type: 'string',
    description: `${SOCS.join(' or ')} (the DS3 SoC), or a SoC file in DS3's text format`,
    default: 'ds3-16pe',
  },
  jobs: {
    type: 'string',
    description: `DS3 jobs in the mix: ${DS3_JOBS.join(', ')}, or job files in DS3's text format`,
    default: DEFAULT_JOBS.join(','),
  },
  gap: {
    type: 'string',
    description: 'mean inter-arrival times (us), light to saturated (a comma list)',
    default: '400,100,50,25',
  },
  noise: {
    type: 'string',
    description: 'relative standard deviations of execution times (a comma list)',
    default: '0,0.1,0.3',
  },
  episodes: { type: 'string', description: 'episodes (streams) per cell', default: '8' },
  'jobs-per-episode': {
    type: 'string',
    description: 'jobs arriving in one episode',
    default: '30',
  },
} as const;

/** Every (gap, noise) cell of the grid: `--episodes` streams each, grouped by noise level. */
export function gridSuite(name: string, values: OptionValues): Suite<SocConfig> {
  if (name !== 'grid')
    throw new UsageError(
      `unknown soc suite '${name}'`,
      `suites: ${Object.keys(SUITES).join(', ')}`,
    );
  const soc = socOption(values);
  const jobs = jobsOption(values);
  const gaps = listOption(values, 'gap', '400,100,50,25', (w) =>
    numberOption({ gap: w }, 'gap', 0, 1e-9),
  );
  const noises = listOption(values, 'noise', '0,0.1,0.3', (w) =>
    numberOption({ noise: w }, 'noise', 0, 0),
  );
  for (const [flag, list] of [
    ['gap', gaps],
    ['noise', noises],
  ] as const)
    if (new Set(list).size !== list.length)
      throw new UsageError(`--${flag} lists a value twice: ${list.join(',')}`);
  const episodes = integerOption(values, 'episodes', 8, 1, 4096);
  const jobsPerEpisode = integerOption(values, 'jobs-per-episode', 30, 1, 100_000);
  const cells: SuiteCell[] = [];
  const batches = [];
  for (const noise of noises) {
    for (const gap of gaps) {
      const pct = `${Math.round(noise * 1000) / 10}%`;
      batches.push({
        config: streamConfig({ soc, jobs, meanInterArrival: gap, noise, jobsPerEpisode }, episodes),
        cells: Array.from({ length: episodes }, () => cells.length),
      });
      cells.push({
        name: `${gap} us, noise ${pct}`,
        group: `noise ${pct}`,
        info: { 'gap (us)': gap, noise: pct },
        x: gap,
      });
    }
  }
  const jobNames = jobs.every(isBundledJob)
    ? `${jobs.length} DS3 jobs`
    : jobs.map(shortName).join(', ');
  return { name: `${shortName(soc)}, ${jobNames}`, cells, batches, xLabel: 'mean gap (us)' };
}

/** Validation streams come from a seed of their own, never from the training streams. */
export const VALIDATION_SEED = 20_260_202;
