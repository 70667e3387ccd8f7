/**
 * One job-shop environment, two step backends. `createJobShopEnv` returns the same asynchronous
 * API whether the batch steps in TypeScript (`cpu`) or in kernels/jobshop.wgsl (`webgpu`), and
 * the parity tests hold both to the same results.
 */

import type { GpuContext } from '../../src/gpu/device.js';
import type { AsyncVecEnv, BackendName, Observation, StepResult } from '../../src/core/vecenv.js';
import { JobShopEnv } from './env.js';
import { JobShopGpuEnv } from './gpu.js';
import type { Dims, Instance, JobShopConfig, Schedule, State } from './types.js';

/** What dispatching rules and tools read from a batch, on either backend. */
export interface JobShopBatch {
  readonly numEnvs: number;
  readonly config: JobShopConfig;
  readonly dims: Dims;
  /** On `webgpu`, current after `syncState()`. */
  readonly state: State;
  readonly obs: Observation;
  instance(e: number): Instance;
  schedule(e: number): Schedule;
  finalSchedule(e: number): { instanceIndex: number; schedule: Schedule };
}

export interface JobShopVecEnv extends AsyncVecEnv, JobShopBatch {
  /** Makes `state` current (a readback on `webgpu`, nothing on `cpu`). */
  syncState(): Promise<State>;
  /** On `cpu`, the synchronous reference behind this facade, for hot loops that can use it. */
  readonly reference: JobShopEnv | undefined;
}

/** The CPU reference behind the asynchronous API. */
class CpuJobShopVecEnv implements JobShopVecEnv {
  readonly backend = 'cpu' as const;
  readonly reference: JobShopEnv;
  constructor(private readonly env: JobShopEnv) {
    this.reference = env;
  }
  get numEnvs(): number {
    return this.env.numEnvs;
  }
  get config(): JobShopConfig {
    return this.env.config;
  }
  get dims(): Dims {
    return this.env.dims;
  }
  get spec(): JobShopEnv['spec'] {
    return this.env.spec;
  }
  get metric(): JobShopEnv['metric'] {
    return this.env.metric;
  }
  get state(): State {
    return this.env.state;
  }
  get obs(): Observation {
    return this.env.obs;
  }
  reset(seed: number): Promise<Observation> {
    return Promise.resolve(this.env.reset(seed));
  }
  step(actions: Int32Array): Promise<StepResult> {
    return Promise.resolve(this.env.step(actions));
  }
  syncState(): Promise<State> {
    return Promise.resolve(this.env.state);
  }
  instance(e: number): Instance {
    return this.env.instance(e);
  }
  schedule(e: number): Schedule {
    return this.env.schedule(e);
  }
  finalSchedule(e: number): { instanceIndex: number; schedule: Schedule } {
    return this.env.finalSchedule(e);
  }
  close(): void {}
}

/** A job-shop batch on the chosen backend; `webgpu` needs the device from acquireGpu(). */
export async function createJobShopEnv(
  config: JobShopConfig,
  backend: BackendName,
  gpu?: GpuContext,
): Promise<JobShopVecEnv> {
  if (backend === 'cpu') return new CpuJobShopVecEnv(new JobShopEnv(config));
  if (gpu === undefined)
    throw new Error('jobshop: the webgpu backend needs a GPU context (acquireGpu())');
  return JobShopGpuEnv.create(config, gpu);
}
