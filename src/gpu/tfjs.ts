/**
 * TensorFlow.js on the kernels' own WebGPU device (docs/webgpu.md).
 *
 * tfjs-backend-webgpu registers itself only when `navigator.gpu` exists at import time, and it
 * must run on the same GPUDevice as the environment kernels for tensors to read environment
 * buffers in place. So the backend is registered by hand with our device, after giving Node a
 * `navigator.gpu` (Node 20 has no `navigator`). Its ops are registered under the name 'webgpu', so
 * that is the name used here.
 */

import type * as tfcore from '@tensorflow/tfjs-core';
import type { GpuContext } from './device.js';

export type Tf = typeof tfcore;

/** Registers tfjs's WebGPU backend on `gpu.device`, makes it current, and returns tfjs-core. */
export async function tfjsOnDevice(gpu: GpuContext): Promise<Tf> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined)
    Object.defineProperty(globalThis, 'navigator', {
      value: {},
      configurable: true,
      writable: true,
    });
  if (g.navigator!.gpu === undefined)
    Object.defineProperty(g.navigator, 'gpu', { value: gpu.gpu, configurable: true });
  // The union package registers the gradients (needed for training on this device).
  const tf = (await import('@tensorflow/tfjs')) as unknown as Tf;
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // The package registered its own factory (which would open another device) when it saw
  // navigator.gpu at import; replace it without initializing it.
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(gpu.device, gpu.adapter.info));
  if (!(await tf.setBackend('webgpu')))
    throw new Error('tfjs: the webgpu backend did not initialize on the shared device');
  return tf;
}

/** A tensor that reads `buffer` in place (no copy through the host); the caller keeps the buffer alive. */
export function tensorOnBuffer(
  tf: Tf,
  buffer: GPUBuffer,
  shape: number[],
  dtype: 'float32' | 'int32',
): tfcore.Tensor {
  return tf.tensor({ buffer, zeroCopy: true }, shape, dtype);
}

/**
 * Copies an int32 tensor's device data into `target` (e.g. an environment's actions buffer) with
 * a GPU-side copy: the values never visit the host.
 */
export function copyTensorToBuffer(
  gpu: GpuContext,
  tensor: tfcore.Tensor,
  target: GPUBuffer,
): void {
  const data = tensor.dataToGPU();
  try {
    const bytes = tensor.size * 4;
    const encoder = gpu.device.createCommandEncoder({ label: 'tfjs tensor -> buffer' });
    encoder.copyBufferToBuffer(data.buffer!, 0, target, 0, bytes);
    gpu.device.queue.submit([encoder.finish()]);
  } finally {
    data.tensorRef.dispose();
  }
}
