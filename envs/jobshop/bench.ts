/**
 * `schedrl bench --env jobshop`: environment steps (dispatch decisions) per second on random
 * instances with uniformly random legal actions, as JSON. Each figure is the median of several
 * timed windows after a warm-up window; the action sampling is inside the timed loop, since any
 * real rollout samples actions too.
 *
 * With `--backend webgpu`, every case is measured three ways in the same run, so that ratios are
 * taken under the same machine load:
 * - `cpu`: the TypeScript reference (one thread), actions sampled on the host;
 * - `webgpu`: actions sampled by the random_actions kernel and the step kernel run, nothing read
 *   back (the loop of an agent that lives on the same device);
 * - `webgpu+readback`: the same plus reading rewards, flags and observations back to the host
 *   every step (the loop of an agent on the CPU).
 */

import { UsageError } from '../../src/core/errors.js';
import { describeMachine } from '../../src/core/machine.js';
import {
  choiceOption,
  integerOption,
  listOption,
  numberOption,
  parseSize,
} from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { median } from '../../src/core/table.js';
import { benchCpuEnv, type BenchTiming } from '../../src/core/bench.js';
import { benchKernelEnv } from '../../src/gpu/bench.js';
import type { GpuContext } from '../../src/gpu/device.js';
import { BACKEND_OPTIONS, withBackend } from '../../src/gpu/session.js';
import { JobShopEnv, jobShopConfig } from './env.js';
import { randomSource } from './generator.js';
import { JobShopGpuEnv } from './gpu.js';
import { SCHEDULE_MODES, type ScheduleMode } from './types.js';

export interface BenchCase {
  readonly jobs: number;
  readonly machines: number;
  readonly batch: number;
}

export type BenchVariant = 'cpu' | 'webgpu' | 'webgpu+readback';

export interface BenchResult extends BenchCase {
  readonly size: string;
  readonly variant: BenchVariant;
  /** Median over the timed windows; null when the case could not run (see `error`). */
  readonly stepsPerSecond: number | null;
  readonly samples: readonly number[];
  readonly error?: string;
}

function result(c: BenchCase, variant: BenchVariant, samples: number[]): BenchResult {
  return {
    ...c,
    size: `${c.jobs}x${c.machines}`,
    variant,
    stepsPerSecond: median(samples),
    samples,
  };
}

export async function benchCpu(
  c: BenchCase,
  mode: ScheduleMode,
  timing: BenchTiming,
): Promise<BenchResult> {
  const env = new JobShopEnv(
    jobShopConfig({ numEnvs: c.batch, source: randomSource(c.jobs, c.machines), mode }),
  );
  return result(c, 'cpu', await benchCpuEnv(env, timing));
}

export async function benchWebGpu(
  c: BenchCase,
  mode: ScheduleMode,
  timing: BenchTiming,
  gpu: GpuContext,
  readback: boolean,
): Promise<BenchResult> {
  const variant: BenchVariant = readback ? 'webgpu+readback' : 'webgpu';
  let env: JobShopGpuEnv;
  try {
    env = await JobShopGpuEnv.create(
      jobShopConfig({ numEnvs: c.batch, source: randomSource(c.jobs, c.machines), mode }),
      gpu,
    );
  } catch (err) {
    // A batch too large for the device's buffers is a result, not a crash.
    return {
      ...c,
      size: `${c.jobs}x${c.machines}`,
      variant,
      stepsPerSecond: null,
      samples: [],
      error: (err as Error).message,
    };
  }
  try {
    return result(c, variant, await benchKernelEnv(env, timing, gpu, readback));
  } finally {
    env.close();
  }
}

const DEFAULTS = {
  cpu: { sizes: '15x15,30x20,100x20', batches: '1,64,1024' },
  webgpu: { sizes: '15x15', batches: '64,256,1024,4096,16384,65536' },
} as const;

export const benchCommand: EnvCommand = {
  options: {
    ...BACKEND_OPTIONS,
    sizes: {
      type: 'string',
      description: `instance sizes JxM (default ${DEFAULTS.cpu.sizes}; with webgpu ${DEFAULTS.webgpu.sizes})`,
    },
    batches: {
      type: 'string',
      description: `batch sizes (default ${DEFAULTS.cpu.batches}; with webgpu ${DEFAULTS.webgpu.batches})`,
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
  async run(values: OptionValues, log): Promise<CommandReport> {
    const mode = choiceOption(values, 'mode', SCHEDULE_MODES, 'active');
    const timing: BenchTiming = {
      seconds: numberOption(values, 'seconds', 1, 0.01),
      windows: integerOption(values, 'windows', 3, 1, 100),
    };
    return withBackend(values, log, async ({ backend, gpu }) => {
      const defaults = DEFAULTS[backend];
      const sizes = listOption(values, 'sizes', defaults.sizes, (w) => parseSize(w, 'sizes'));
      const batches = listOption(values, 'batches', defaults.batches, (w) =>
        integerOption({ batches: w }, 'batches', 1, 1, 1 << 22),
      );
      if (backend === 'cpu' && batches.some((b) => b > 1 << 20))
        throw new UsageError('--batches above 1048576 need --backend webgpu');
      const results: BenchResult[] = [];
      const report = (r: BenchResult): void => {
        results.push(r);
        const value =
          r.stepsPerSecond === null
            ? `not run: ${r.error ?? ''}`
            : `${r.stepsPerSecond.toLocaleString('en-US')} steps/s`;
        log(`jobshop ${r.size} batch ${r.batch} ${r.variant}: ${value}`);
      };
      for (const { jobs, machines } of sizes) {
        for (const batch of batches) {
          const c = { jobs, machines, batch };
          report(await benchCpu(c, mode, timing));
          if (gpu !== undefined) {
            report(await benchWebGpu(c, mode, timing, gpu, false));
            report(await benchWebGpu(c, mode, timing, gpu, true));
          }
        }
      }
      // WebGPU over CPU at each case, from this run's medians.
      const ratios = results
        .filter((r) => r.variant !== 'cpu' && r.stepsPerSecond !== null)
        .map((r) => {
          const cpu = results.find(
            (x) => x.variant === 'cpu' && x.size === r.size && x.batch === r.batch,
          )!;
          return {
            size: r.size,
            batch: r.batch,
            variant: r.variant,
            overCpu: Math.round((r.stepsPerSecond! / cpu.stepsPerSecond!) * 100) / 100,
          };
        });
      const json = {
        env: 'jobshop',
        command: 'bench',
        unit: 'environment steps (dispatch decisions) per second, median of windows',
        backend,
        adapter: gpu?.info ?? null,
        mode,
        actions: 'uniform random legal, sampled inside the timed loop (on the device for webgpu)',
        ...timing,
        machine: describeMachine(),
        results,
        ...(gpu !== undefined ? { ratios } : {}),
      };
      return { json, text: JSON.stringify(json, null, 2) };
    });
  },
};
