/**
 * `schedrl bench --env jobshop`: environment steps (dispatch decisions) per second of the CPU
 * backend on random instances with random legal actions, as JSON. Each figure is the median of
 * several timed windows, and the action sampling is inside the timed loop (it is part of any
 * real rollout).
 */

import { describeMachine } from '../../src/core/machine.js';
import {
  choiceOption,
  integerOption,
  listOption,
  numberOption,
  parseSize,
} from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { seedStreams } from '../../src/core/rng.js';
import { median } from '../../src/core/table.js';
import { randomLegalActions } from '../../src/core/vecenv.js';
import { JobShopEnv } from './env.js';
import { randomSource } from './generator.js';
import { SCHEDULE_MODES, type ScheduleMode } from './types.js';

export interface BenchCase {
  readonly jobs: number;
  readonly machines: number;
  readonly batch: number;
}

export interface BenchResult extends BenchCase {
  readonly size: string;
  readonly backend: 'cpu';
  /** Median over the timed windows. */
  readonly stepsPerSecond: number;
  readonly samples: readonly number[];
}

/** Times `windows` windows of about `seconds` each after one warm-up window. */
export function benchCpu(
  c: BenchCase,
  mode: ScheduleMode,
  seconds: number,
  windows: number,
): BenchResult {
  const env = new JobShopEnv({
    numEnvs: c.batch,
    source: randomSource(c.jobs, c.machines),
    mode,
    reward: 'dense',
  });
  env.reset(1);
  const rng = new Uint32Array(c.batch);
  seedStreams(rng, 2);
  const actions = new Int32Array(c.batch);
  const k = env.dims.maxJobs;
  // Steps per timing check: enough that reading the clock costs nothing.
  const chunk = Math.max(1, Math.ceil(4096 / c.batch));
  const window = (ms: number): number => {
    let steps = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < chunk; i++) {
        randomLegalActions(env.obs.mask, k, rng, actions);
        env.step(actions);
      }
      steps += chunk * c.batch;
      t = performance.now();
    }
    return steps / ((t - t0) / 1000);
  };
  window(Math.min(500, seconds * 500));
  const samples: number[] = [];
  for (let w = 0; w < windows; w++) samples.push(Math.round(window(seconds * 1000)));
  return {
    ...c,
    size: `${c.jobs}x${c.machines}`,
    backend: 'cpu',
    stepsPerSecond: median(samples),
    samples,
  };
}

export const benchCommand: EnvCommand = {
  options: {
    sizes: { type: 'string', description: 'instance sizes JxM', default: '15x15,30x20,100x20' },
    batches: {
      type: 'string',
      description: 'batch sizes (environment copies)',
      default: '1,64,1024',
    },
    mode: {
      type: 'string',
      description: `schedule generation: ${SCHEDULE_MODES.join(', ')}`,
      default: 'active',
    },
    seconds: { type: 'string', description: 'length of one timed window', default: '1' },
    windows: {
      type: 'string',
      description: 'timed windows per case (the median is reported)',
      default: '3',
    },
  },
  run(values: OptionValues, log): Promise<CommandReport> {
    const sizes = listOption(values, 'sizes', '15x15,30x20,100x20', (w) => parseSize(w, 'sizes'));
    const batches = listOption(values, 'batches', '1,64,1024', (w) =>
      integerOption({ batches: w }, 'batches', 1, 1, 1 << 20),
    );
    const mode = choiceOption(values, 'mode', SCHEDULE_MODES, 'active');
    const seconds = numberOption(values, 'seconds', 1, 0.01);
    const windows = integerOption(values, 'windows', 3, 1, 100);
    const results: BenchResult[] = [];
    for (const { jobs, machines } of sizes) {
      for (const batch of batches) {
        const r = benchCpu({ jobs, machines, batch }, mode, seconds, windows);
        log(
          `jobshop ${r.size} batch ${batch}: ${r.stepsPerSecond.toLocaleString('en-US')} steps/s (cpu)`,
        );
        results.push(r);
      }
    }
    const json = {
      env: 'jobshop',
      command: 'bench',
      unit: 'environment steps (dispatch decisions) per second, median of windows, one thread',
      mode,
      actions: 'uniform random legal, sampled inside the timed loop',
      seconds,
      windows,
      machine: describeMachine(),
      results,
    };
    return Promise.resolve({ json, text: JSON.stringify(json, null, 2) });
  },
};
