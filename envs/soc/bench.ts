/**
 * `schedrl bench --env soc`: scheduling decisions per second on DS3 job streams (the default job
 * mix on the 16-PE SoC, 30% noise) with uniformly random legal actions, as JSON.
 *
 * With `--backend webgpu`, every batch is measured three ways in the same run, so that ratios
 * are taken under the same machine load: `cpu` (the TypeScript reference, one thread),
 * `webgpu` (actions drawn by the kernel, nothing read back) and `webgpu+readback` (rewards,
 * flags and observations read back to the host every step).
 */

import { BENCH_TIMING_OPTIONS, readBenchTiming } from '../../src/core/bench.js';
import { describeMachine } from '../../src/core/machine.js';
import { integerOption, listOption, numberOption } from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { benchVariants, formatRate, overCpu, type BenchVariant } from '../../src/gpu/bench.js';
import { BACKEND_OPTIONS, withBackend } from '../../src/gpu/session.js';
import { SocEnv } from './env.js';
import { DEFAULT_JOBS, streamConfig } from './evaluate.js';
import { SocGpuEnv } from './gpu.js';

interface BenchResult {
  readonly batch: number;
  readonly variant: BenchVariant;
  /** Median over the timed windows; null when the case could not run (see `error`). */
  readonly decisionsPerSecond: number | null;
  readonly samples: readonly number[];
  readonly error?: string;
}

const DEFAULT_BATCHES = { cpu: '1,64,1024', webgpu: '64,1024,4096,8192' } as const;

export const socBenchCommand: EnvCommand = {
  options: {
    ...BACKEND_OPTIONS,
    batches: {
      type: 'string',
      description: `batch sizes (default ${DEFAULT_BATCHES.cpu}; with webgpu ${DEFAULT_BATCHES.webgpu})`,
    },
    gap: { type: 'string', description: 'mean inter-arrival time (us)', default: '50' },
    noise: { type: 'string', description: 'execution-time noise', default: '0.3' },
    ...BENCH_TIMING_OPTIONS,
  },
  run(values: OptionValues, log): Promise<CommandReport> {
    const timing = readBenchTiming(values);
    const gap = numberOption(values, 'gap', 50, 1e-3);
    const noise = numberOption(values, 'noise', 0.3, 0);
    return withBackend(values, log, async ({ backend, gpu }) => {
      const batches = listOption(values, 'batches', DEFAULT_BATCHES[backend], (w) =>
        integerOption({ batches: w }, 'batches', 1, 1, 1 << 20),
      );
      const results: BenchResult[] = [];
      const ratios: { batch: number; variant: BenchVariant; overCpu: number }[] = [];
      for (const batch of batches) {
        const config = streamConfig(
          { soc: 'ds3-16pe', jobs: DEFAULT_JOBS, meanInterArrival: gap, noise, jobsPerEpisode: 30 },
          batch,
        );
        const measured = await benchVariants(
          () => new SocEnv(config),
          () => SocGpuEnv.create(config, gpu!),
          timing,
          gpu,
        );
        for (const r of measured) {
          log(`soc batch ${batch} ${r.variant}: ${formatRate(r, 'decisions/s')}`);
          const { perSecond, ...rest } = r;
          results.push({ batch, ...rest, decisionsPerSecond: perSecond });
        }
        ratios.push(...overCpu(measured).map((x) => ({ batch, ...x })));
      }
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
