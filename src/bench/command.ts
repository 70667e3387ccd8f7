/**
 * `schedrl bench`, written once for every environment: decisions (environment steps) per second
 * under uniformly random legal actions, as JSON. Each case is one options record of the
 * environment (a size, an arrival rate) at every batch size. With `--backend webgpu` every case
 * is measured on the CPU reference and on the kernel, without and with readback, one after the
 * other, so that their ratios are taken under the same machine load.
 */

import { UsageError } from '../core/errors.js';
import { describeMachine } from '../core/machine.js';
import { integerOption, listOption } from '../core/options.js';
import type { AnyEnvEntry, CommandReport, EnvCommand, OptionValues } from '../core/registry.js';
import { BACKEND_OPTIONS, withBackend } from '../gpu/session.js';
import { MAX_CPU_BATCH, benchVariants, formatRate, overCpu, type BenchVariant } from './kernel.js';
import { BENCH_TIMING_OPTIONS, readBenchTiming } from './timing.js';

export interface BenchResult {
  /** The case: which options record (its label) at which batch size. */
  readonly case: string;
  readonly options: Readonly<Record<string, string | number>>;
  readonly batch: number;
  readonly variant: BenchVariant;
  /** Median over the timed windows; null when the case could not run (see `error`). */
  readonly decisionsPerSecond: number | null;
  readonly samples: readonly number[];
  readonly error?: string;
}

async function run(
  entry: AnyEnvEntry,
  values: OptionValues,
  log: (line: string) => void,
): Promise<CommandReport> {
  const timing = readBenchTiming(values);
  return withBackend(values, log, async ({ backend, gpu }) => {
    const batches = listOption(values, 'batches', entry.bench.defaultBatches[backend], (w) =>
      integerOption({ batches: w }, 'batches', 1, 1, 1 << 22),
    );
    if (backend === 'cpu' && batches.some((b) => b > MAX_CPU_BATCH))
      throw new UsageError(`--batches above ${MAX_CPU_BATCH} need --backend webgpu`);
    const cases = entry.bench.cases(values, backend);
    const results: BenchResult[] = [];
    const ratios: { case: string; batch: number; variant: BenchVariant; overCpu: number }[] = [];
    for (const c of cases) {
      for (const batch of batches) {
        const config = entry.config(c.options, batch);
        const measured = await benchVariants(
          batch,
          () => entry.create.cpu(config),
          () => entry.create.webgpu(config, gpu!),
          timing,
          gpu,
        );
        for (const r of measured) {
          log(
            `${entry.name} ${c.label} batch ${batch} ${r.variant}: ${formatRate(r, 'decisions/s')}`,
          );
          const { perSecond, ...rest } = r;
          results.push({
            case: c.label,
            options: c.options,
            batch,
            ...rest,
            decisionsPerSecond: perSecond,
          });
        }
        ratios.push(...overCpu(measured).map((x) => ({ case: c.label, batch, ...x })));
      }
    }
    const json = {
      env: entry.name,
      command: 'bench',
      unit: 'scheduling decisions (environment steps) per second, median of windows',
      backend,
      adapter: gpu?.info ?? null,
      actions: 'uniform random legal, sampled inside the timed loop (on the device for webgpu)',
      ...timing,
      machine: describeMachine(),
      results,
      ...(gpu !== undefined ? { ratios } : {}),
    };
    return { json, text: JSON.stringify(json, null, 2) };
  });
}

export function benchCommand(entry: AnyEnvEntry): EnvCommand {
  return {
    options: {
      ...entry.options,
      ...entry.bench.options,
      batches: {
        type: 'string',
        description: `batch sizes (default ${entry.bench.defaultBatches.cpu}; with webgpu ${entry.bench.defaultBatches.webgpu})`,
      },
      ...BACKEND_OPTIONS,
      ...BENCH_TIMING_OPTIONS,
    },
    run: (values, log) => run(entry, values, log),
  };
}
