/** schedrl's public entry point: the environment contract and the pieces every problem shares. */

export * from './core/vecenv.js';
export { Rng, hash, nextInt, nextU32, nextUnit, seedStreams, streamSeed } from './core/rng.js';
export { InputError, UsageError, type InputLocation } from './core/errors.js';
export { ENVIRONMENTS, findEnv, type EnvEntry } from './core/registry.js';
export { runCli } from './cli/main.js';
export {
  acquireGpu,
  formatAdapter,
  NoWebGpuError,
  type AdapterDescription,
  type GpuContext,
} from './gpu/device.js';
export { tfjsOnDevice, tensorOnBuffer, copyTensorToBuffer } from './gpu/tfjs.js';
