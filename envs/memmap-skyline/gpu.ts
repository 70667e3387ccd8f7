/**
 * The WebGPU backend of skyline memory mapping: the binding of kernels/memmap-skyline.wgsl, over
 * the state of layout.ts and envs/memmap's read-only trace table.
 */

import type { AllocatedState } from '../../src/core/batch-env.js';
import { UsageError } from '../../src/core/errors.js';
import type { GpuContext } from '../../src/gpu/device.js';
import { featureConstants } from '../../src/gpu/feature-constants.js';
import { MemmapKernelEnv, buildMemmapKernel } from '../memmap/gpu.js';
import type { Dims, MemmapConfig } from '../memmap/types.js';
import { ENV_NAME, deriveDims } from './env.js';
import { CANDIDATE_FEATURES, FEATURES } from './features.js';
import { allocateState, type State } from './layout.js';

/**
 * llvmpipe's cap on the loop iterations of one invocation, counted over all its loops; past it a
 * loop is silently left (docs/memmap.md, "The kernel").
 */
export const LOOP_BUDGET = 65535;

/**
 * The most loop iterations one step of kernels/memmap-skyline.wgsl runs for N buffer slots, K
 * candidates and F candidate features: step_copy's floor update (N), an auto-reset's end_episode
 * and reset_copy (2N), find_candidates' scan, insertion and shifts (N + N K + N (K - 1)),
 * write_observation's mask, candidates, their scans, cleared features and area sums (2K + K N +
 * K F + N), and actions.wgsl's checks over the mask (2K).
 */
export function stepLoopIterations(N: number, K: number, F: number): number {
  return N * (3 * K + 5) + K * (F + 4);
}

function constants(config: MemmapConfig, d: Dims): string {
  const u = (v: number): string => `${v}u`;
  const consts: [string, string][] = [
    ['NUM_ENVS', u(d.numEnvs)],
    ['MAX_BUFFERS', u(d.maxBuffers)],
    ['NUM_TRACES', u(d.numTraces)],
    ['MAX_CANDIDATES', u(d.maxCandidates)],
    ['PICK_STREAM', String(config.pick === 'stream')],
    ...featureConstants(FEATURES),
  ];
  return consts.map(([k, v]) => `const ${k} = ${v};`).join('\n');
}

export class SkylineGpuEnv extends MemmapKernelEnv<State> {
  static async create(config: MemmapConfig, gpu: GpuContext): Promise<SkylineGpuEnv> {
    const d = deriveDims(config);
    const loops = stepLoopIterations(d.maxBuffers, d.maxCandidates, CANDIDATE_FEATURES.length);
    if (loops >= LOOP_BUDGET)
      throw new UsageError(
        `memmap-skyline: K = ${d.maxCandidates} candidates over traces of ${d.maxBuffers} buffers needs up to ${loops} loop iterations a step on the kernel, llvmpipe allows ${LOOP_BUDGET - 1} (lower --candidates)`,
      );
    const allocated = allocateState(d);
    const built = await buildMemmapKernel(config, d, gpu, {
      kernel: 'memmap-skyline',
      features: FEATURES,
      constants: constants(config, d),
      allocated,
    });
    return new SkylineGpuEnv(ENV_NAME, config, d, built, allocated);
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }
}
