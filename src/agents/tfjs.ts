/**
 * TensorFlow.js backends for the agents (docs/agents.md): `wasm` (the default on CPU; its .wasm files
 * ship inside the npm package), `cpu` (pure JavaScript), `webgpu` (on the kernels' device, see
 * src/gpu/tfjs.ts) and `tensorflow` (libtensorflow through @tensorflow/tfjs-node or
 * @tensorflow/tfjs-node-gpu, which the user installs; loaded only when asked for).
 */

import type * as tfc from '@tensorflow/tfjs-core';
import { UsageError } from '../core/errors.js';
import type { GpuContext } from '../gpu/device.js';
import { tfjsOnDevice } from '../gpu/tfjs.js';

export type TfBackendName = 'wasm' | 'cpu' | 'webgpu' | 'tensorflow';

export const TF_BACKENDS: readonly TfBackendName[] = ['wasm', 'cpu', 'webgpu', 'tensorflow'];

export type Tf = typeof tfc;

/**
 * What computes the network: `js`, schedrl's own float32 loops without TensorFlow.js (the
 * default; src/agents/js-scorer.ts), or a TensorFlow.js backend.
 */
export type LearnerBackend = 'js' | TfBackendName;

export const LEARNER_BACKENDS: readonly LearnerBackend[] = ['js', ...TF_BACKENDS];

/** Makes `name` the current tfjs backend and returns tfjs-core. `webgpu` needs the device. */
export async function useTfBackend(name: TfBackendName, gpu?: GpuContext): Promise<Tf> {
  if (name === 'webgpu') {
    if (gpu === undefined)
      throw new UsageError('the webgpu tfjs backend needs a WebGPU device (--backend webgpu)');
    return tfjsOnDevice(gpu);
  }
  // The union package: tfjs-core's own ESM files cannot register the gradients under Node (their
  // imports have no extensions), @tensorflow/tfjs's Node bundle does, and it brings the cpu backend.
  const tf = (await import('@tensorflow/tfjs')) as unknown as Tf;
  // Production mode: no debug checks, and no banner suggesting tfjs-node on every run.
  tf.env().set('PROD', true);
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (name === 'tensorflow') {
    let loaded = false;
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(pkg);
        loaded = true;
        break;
      } catch {
        // try the next one
      }
    }
    if (!loaded) {
      throw new UsageError(
        "the 'tensorflow' backend needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu",
        'install one yourself (npm install @tensorflow/tfjs-node); they download libtensorflow at install time, so schedrl does not depend on them',
      );
    }
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs: backend '${name}' failed to initialize`);
  await tf.ready();
  return tf;
}
