import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../src/gpu/device.js';
import { GpuLimitError } from '../../src/gpu/buffers.js';
import { compileKernel, GpuKernelError } from '../../src/gpu/kernels.js';
import { jobShopConfig } from '../../envs/jobshop/env.js';
import { randomSource } from '../../envs/jobshop/generator.js';
import { JobShopGpuEnv } from '../../envs/jobshop/gpu.js';
import { testGpu } from '../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

describe.skipIf(gpu === undefined)('WebGPU failures are reported, never hang', () => {
  it('names the kernel and the line of a shader that does not compile', async () => {
    const device = gpu!.device;
    const layout = device.createPipelineLayout({ bindGroupLayouts: [] });
    const code = '@compute @workgroup_size(1)\nfn main() {\n  let x: u32 = -1.5;\n}\n';
    await expect(compileKernel(device, 'broken (batch 8)', code, layout, ['main'])).rejects.toThrow(
      GpuKernelError,
    );
    await expect(compileKernel(device, 'broken (batch 8)', code, layout, ['main'])).rejects.toThrow(
      /WGSL kernel 'broken \(batch 8\)' does not compile:\s+line 3: .*\n\s+let x: u32 = -1\.5;/,
    );
  });

  it('refuses a batch too large for the device buffers, naming the kernel, the buffer and the batch', async () => {
    const config = jobShopConfig({ numEnvs: 65536, source: randomSource(100, 20) });
    const attempt = JobShopGpuEnv.create(config, gpu!);
    await expect(attempt).rejects.toThrow(GpuLimitError);
    await expect(JobShopGpuEnv.create(config, gpu!)).rejects.toThrow(
      /kernel 'jobshop': buffer '\w+' needs [\d.]+ MiB for a batch of 65536, but this device binds at most [\d.]+ MiB per buffer; use a batch of at most \d+ copies/,
    );
  });

  it('reports a lost device with the kernel and the batch instead of waiting forever', async () => {
    const own = await acquireGpu();
    const env = await JobShopGpuEnv.create(
      jobShopConfig({ numEnvs: 8, source: randomSource(5, 5) }),
      own,
    );
    await env.reset(0);
    own.release(); // destroys the device under the environment
    await new Promise((r) => setTimeout(r, 50));
    await expect(env.step(new Int32Array(8))).rejects.toThrow(
      /jobshop .*batch 8.*(lost|readback failed)/,
    );
  });
});

describe('no WebGPU adapter', () => {
  it('says what to install when the asked-for backend has no adapter', async () => {
    let ctx;
    try {
      ctx = await acquireGpu('default');
    } catch (err) {
      expect((err as Error).name).toBe('NoWebGpuError');
      expect((err as Error).message).toMatch(
        /no WebGPU adapter found[\s\S]*Vulkan driver[\s\S]*apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri/,
      );
      return;
    }
    // This machine has a real GPU: nothing to check here.
    ctx.release();
  });

  it('rejects a bad SCHEDRL_GPU value naming the choices', async () => {
    const saved = process.env.SCHEDRL_GPU;
    process.env.SCHEDRL_GPU = 'cuda';
    try {
      await expect(acquireGpu()).rejects.toThrow(
        /SCHEDRL_GPU must be one of auto, default, opengles, got 'cuda'/,
      );
    } finally {
      if (saved === undefined) delete process.env.SCHEDRL_GPU;
      else process.env.SCHEDRL_GPU = saved;
    }
  });
});
