/**
 * Throughput measurement shared by every `schedrl bench`: medians of timed windows after a
 * warm-up window, never timed assertions (the machine is shared and noisy, so figures are
 * compared as ratios taken in the same run).
 */

import { integerOption, numberOption } from '../core/options.js';
import type { OptionSpec, OptionValues } from '../core/registry.js';
import { seedStreams } from '../core/rng.js';
import { randomLegalActions, type VecEnv } from '../core/vecenv.js';

export interface BenchTiming {
  /** Length of one timed window. */
  readonly seconds: number;
  /** Timed windows; the median is reported. */
  readonly windows: number;
}

/** The `--seconds` and `--windows` flags of every bench command. */
export const BENCH_TIMING_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  seconds: { type: 'string', description: 'length of one timed window', default: '1' },
  windows: {
    type: 'string',
    description: 'timed windows per case (the median is reported)',
    default: '3',
  },
};

export function readBenchTiming(values: OptionValues): BenchTiming {
  return {
    seconds: numberOption(values, 'seconds', 1, 0.01),
    windows: integerOption(values, 'windows', 3, 1, 100),
  };
}

/**
 * Times `timing.windows` windows of about `timing.seconds` each after one warm-up window.
 * `run(n)` performs n batched steps (resolving once they are finished); each counts `batch`.
 * Returns steps per second of each window.
 */
export async function timeWindows(
  batch: number,
  timing: BenchTiming,
  chunk: number,
  run: (n: number) => Promise<void>,
): Promise<number[]> {
  const window = async (ms: number): Promise<number> => {
    let steps = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      await run(chunk);
      steps += chunk * batch;
      t = performance.now();
    }
    return steps / ((t - t0) / 1000);
  };
  await window(Math.min(500, timing.seconds * 500));
  const samples: number[] = [];
  for (let w = 0; w < timing.windows; w++)
    samples.push(Math.round(await window(timing.seconds * 1000)));
  return samples;
}

/**
 * Steps per second of a CPU environment under uniformly random legal actions, sampled inside
 * the timed loop (any real rollout samples actions too).
 */
export function benchCpuEnv(env: VecEnv, timing: BenchTiming): Promise<number[]> {
  env.reset(1);
  const rng = new Uint32Array(env.numEnvs);
  seedStreams(rng, 2);
  const actions = new Int32Array(env.numEnvs);
  const k = env.spec.maxCandidates;
  // Steps per clock check: enough that reading the clock costs nothing.
  const chunk = Math.max(1, Math.ceil(4096 / env.numEnvs));
  return timeWindows(env.numEnvs, timing, chunk, (n) => {
    for (let i = 0; i < n; i++) {
      randomLegalActions(env.obs.mask, k, rng, actions);
      env.step(actions);
    }
    return Promise.resolve();
  });
}
