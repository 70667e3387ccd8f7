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
import { choiceOption, integerOption, listOption, parseSize } from '../../src/core/options.js';
import type { CommandReport, EnvCommand, OptionValues } from '../../src/core/registry.js';
import { BENCH_TIMING_OPTIONS, readBenchTiming } from '../../src/core/bench.js';
import { benchVariants, formatRate, overCpu, type BenchVariant } from '../../src/gpu/bench.js';
import { BACKEND_OPTIONS, withBackend } from '../../src/gpu/session.js';
import { JobShopEnv, jobShopConfig } from './env.js';
import { randomSource } from './generator.js';
import { JobShopGpuEnv } from './gpu.js';
import { SCHEDULE_MODES } from './types.js';

export interface BenchResult {
  readonly jobs: number;
  readonly machines: number;
  readonly batch: number;
  readonly size: string;
  readonly variant: BenchVariant;
  /** Median over the timed windows; null when the case could not run (see `error`). */
  readonly stepsPerSecond: number | null;
  readonly samples: readonly number[];
  readonly error?: string;
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
    ...BENCH_TIMING_OPTIONS,
  },
  async run(values: OptionValues, log): Promise<CommandReport> {
    const mode = choiceOption(values, 'mode', SCHEDULE_MODES, 'active');
    const timing = readBenchTiming(values);
    return withBackend(values, log, async ({ backend, gpu }) => {
      const defaults = DEFAULTS[backend];
      const sizes = listOption(values, 'sizes', defaults.sizes, (w) => parseSize(w, 'sizes'));
      const batches = listOption(values, 'batches', defaults.batches, (w) =>
        integerOption({ batches: w }, 'batches', 1, 1, 1 << 22),
      );
      if (backend === 'cpu' && batches.some((b) => b > 1 << 20))
        throw new UsageError('--batches above 1048576 need --backend webgpu');
      const results: BenchResult[] = [];
      const ratios: { size: string; batch: number; variant: BenchVariant; overCpu: number }[] = [];
      for (const { jobs, machines } of sizes) {
        for (const batch of batches) {
          const size = `${jobs}x${machines}`;
          const config = jobShopConfig({
            numEnvs: batch,
            source: randomSource(jobs, machines),
            mode,
          });
          const measured = await benchVariants(
            () => new JobShopEnv(config),
            () => JobShopGpuEnv.create(config, gpu!),
            timing,
            gpu,
          );
          for (const r of measured) {
            log(`jobshop ${size} batch ${batch} ${r.variant}: ${formatRate(r, 'steps/s')}`);
            const { perSecond, ...rest } = r;
            results.push({ jobs, machines, batch, size, ...rest, stepsPerSecond: perSecond });
          }
          ratios.push(...overCpu(measured).map((x) => ({ size, batch, ...x })));
        }
      }
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
