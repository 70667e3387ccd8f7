/**
 * The `--backend` and `--gpu` flags every environment command shares, and the lifetime of the
 * device they ask for: acquired once, named in the log, released when the command ends so that
 * the process exits on its own.
 */

import { UsageError } from '../core/errors.js';
import { choiceOption } from '../core/options.js';
import type { OptionSpec, OptionValues } from '../core/registry.js';
import { BACKENDS, type BackendName } from '../core/vecenv.js';
import {
  acquireGpu,
  backendFromEnvironment,
  formatAdapter,
  GPU_BACKEND_CHOICES,
  NoWebGpuError,
  type GpuBackendChoice,
  type GpuContext,
} from './device.js';

export const BACKEND_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  backend: { type: 'string', description: `step backend: ${BACKENDS.join(', ')}`, default: 'cpu' },
  gpu: {
    type: 'string',
    description: `WebGPU adapter: ${GPU_BACKEND_CHOICES.join(', ')} (or SCHEDRL_GPU)`,
    default: 'auto',
  },
};

export interface BackendSession {
  readonly backend: BackendName;
  /** Present when the backend is webgpu. */
  readonly gpu: GpuContext | undefined;
}

/** Runs `work` with the backend the flags ask for, acquiring and always releasing the device. */
export async function withBackend<T>(
  values: OptionValues,
  log: (line: string) => void,
  work: (session: BackendSession) => Promise<T>,
  fallback: BackendName = 'cpu',
): Promise<T> {
  const backend = choiceOption(values, 'backend', BACKENDS, fallback);
  const choice: GpuBackendChoice =
    values.gpu === undefined
      ? backendFromEnvironment()
      : choiceOption(values, 'gpu', GPU_BACKEND_CHOICES, 'auto');
  if (backend === 'cpu') {
    if (values.gpu !== undefined) throw new UsageError('--gpu only applies with --backend webgpu');
    return work({ backend, gpu: undefined });
  }
  let gpu: GpuContext;
  try {
    gpu = await acquireGpu(choice);
  } catch (err) {
    // No adapter is not a crash: say what to install, exit 1.
    if (err instanceof NoWebGpuError) throw err;
    throw new NoWebGpuError(`cannot acquire a WebGPU device: ${(err as Error).message}`, {
      cause: err,
    });
  }
  log(`WebGPU adapter: ${formatAdapter(gpu.info)}`);
  try {
    return await work({ backend, gpu });
  } finally {
    gpu.release();
  }
}
