/**
 * `schedrl bench --env soc`: scheduling decisions per second on DS3 job streams (the default job
 * mix on the 16-PE SoC, 30% noise) with uniformly random legal actions, as JSON.
 *
 * With `--backend webgpu`, every batch is measured three ways in the same run, so that ratios
 * are taken under the same machine load: `cpu` (the TypeScript reference, one thread),
 * `webgpu` (actions drawn by the kernel, nothing read back) and `webgpu+readback` (rewards,
 * flags and observations read back to the host every step).
 */

import { benchCpuEnv, type BenchTiming } from '../../src/core/bench.js';
import { describeMachine } from '../../src/core/machine.js';
import { integerOption, listOption, numberOption } from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { median } from '../../src/core/table.js';
import { benchKernelEnv } from '../../src/gpu/bench.js';
import type { GpuContext } from '../../src/gpu/device.js';
import { BACKEND_OPTIONS, withBackend } from '../../src/gpu/session.js';
import { SocEnv, type SocConfig } from './env.js';
import { DEFAULT_JOBS, streamConfig } from './evaluate.js';
import { SocGpuEnv } from './gpu.js';

type Variant = 'cpu' | 'webgpu' | 'webgpu+readback';

interface BenchResult {
  readonly batch: number;
  readonly variant: Variant;
  /** Median over the timed windows; null when the case could not run (see `error`). */
  readonly decisionsPerSecond: number | null;
  readonly samples: readonly number[];
  readonly error?: string;
}

const DEFAULT_BATCHES = { cpu: '1,64,1024', webgpu: '64,1024,4096,8192' } as const;

async function benchGpu(
  config: SocConfig,
  timing: BenchTiming,
  gpu: GpuContext,
  readback: boolean,
): Promise<BenchResult> {
  const variant: Variant = readback ? 'webgpu+readback' : 'webgpu';
  let env: SocGpuEnv;
  try {
    env = await SocGpuEnv.create(config, gpu);
  } catch (err) {
    // A batch too large for the device's buffers is a result, not a crash.
    const error = (err as Error).message;
    return { batch: config.numEnvs, variant, decisionsPerSecond: null, samples: [], error };
  }
  try {
    const samples = await benchKernelEnv(env, timing, gpu, readback);
    return { batch: config.numEnvs, variant, decisionsPerSecond: median(samples), samples };
  } finally {
    env.close();
  }
}

export const socBenchCommand: EnvCommand = {
  options: {
    ...BACKEND_OPTIONS,
    batches: {
      type: 'string',
      description: `batch sizes (default ${DEFAULT_BATCHES.cpu}; with webgpu ${DEFAULT_BATCHES.webgpu})`,
    },
    gap: { type: 'string', description: 'mean inter-arrival time (us)', default: '50' },
    noise: { type: 'string', description: 'execution-time noise', default: '0.3' },
    seconds: { type: 'string', description: 'length of one timed window', default: '1' },
    windows: {
      type: 'string',
      description: 'timed windows per case (the median is reported)',
      default: '3',
    },
  },
  run(values: OptionValues, log): Promise<CommandReport> {
    const timing: BenchTiming = {
      seconds: numberOption(values, 'seconds', 1, 0.01),
      windows: integerOption(values, 'windows', 3, 1, 100),
    };
    const gap = numberOption(values, 'gap', 50, 1e-3);
    const noise = numberOption(values, 'noise', 0.3, 0);
    return withBackend(values, log, async ({ backend, gpu }) => {
      const batches = listOption(values, 'batches', DEFAULT_BATCHES[backend], (w) =>
        integerOption({ batches: w }, 'batches', 1, 1, 1 << 20),
      );
      const results: BenchResult[] = [];
      const report = (r: BenchResult): void => {
        results.push(r);
        const value =
          r.decisionsPerSecond === null
            ? `not run: ${r.error ?? ''}`
            : `${r.decisionsPerSecond.toLocaleString('en-US')} decisions/s`;
        log(`soc batch ${r.batch} ${r.variant}: ${value}`);
      };
      for (const batch of batches) {
        const config = streamConfig(
          { soc: 'ds3-16pe', jobs: DEFAULT_JOBS, meanInterArrival: gap, noise, jobsPerEpisode: 30 },
          batch,
        );
        const samples = await benchCpuEnv(new SocEnv(config), timing);
        report({ batch, variant: 'cpu', decisionsPerSecond: median(samples), samples });
        if (gpu !== undefined) {
          report(await benchGpu(config, timing, gpu, false));
          report(await benchGpu(config, timing, gpu, true));
        }
      }
      const ratios = results
        .filter((r) => r.variant !== 'cpu' && r.decisionsPerSecond !== null)
        .map((r) => {
          const cpu = results.find((x) => x.variant === 'cpu' && x.batch === r.batch)!;
          const overCpu = r.decisionsPerSecond! / cpu.decisionsPerSecond!;
          return { batch: r.batch, variant: r.variant, overCpu: Math.round(overCpu * 100) / 100 };
        });
      const json = {
        env: 'soc',
        command: 'bench',
        unit: 'scheduling decisions (environment steps) per second, median of windows',
        backend,
        adapter: gpu?.info ?? null,
        workload: { soc: 'ds3-16pe', jobs: DEFAULT_JOBS, gapUs: gap, noise, jobsPerEpisode: 30 },
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
