import { afterAll, describe, expect, it } from 'vitest';
import { SkylineEnv, skylineConfig } from '../../../envs/memmap-skyline/env.js';
import { CANDIDATE_FEATURES } from '../../../envs/memmap-skyline/features.js';
import {
  LOOP_BUDGET,
  SkylineGpuEnv,
  stepLoopIterations,
} from '../../../envs/memmap-skyline/gpu.js';
import { generateTrace } from '../../../envs/memmap/generator.js';
import { bundledTraces } from '../../../envs/memmap/traces.js';
import { UsageError } from '../../../src/core/errors.js';
import { expectParity } from '../../support/parity.js';
import { testGpu } from '../../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

describe.skipIf(gpu === undefined)('memmap-skyline on WebGPU', () => {
  // Every step scans all 454 buffers for each of K candidates: the loop budget's worst case here.
  it('the largest challenging traces (up to 454 buffers) over whole episodes', async () => {
    const traces = bundledTraces('challenging').slice(-3);
    const config = skylineConfig({ numEnvs: 8, traces, pick: 'stream', order: 'mixed' });
    const cpu = new SkylineEnv(config);
    const kernel = await SkylineGpuEnv.create(config, gpu!);
    expect(await expectParity(cpu, kernel, 2, 470, 29)).toBeGreaterThan(0);
  });

  // llvmpipe leaves a loop silently past 65535 iterations an invocation: the largest K the host
  // accepts must still step exactly, and the next one must be refused.
  it("steps exactly at the largest K within llvmpipe's loop budget and refuses the next", async () => {
    const traces = bundledTraces('challenging').slice(-1);
    const N = traces[0].buffers.length;
    const F = CANDIDATE_FEATURES.length;
    let K = 1;
    while (stepLoopIterations(N, K + 1, F) < LOOP_BUDGET) K++;
    expect(K).toBe(45);
    const config = skylineConfig({ numEnvs: 4, traces, pick: 'stream', candidates: K });
    const kernel = await SkylineGpuEnv.create(config, gpu!);
    await expectParity(new SkylineEnv(config), kernel, 5, 40, 13);
    const over = skylineConfig({ numEnvs: 1, traces, candidates: K + 1 });
    await expect(SkylineGpuEnv.create(over, gpu!)).rejects.toThrow(UsageError);
    await expect(SkylineGpuEnv.create(over, gpu!)).rejects.toThrow(/lower --candidates/);
  });

  it('lands aligned buffers as the CPU does, over traces of different lengths', async () => {
    const traces = [30, 45, 12].map((n, t) => {
      const trace = generateTrace(21, t, { buffers: n });
      const buffers = trace.buffers.map((b, i) => ({ ...b, alignment: [1, 3, 8, 64, 5][i % 5] }));
      return { ...trace, buffers };
    });
    const config = skylineConfig({
      numEnvs: 6,
      traces,
      pick: 'stream',
      candidates: 7,
      order: 'size',
    });
    const kernel = await SkylineGpuEnv.create(config, gpu!);
    expect(await expectParity(new SkylineEnv(config), kernel, 8, 160, 17)).toBeGreaterThan(0);
  });
});
