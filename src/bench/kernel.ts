/**
 * Throughput of an environment kernel, measured two ways: actions drawn by the kernel's
 * random_actions entry point and nothing read back (the loop of an agent on the same device),
 * or the same plus reading rewards, flags and observations back every step (an agent on the
 * CPU).
 */

import { benchCpuEnv, timeWindows, type BenchTiming } from './timing.js';
import { median } from '../core/table.js';
import type { VecEnv } from '../core/vecenv.js';
import type { GpuContext } from '../gpu/device.js';

/** What a kernel-backed environment offers for benchmarking. */
export interface BenchableKernelEnv {
  readonly numEnvs: number;
  reset(seed: number): Promise<unknown>;
  seedRandomActions(seed: number): void;
  randomActionsOnDevice(): void;
  stepOnDevice(): void;
  readStep(observations: boolean): Promise<unknown>;
  checkStatus(): Promise<void>;
  close(): void;
}

export type BenchVariant = 'cpu' | 'webgpu' | 'webgpu+readback';

export interface VariantResult {
  readonly variant: BenchVariant;
  /** Median over the timed windows; null when the case could not run (see `error`). */
  readonly perSecond: number | null;
  readonly samples: readonly number[];
  readonly error?: string;
}

/**
 * One benchmark case measured on the CPU reference and, with a device, on the kernel without
 * and with readback, one after another so that their ratios are taken under the same load. A
 * kernel that cannot be built (a batch too large for the device's buffers) is a result, not a
 * crash.
 */
/** The largest batch the CPU reference is timed at. */
export const MAX_CPU_BATCH = 1 << 20;

export async function benchVariants(
  numEnvs: number,
  makeCpu: () => VecEnv,
  makeKernel: () => Promise<BenchableKernelEnv>,
  timing: BenchTiming,
  gpu: GpuContext | undefined,
): Promise<VariantResult[]> {
  // The CPU reference holds every copy's state in host memory: past a million copies it would
  // not fit a small machine, and the case is there for the kernel.
  const cpu = numEnvs <= MAX_CPU_BATCH ? await benchCpuEnv(makeCpu(), timing) : null;
  const results: VariantResult[] = [
    cpu === null
      ? {
          variant: 'cpu',
          perSecond: null,
          samples: [],
          error: `not run above ${MAX_CPU_BATCH} copies (host memory)`,
        }
      : { variant: 'cpu', perSecond: median(cpu), samples: cpu },
  ];
  if (gpu === undefined) return results;
  for (const readback of [false, true]) {
    const variant: BenchVariant = readback ? 'webgpu+readback' : 'webgpu';
    let env: BenchableKernelEnv;
    try {
      env = await makeKernel();
    } catch (err) {
      results.push({ variant, perSecond: null, samples: [], error: (err as Error).message });
      continue;
    }
    try {
      const samples = await benchKernelEnv(env, timing, gpu, readback);
      results.push({ variant, perSecond: median(samples), samples });
    } finally {
      env.close();
    }
  }
  return results;
}

/** Each kernel variant's median over the CPU's of the same case, to two decimals. */
export function overCpu(
  results: readonly VariantResult[],
): { variant: BenchVariant; overCpu: number }[] {
  const cpu = results.find((r) => r.variant === 'cpu')?.perSecond ?? null;
  return results.flatMap((r) =>
    r.variant === 'cpu' || r.perSecond === null || cpu === null
      ? []
      : [{ variant: r.variant, overCpu: Math.round((r.perSecond / cpu) * 100) / 100 }],
  );
}

/** `1,234 steps/s` or `not run: why`, for the log line of a result. */
export function formatRate(r: VariantResult, unit: string): string {
  return r.perSecond === null
    ? `not run: ${r.error ?? ''}`
    : `${r.perSecond.toLocaleString('en-US')} ${unit}`;
}

export async function benchKernelEnv(
  env: BenchableKernelEnv,
  timing: BenchTiming,
  gpu: GpuContext,
  readback: boolean,
): Promise<number[]> {
  await env.reset(1);
  env.seedRandomActions(2);
  // Submissions per wait: the device runs them back to back; waiting bounds the queue.
  const chunk = readback ? 1 : Math.max(1, Math.min(64, Math.ceil(65536 / env.numEnvs)));
  const samples = await timeWindows(env.numEnvs, timing, chunk, async (n) => {
    for (let i = 0; i < n; i++) {
      env.randomActionsOnDevice();
      env.stepOnDevice();
      if (readback) await env.readStep(true);
    }
    if (!readback) await gpu.device.queue.onSubmittedWorkDone();
  });
  await env.checkStatus();
  return samples;
}
