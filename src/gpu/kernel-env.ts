/**
 * The WebGPU side of any environment: a batch whose state lives in storage buffers laid out like
 * the CPU reference's typed arrays, stepped by a kernel that includes kernels/batch.wgsl (the
 * `reset` and `step` entry points around the kernel's per-copy functions, and `check_actions` and
 * `random_actions` from kernels/actions.wgsl).
 *
 * Observations are written into buffers that an agent on the same device reads in place
 * (`buffers`); `step` uploads host actions and reads results back, `stepOnDevice` takes actions
 * from the `actions` buffer and reads nothing. An illegal action leaves the whole batch untouched,
 * and so does every later step until the next read reports it. Every kernel writes the same
 * `step_out` (STEP_OUT), read here; a subclass says how its state is allocated and what its
 * episode metric's count means (the same `metricValue` as its CPU reference).
 */

import type { AllocatedState, BatchState } from '../core/batch-env.js';
import { seedStreams } from '../core/rng.js';
import {
  allocateObservation,
  allocateStepResult,
  type MetricSpec,
  type Observation,
  type ObservationSpec,
  type StepResult,
} from '../core/vecenv.js';
import type { DeviceVecEnv } from './device-env.js';
import type { KernelBatch } from './kernel-batch.js';
import { buildLayout, type BufferLayout, type LayoutSpec } from './layout.js';

export type KernelEntryPoint = 'reset' | 'check_actions' | 'step' | 'random_actions';
export const KERNEL_ENTRY_POINTS: readonly KernelEntryPoint[] = [
  'reset',
  'check_actions',
  'step',
  'random_actions',
];

/**
 * What kernels/batch.wgsl's `step` writes for each copy: the reward and, when the episode ended,
 * its return (both f32 bits), length and metric count (a u64 as two words).
 */
export const STEP_OUT = {
  type: 'u32',
  fields: {
    reward: 'E',
    terminated: 'E',
    finalReturn: 'E',
    finalLength: 'E',
    finalMetricLo: 'E',
    finalMetricHi: 'E',
  },
} as const;

/** The observation, action and step-result buffers every kernel binds. */
export function observationIo(spec: ObservationSpec, numEnvs: number) {
  const io = {
    actions: { type: 'i32', fields: { actions: 'E' } },
    action_rng: { type: 'u32', fields: { actionRng: 'E' } },
    cand: { type: 'f32', fields: { cand: 'EKF' } },
    glob: { type: 'f32', fields: { glob: 'EG' } },
    mask: { type: 'u32', fields: { mask: 'EK' } },
    step_out: STEP_OUT,
  } as const satisfies LayoutSpec;
  return buildLayout(io, {
    E: numEnvs,
    EK: numEnvs * spec.maxCandidates,
    EKF: numEnvs * spec.maxCandidates * spec.candidateFeatures.length,
    EG: numEnvs * spec.globalFeatures.length,
  });
}

type StateBuffers = Readonly<Record<string, BufferLayout>>;

export abstract class KernelVecEnv<S extends BatchState> implements DeviceVecEnv {
  readonly backend = 'webgpu' as const;
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  abstract readonly metric: MetricSpec;
  /** Host copy of the state, current after `syncState()`. */
  readonly state: S;
  /** Host copy of the observation, current after `reset`, `step` and `readObservation`. */
  readonly obs: Observation;
  readonly buffers: {
    readonly cand: GPUBuffer;
    readonly glob: GPUBuffer;
    readonly mask: GPUBuffer;
    readonly actions: GPUBuffer;
  };
  protected readonly result: StepResult;
  private readonly stateBuffers: StateBuffers;
  private readonly stepOut: ReturnType<typeof observationIo>['step_out'];
  /** step_out's f32 fields, read as floats. */
  private readonly rewardOut: Float32Array;
  private readonly returnOut: Float32Array;
  private readonly maskHost: Uint32Array;
  private seeded = false;

  protected constructor(
    protected readonly name: string,
    spec: ObservationSpec,
    protected readonly batch: KernelBatch<KernelEntryPoint>,
    allocated: AllocatedState<S>,
    io: ReturnType<typeof observationIo>,
  ) {
    this.numEnvs = batch.numEnvs;
    this.spec = spec;
    this.state = allocated.state;
    this.stateBuffers = allocated.layout;
    this.stepOut = io.step_out;
    const f32 = (v: Uint32Array): Float32Array =>
      new Float32Array(v.buffer, v.byteOffset, v.length);
    this.rewardOut = f32(io.step_out.views.reward);
    this.returnOut = f32(io.step_out.views.finalReturn);
    this.obs = allocateObservation(this.numEnvs, spec);
    this.result = allocateStepResult(this.numEnvs);
    this.maskHost = new Uint32Array(this.numEnvs * spec.maxCandidates);
    this.buffers = {
      cand: batch.buffer('cand').buffer,
      glob: batch.buffer('glob').buffer,
      mask: batch.buffer('mask').buffer,
      actions: batch.buffer('actions').buffer,
    };
  }

  /** A freshly allocated state to upload on reset (its streams are seeded here). */
  protected abstract allocate(): AllocatedState<S>;

  /** The reported metric of an episode whose `episode_metric` was `count` (as on the CPU). */
  protected abstract metricValue(count: number): number;

  /** Uploads a fresh state and runs the reset kernel; reads the observation back. */
  async reset(seed: number): Promise<Observation> {
    const fresh = this.allocate();
    seedStreams(fresh.state.rng, seed >>> 0);
    for (const name of Object.keys(this.stateBuffers))
      this.batch.upload(name, fresh.layout[name].data);
    this.batch.clearStatus();
    this.batch.run(['reset']);
    this.seeded = true;
    return this.readObservation();
  }

  /**
   * Steps every copy with the actions already in `buffers.actions` (written by an agent on the
   * device), reading nothing back.
   */
  stepOnDevice(): void {
    if (!this.seeded) throw new Error(`${this.name}: call reset(seed) before stepping`);
    this.batch.run(['check_actions', 'step']);
  }

  /** Uploads one action per copy into `buffers.actions`. */
  writeActions(actions: Int32Array): void {
    if (actions.length !== this.numEnvs)
      throw new RangeError(`${this.name}: expected ${this.numEnvs} actions, got ${actions.length}`);
    this.batch.upload('actions', actions);
  }

  /** Uploads host actions, steps, and reads results and observations back. */
  async step(actions: Int32Array): Promise<StepResult> {
    this.writeActions(actions);
    this.stepOnDevice();
    return this.readStep();
  }

  /** Steps with the actions already in `buffers.actions`; reads back all but the observation. */
  async stepKeepingObservations(): Promise<StepResult> {
    this.stepOnDevice();
    return this.readStep(false);
  }

  /** Seeds the per-copy streams of the random_actions kernel (as seedStreams does on the CPU). */
  seedRandomActions(seed: number): void {
    const streams = new Uint32Array(this.numEnvs);
    seedStreams(streams, seed >>> 0);
    this.batch.upload('action_rng', streams);
  }

  /**
   * Writes a uniformly random legal action per copy into `buffers.actions`, on the device: the
   * same draws as randomLegalActions with streams seeded by seedRandomActions.
   */
  randomActionsOnDevice(): void {
    this.batch.run(['random_actions']);
  }

  /** Reads the actions buffer back (for tests of an on-device policy). */
  async readActions(): Promise<Int32Array> {
    const out = new Int32Array(this.numEnvs);
    await this.read([{ buffer: 'actions', target: out }], 'actions', false);
    return out;
  }

  /**
   * Reads the results of the last step: rewards, flags, episode statistics and, unless
   * `observations` is false, the observation (an agent on the device reads `buffers` instead).
   */
  async readStep(observations = true): Promise<StepResult> {
    await this.read([{ buffer: 'step_out', target: this.stepOut.data }], 'step', observations);
    const o = this.stepOut.views;
    const r = this.result;
    for (let e = 0; e < this.numEnvs; e++) {
      r.reward[e] = this.rewardOut[e];
      r.terminated[e] = o.terminated[e];
      if (o.terminated[e] === 0) continue;
      r.episodes.return[e] = this.returnOut[e];
      r.episodes.length[e] = o.finalLength[e];
      r.episodes.metric[e] = this.metricValue(o.finalMetricHi[e] * 2 ** 32 + o.finalMetricLo[e]);
    }
    return this.result;
  }

  /** Reads the observation buffers into `obs` (and checks that the last step was legal). */
  async readObservation(): Promise<Observation> {
    await this.read([], 'observation', true);
    return this.obs;
  }

  /** Reads the status word and throws if the last step had an illegal action. */
  async checkStatus(): Promise<void> {
    await this.read([], 'status', false);
  }

  /** Reads every state buffer into `state` (for parity checks and tools). */
  async syncState(): Promise<S> {
    await this.read(
      Object.entries(this.stateBuffers).map(([buffer, l]) => ({ buffer, target: l.data })),
      'state',
      false,
    );
    return this.state;
  }

  /** One readback of `requests`, the status word and, if asked, the observation. */
  private async read(
    requests: { buffer: string; target: Int32Array | Uint32Array | Float32Array }[],
    what: string,
    observations: boolean,
  ): Promise<void> {
    const obs = observations
      ? [
          { buffer: 'cand', target: this.obs.cand },
          { buffer: 'glob', target: this.obs.glob },
          { buffer: 'mask', target: this.maskHost },
        ]
      : [];
    const status = await this.batch.read([...requests, ...obs], what);
    if (observations) this.obs.mask.set(this.maskHost);
    if (status !== 0)
      throw new RangeError(
        `${this.name}: an action of env ${status - 1} is not a legal candidate (mask is 0 or index outside 0..${this.spec.maxCandidates - 1}); no copy was stepped`,
      );
  }

  /** Frees the buffers (the device itself belongs to the caller's GpuContext). */
  close(): void {
    this.batch.close();
  }
}
