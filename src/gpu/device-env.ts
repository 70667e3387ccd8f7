import type { MetricSpec, Observation, ObservationSpec, StepResult } from '../core/vecenv.js';

/**
 * A vectorized environment whose observations stay on a WebGPU device, for an agent on the same
 * device: it reads `buffers` in place, writes its actions, and only rewards, flags and episode
 * statistics come back to the host.
 */
export interface DeviceVecEnv {
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  readonly metric: MetricSpec;
  /** cand [E, K, F] f32, glob [E, G] f32, mask [E, K] u32, actions [E] i32. */
  readonly buffers: {
    readonly cand: GPUBuffer;
    readonly glob: GPUBuffer;
    readonly mask: GPUBuffer;
    readonly actions: GPUBuffer;
  };
  reset(seed: number): Promise<Observation>;
  /** Uploads one action per copy into `buffers.actions`. */
  writeActions(actions: Int32Array): void;
  /** Steps with `buffers.actions`; reads back everything but the observation. */
  stepKeepingObservations(): Promise<StepResult>;
  close(): void;
}
