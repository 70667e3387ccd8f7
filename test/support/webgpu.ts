import { acquireGpu, formatAdapter, type GpuContext } from '../../src/gpu/device.js';

/**
 * The WebGPU device for kernel tests, or undefined (tests skip, saying why) when this machine has
 * no adapter. With SCHEDRL_REQUIRE_WEBGPU=1 (as in CI) a missing adapter is a failure instead.
 */
export async function testGpu(): Promise<GpuContext | undefined> {
  try {
    const gpu = await acquireGpu();
    console.log(`WebGPU adapter: ${formatAdapter(gpu.info)}`);
    return gpu;
  } catch (err) {
    if (process.env.SCHEDRL_REQUIRE_WEBGPU === '1') throw err;
    console.warn(`skipping WebGPU tests: ${(err as Error).message}`);
    return undefined;
  }
}
