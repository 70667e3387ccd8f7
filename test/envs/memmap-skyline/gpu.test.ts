import { afterAll, describe, expect, it } from 'vitest';
import { SkylineEnv, skylineConfig } from '../../../envs/memmap-skyline/env.js';
import { SkylineGpuEnv } from '../../../envs/memmap-skyline/gpu.js';
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

  it("refuses a K that would run past llvmpipe's loop budget, naming --candidates", async () => {
    const traces = bundledTraces('challenging').slice(-1);
    const config = skylineConfig({ numEnvs: 1, traces, candidates: 200 });
    await expect(SkylineGpuEnv.create(config, gpu!)).rejects.toThrow(UsageError);
    await expect(SkylineGpuEnv.create(config, gpu!)).rejects.toThrow(/lower --candidates/);
  });
});
