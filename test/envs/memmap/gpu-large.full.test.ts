import { afterAll, describe, expect, it } from 'vitest';
import { MemmapEnv, memmapConfig } from '../../../envs/memmap/env.js';
import { MemmapGpuEnv } from '../../../envs/memmap/gpu.js';
import { bundledTraces } from '../../../envs/memmap/traces.js';
import { expectParity } from '../../support/parity.js';
import { testGpu } from '../../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

// About a minute on llvmpipe: whole episodes of 400-odd decisions, read back at every step.
describe.skipIf(gpu === undefined)('memmap on WebGPU, large traces', () => {
  // Hundreds of live buffers per decision: an O(m^2) kernel ran out of llvmpipe's loop budget here.
  it('the largest challenging traces (up to 454 buffers) over whole episodes', async () => {
    const traces = bundledTraces('challenging').slice(-3);
    const config = memmapConfig({ numEnvs: 8, traces, pick: 'stream', order: 'size' });
    const cpu = new MemmapEnv(config);
    const kernel = await MemmapGpuEnv.create(config, gpu!);
    expect(await expectParity(cpu, kernel, 2, 470, 29)).toBeGreaterThan(0);
  });
});
