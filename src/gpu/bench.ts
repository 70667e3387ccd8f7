/**
 * Throughput of an environment kernel, measured two ways: actions drawn by the kernel's
 * random_actions entry point and nothing read back (the loop of an agent on the same device),
 * or the same plus reading rewards, flags and observations back every step (an agent on the
 * CPU).
 */

import { timeWindows, type BenchTiming } from '../core/bench.js';
import type { GpuContext } from './device.js';

/** What a kernel-backed environment offers for benchmarking. */
export interface BenchableKernelEnv {
  readonly numEnvs: number;
  reset(seed: number): Promise<unknown>;
  seedRandomActions(seed: number): void;
  randomActionsOnDevice(): void;
  stepOnDevice(): void;
  readStep(observations: boolean): Promise<unknown>;
  checkStatus(): Promise<void>;
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
