/**
 * The WebGPU backend of SoC job streams: the binding of kernels/soc.wgsl.
 *
 * The state lives in storage buffers laid out exactly like the CPU reference's typed arrays
 * (layout.ts), and the workload tables are the ones the CPU reads (workload.ts), so a readback
 * can be compared with the reference field by field. Observations stay in buffers that an agent
 * on the same device reads in place; `step` uploads host actions and reads results back.
 */

import { seedStreams } from '../../src/core/rng.js';
import {
  allocateObservation,
  allocateStepResult,
  type Observation,
  type ObservationSpec,
  type StepResult,
} from '../../src/core/vecenv.js';
import type { GpuContext } from '../../src/gpu/device.js';
import type { DeviceVecEnv } from '../../src/gpu/device-env.js';
import { KernelBatch } from '../../src/gpu/kernel-batch.js';
import { buildLayout, type LayoutSpec } from '../../src/gpu/layout.js';
import { ENV_NAME, MEAN_LATENCY, REWARD_SCALE, type SocConfig } from './env.js';
import { CANDIDATE_FEATURES, GLOBAL_FEATURES, TIME_SCALE } from './features.js';
import {
  FREE_SLOT,
  STATE_SPEC,
  allocateSocState,
  socDims,
  type SocDims,
  type SocState,
  type SocStateLayout,
} from './layout.js';
import {
  CANNOT_RUN,
  EXP_KNOTS,
  NOISE_MEAN,
  TICKS_PER_UNIT,
  compileWorkload,
  type Workload,
} from './workload.js';

type EntryPoint = 'reset' | 'check_actions' | 'step' | 'random_actions';

/** The workload tables as one read-only buffer; ranks are stored as f32 bits. */
const WORKLOAD_SPEC = {
  workload: {
    type: 'u32',
    access: 'read',
    fields: {
      templateTasks: 'NT',
      templateBase: 'NT',
      mixThreshold: 'NT',
      exec: 'TP',
      fastest: 'T',
      rank: 'T',
      predStart: 'T1',
      succStart: 'T1',
      predTask: 'NE',
      succTask: 'NE',
      transfer: 'NEC',
      procClass: 'PP',
      expKnots: 'NK',
    },
  },
} as const satisfies LayoutSpec;

const IO_SPEC = {
  actions: { type: 'i32', fields: { actions: 'E' } },
  action_rng: { type: 'u32', fields: { actionRng: 'E' } },
  cand: { type: 'f32', fields: { cand: 'EKF' } },
  glob: { type: 'f32', fields: { glob: 'EG' } },
  mask: { type: 'u32', fields: { mask: 'EK' } },
  // reward and finalReturn are f32 bits.
  step_out: {
    type: 'u32',
    fields: {
      reward: 'E',
      terminated: 'E',
      finalReturn: 'E',
      finalLength: 'E',
      finalLatencyLo: 'E',
      finalLatencyHi: 'E',
    },
  },
} as const satisfies LayoutSpec;

function workloadTable(w: Workload) {
  const table = buildLayout(WORKLOAD_SPEC, {
    NT: w.numTemplates,
    TP: w.numTasks * w.numProcs,
    T: w.numTasks,
    T1: w.numTasks + 1,
    NE: w.numEdges,
    NEC: w.numEdges * w.numClasses,
    PP: w.numProcs * w.numProcs,
    NK: EXP_KNOTS + 1,
  });
  const v = table.workload.views;
  v.templateTasks.set(w.templateTasks);
  v.templateBase.set(w.templateBase);
  v.mixThreshold.set(w.mixThreshold);
  v.exec.set(w.exec);
  v.fastest.set(w.fastest);
  v.rank.set(new Uint32Array(w.rank.buffer, w.rank.byteOffset, w.rank.length));
  v.predStart.set(w.predStart);
  v.succStart.set(w.succStart);
  v.predTask.set(w.predTask);
  v.succTask.set(w.succTask);
  v.transfer.set(w.transfer);
  v.procClass.set(w.procClass);
  v.expKnots.set(w.expKnots);
  return table;
}

/** An f32 constant exactly as the CPU holds it. */
function f32Bits(x: number): string {
  return `bitcast<f32>(${new Uint32Array(Float32Array.of(x).buffer)[0]}u)`;
}

function constants(w: Workload, d: SocDims): string {
  const u = (v: number): string => `${v}u`;
  const list: [string, string][] = [
    ['NUM_ENVS', u(d.numEnvs)],
    ['NUM_PROCS', u(d.numProcs)],
    ['JOBS_PER_EPISODE', u(d.jobsPerEpisode)],
    ['SLOTS', u(d.slots)],
    ['MAX_TASKS', u(d.maxTasks)],
    ['MAX_CANDIDATES', u(d.maxCandidates)],
    ['NUM_TEMPLATES', u(w.numTemplates)],
    ['NUM_CLASSES', u(w.numClasses)],
    ['NUM_CANDIDATE_FEATURES', u(CANDIDATE_FEATURES.length)],
    ['NUM_GLOBAL_FEATURES', u(GLOBAL_FEATURES.length)],
    ['CANNOT_RUN', u(CANNOT_RUN)],
    ['FREE_SLOT', u(FREE_SLOT)],
    ['NOISE_ON', String(w.noiseScale !== 0)],
    ['NOISE_MEAN', `${NOISE_MEAN}i`],
    ['NOISE_SCALE', f32Bits(w.noiseScale)],
    ['GAP_SCALE', f32Bits(w.gapScale)],
    ['REWARD_SCALE', f32Bits(REWARD_SCALE)],
    ['TIME_TICKS', `${TIME_SCALE * TICKS_PER_UNIT}.0`],
  ];
  return list.map(([k, v]) => `const ${k} = ${v};`).join('\n');
}

export class SocGpuEnv implements DeviceVecEnv {
  readonly backend = 'webgpu' as const;
  readonly numEnvs: number;
  readonly config: SocConfig;
  readonly dims: SocDims;
  readonly spec: ObservationSpec;
  readonly metric = MEAN_LATENCY;
  /** Host copy of the state, current after `syncState()`. */
  readonly state: SocState;
  /** Host copy of the observation, current after `reset`, `step` and `readObservation`. */
  readonly obs: Observation;
  readonly buffers: {
    readonly cand: GPUBuffer;
    readonly glob: GPUBuffer;
    readonly mask: GPUBuffer;
    readonly actions: GPUBuffer;
  };
  private readonly batch: KernelBatch<EntryPoint>;
  private readonly stateLayout: SocStateLayout;
  private readonly stepOut: Uint32Array;
  private readonly stepOutF32: Float32Array;
  private readonly maskHost: Uint32Array;
  private readonly result: StepResult;
  private seeded = false;

  private constructor(
    config: SocConfig,
    dims: SocDims,
    batch: KernelBatch<EntryPoint>,
    allocated: { state: SocState; layout: SocStateLayout },
  ) {
    this.config = config;
    this.dims = dims;
    this.numEnvs = config.numEnvs;
    this.batch = batch;
    this.state = allocated.state;
    this.stateLayout = allocated.layout;
    this.spec = {
      maxCandidates: dims.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    this.obs = allocateObservation(this.numEnvs, this.spec);
    this.result = allocateStepResult(this.numEnvs);
    this.stepOut = new Uint32Array(6 * this.numEnvs);
    this.stepOutF32 = new Float32Array(this.stepOut.buffer);
    this.maskHost = new Uint32Array(this.numEnvs * dims.maxCandidates);
    this.buffers = {
      cand: batch.buffer('cand').buffer,
      glob: batch.buffer('glob').buffer,
      mask: batch.buffer('mask').buffer,
      actions: batch.buffer('actions').buffer,
    };
  }

  static async create(config: SocConfig, gpu: GpuContext): Promise<SocGpuEnv> {
    const w = compileWorkload(config);
    const d = socDims(w, config.numEnvs, config.maxCandidates);
    const allocated = allocateSocState(d);
    const E = d.numEnvs;
    const io = buildLayout(IO_SPEC, {
      E,
      EK: E * d.maxCandidates,
      EKF: E * d.maxCandidates * CANDIDATE_FEATURES.length,
      EG: E * GLOBAL_FEATURES.length,
    });
    const batch = await KernelBatch.create<EntryPoint>(gpu, {
      kernel: 'soc',
      numEnvs: E,
      constants: constants(w, d),
      layouts: [allocated.layout, workloadTable(w), io],
      entryPoints: ['reset', 'check_actions', 'step', 'random_actions'],
    });
    return new SocGpuEnv(config, d, batch, allocated);
  }

  /** Seeds the arrival streams, uploads a fresh state and runs the reset kernel. */
  async reset(seed: number): Promise<Observation> {
    const fresh = allocateSocState(this.dims);
    seedStreams(fresh.state.rng, seed >>> 0);
    for (const name of Object.keys(STATE_SPEC) as (keyof typeof STATE_SPEC)[])
      this.batch.upload(name, fresh.layout[name].data);
    this.batch.run(['reset']);
    this.seeded = true;
    return this.readObservation();
  }

  /** Steps with the actions already in `buffers.actions`, reading nothing back. */
  stepOnDevice(): void {
    if (!this.seeded) throw new Error(`${ENV_NAME}: call reset(seed) before stepping`);
    this.batch.run(['check_actions', 'step'], true);
  }

  writeActions(actions: Int32Array): void {
    if (actions.length !== this.numEnvs)
      throw new RangeError(`${ENV_NAME}: expected ${this.numEnvs} actions, got ${actions.length}`);
    this.batch.upload('actions', actions);
  }

  async step(actions: Int32Array): Promise<StepResult> {
    this.writeActions(actions);
    this.stepOnDevice();
    return this.readStep(true);
  }

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

  /** Writes a uniformly random legal action per copy into `buffers.actions`, on the device. */
  randomActionsOnDevice(): void {
    this.batch.run(['random_actions']);
  }

  async readActions(): Promise<Int32Array> {
    const out = new Int32Array(this.numEnvs);
    await this.read([{ buffer: 'actions', target: out }], 'actions', false);
    return out;
  }

  /** Rewards, flags and episode statistics of the last step, and the observation if asked. */
  async readStep(observations: boolean): Promise<StepResult> {
    await this.read([{ buffer: 'step_out', target: this.stepOut }], 'step', observations);
    const E = this.numEnvs;
    const N = this.dims.jobsPerEpisode;
    const out = this.stepOut;
    const r = this.result;
    for (let e = 0; e < E; e++) {
      r.reward[e] = this.stepOutF32[e];
      r.terminated[e] = out[E + e];
      if (out[E + e] === 0) continue;
      r.episodes.return[e] = this.stepOutF32[2 * E + e];
      r.episodes.length[e] = out[3 * E + e];
      const latency = out[5 * E + e] * 2 ** 32 + out[4 * E + e];
      r.episodes.metric[e] = latency / N / TICKS_PER_UNIT;
    }
    return r;
  }

  /** Throws if an action of the last on-device step was illegal. */
  async checkStatus(): Promise<void> {
    await this.read([], 'status', false);
  }

  async readObservation(): Promise<Observation> {
    await this.read([], 'observation', true);
    return this.obs;
  }

  /** Reads every state buffer into `state` (for parity checks). */
  async syncState(): Promise<SocState> {
    await this.read(
      (Object.keys(STATE_SPEC) as (keyof typeof STATE_SPEC)[]).map((name) => ({
        buffer: name,
        target: this.stateLayout[name].data,
      })),
      'state',
      false,
    );
    return this.state;
  }

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
        `${ENV_NAME}: an action of env ${status - 1} is not a legal candidate (mask is 0 or index outside 0..${this.dims.maxCandidates - 1}); no copy was stepped`,
      );
  }

  close(): void {
    this.batch.close();
  }
}
