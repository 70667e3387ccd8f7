/**
 * The vectorized environment contract every problem implements (docs/design.md, "The environment
 * contract").
 *
 * A VecEnv is `numEnvs` independent copies stepped together. Every decision is "choose one of at
 * most K candidates", so all problems share one observation layout. The buffers below are owned by
 * the environment and overwritten in place by `reset` and `step`: a caller that needs an
 * observation later must copy it.
 */

import { nextInt } from './rng.js';

/** What a problem reports as its own episode metric, such as the makespan. */
export interface MetricSpec {
  /** Short name used in tables and logs, e.g. `makespan`. */
  readonly name: string;
  /** Whether smaller values are better (true for makespan and latency). */
  readonly lowerIsBetter: boolean;
}

export interface ObservationSpec {
  /** K: candidates per environment copy. */
  readonly maxCandidates: number;
  /** F names, in the order of the last axis of `cand`. */
  readonly candidateFeatures: readonly string[];
  /** G names, in the order of the last axis of `glob`. */
  readonly globalFeatures: readonly string[];
}

export interface Observation {
  /** [numEnvs, K, F] candidate features, already normalized. */
  readonly cand: Float32Array;
  /** [numEnvs, K] 1 where the candidate is a legal action. */
  readonly mask: Uint8Array;
  /** [numEnvs, G] features of the whole state. */
  readonly glob: Float32Array;
}

/**
 * Statistics of the episodes that ended in the last step. Entry i is meaningful only where
 * `terminated[i] | truncated[i]` of the same step is 1.
 */
export interface EpisodeStats {
  /** [numEnvs] undiscounted sum of rewards of the finished episode. */
  readonly return: Float64Array;
  /** [numEnvs] number of decisions in the finished episode. */
  readonly length: Int32Array;
  /** [numEnvs] the problem's own metric (MetricSpec) of the finished episode. */
  readonly metric: Float64Array;
}

export interface StepResult {
  /** [numEnvs] reward of the transition. */
  readonly reward: Float32Array;
  /** [numEnvs] 1 where the episode reached a terminal state (then auto-reset in this step). */
  readonly terminated: Uint8Array;
  /** [numEnvs] 1 where the episode was cut short (then auto-reset in this step). */
  readonly truncated: Uint8Array;
  readonly episodes: EpisodeStats;
}

export interface VecEnv {
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  readonly metric: MetricSpec;
  /** The current observation; after an auto-reset, that of the new episode (Gymnasium's same-step autoreset). */
  readonly obs: Observation;
  /** Deterministic: the same seed gives the same instances and, with the same actions, the same trajectory. */
  reset(seed: number): Observation;
  /** `actions` [numEnvs] are candidate indices; a masked index throws and leaves no copy half-stepped. */
  step(actions: Int32Array): StepResult;
}

/** Where a batch is stepped: the TypeScript reference or WGSL kernels. */
export type BackendName = 'cpu' | 'webgpu';

export const BACKENDS: readonly BackendName[] = ['cpu', 'webgpu'];

/**
 * The same contract with asynchronous reset and step: what a kernel-backed batch offers (a GPU
 * step ends with a readback). eval and compare step it with `--backend webgpu`; training steps the
 * CPU reference's synchronous VecEnv, or a DeviceVecEnv (src/gpu/device-env.ts) whose observations
 * stay on the GPU.
 */
export interface AsyncVecEnv {
  readonly backend: BackendName;
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  readonly metric: MetricSpec;
  /** Host copy of the current observation. */
  readonly obs: Observation;
  reset(seed: number): Promise<Observation>;
  step(actions: Int32Array): Promise<StepResult>;
  /** Frees what the environment holds (GPU buffers); the environment is unusable afterwards. */
  close(): void;
}

/** A decision rule over a batch: writes one candidate index per copy into `actions`. */
export interface Policy<E = VecEnv> {
  readonly name: string;
  /** Synchronous for rules; a learned policy may wait for its tensors. */
  act(env: E, actions: Int32Array): void | Promise<void>;
}

/** Allocates the shared observation buffers for a spec. */
export function allocateObservation(numEnvs: number, spec: ObservationSpec): Observation {
  const k = spec.maxCandidates;
  return {
    cand: new Float32Array(numEnvs * k * spec.candidateFeatures.length),
    mask: new Uint8Array(numEnvs * k),
    glob: new Float32Array(numEnvs * spec.globalFeatures.length),
  };
}

export function allocateStepResult(numEnvs: number): StepResult {
  return {
    reward: new Float32Array(numEnvs),
    terminated: new Uint8Array(numEnvs),
    truncated: new Uint8Array(numEnvs),
    episodes: {
      return: new Float64Array(numEnvs),
      length: new Int32Array(numEnvs),
      metric: new Float64Array(numEnvs),
    },
  };
}

/**
 * Checks a whole batch of actions against the mask before any copy is stepped, so that an illegal
 * action never leaves the batch half-updated.
 */
export function assertLegalActions(
  envName: string,
  mask: Uint8Array,
  k: number,
  actions: Int32Array,
): void {
  const numEnvs = mask.length / k;
  if (actions.length !== numEnvs) {
    throw new RangeError(`${envName}: expected ${numEnvs} actions, got ${actions.length}`);
  }
  for (let e = 0; e < numEnvs; e++) {
    const a = actions[e];
    if (!(a >= 0 && a < k) || mask[e * k + a] === 0) {
      throw new RangeError(
        `${envName}: action ${a} of env ${e} is not a legal candidate (mask is 0 or index outside 0..${k - 1})`,
      );
    }
  }
}

/** Legal candidates in the row of K mask entries starting at `row`. */
export function countLegal(mask: Uint8Array, row: number, k: number): number {
  let n = 0;
  for (let j = 0; j < k; j++) n += mask[row + j];
  return n;
}

/** Index (0..K-1) of the n-th legal candidate (0-based) in the row starting at `row`, or -1. */
export function nthLegal(mask: Uint8Array, row: number, k: number, n: number): number {
  for (let j = 0; j < k; j++) if (mask[row + j] === 1 && n-- === 0) return j;
  return -1;
}

/** One uniformly random legal action per copy, drawn from the copies' own RNG streams `rng` [numEnvs]. */
export function randomLegalActions(
  mask: Uint8Array,
  k: number,
  rng: Uint32Array,
  out: Int32Array,
): void {
  for (let e = 0; e < out.length; e++)
    out[e] = nthLegal(mask, e * k, k, nextInt(rng, e, 0, countLegal(mask, e * k, k) - 1));
}
