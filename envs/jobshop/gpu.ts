/**
 * The WebGPU backend of the job-shop environment: the binding of kernels/jobshop.wgsl.
 *
 * State lives in storage buffers laid out exactly like the CPU's typed arrays (layout.ts), so a
 * readback of the state buffers gives a `State` that the CPU reference can be compared with field
 * by field. Observations (`cand`, `glob`, `mask`) are written into buffers that an agent on the
 * same device reads in place; `stepOnDevice` takes actions from the `actions` buffer and reads
 * nothing back, `step` uploads host actions and reads the results back.
 */

import { buildLayout, wgslDeclarations, type LayoutSpec } from '../../src/gpu/layout.js';
import {
  createStorageBuffer,
  readBuffers,
  upload,
  type StorageBuffer,
} from '../../src/gpu/buffers.js';
import type { GpuContext } from '../../src/gpu/device.js';
import type { DeviceVecEnv } from '../../src/gpu/device-env.js';
import { compileKernel, GpuKernelError, loadKernelSource } from '../../src/gpu/kernels.js';
import { seedStreams } from '../../src/core/rng.js';
import {
  allocateObservation,
  allocateStepResult,
  type Observation,
  type ObservationSpec,
  type StepResult,
} from '../../src/core/vecenv.js';
import {
  ENV_NAME,
  MAKESPAN,
  deriveDims,
  readFinalSchedule,
  readInstance,
  readSchedule,
} from './env.js';
import {
  CANDIDATE_FEATURES,
  GLOBAL_FEATURES,
  NUM_CANDIDATE_FEATURES,
  NUM_GLOBAL_FEATURES,
  OPS_SCALE,
  SLACK,
  START_DELAY,
  TIME_SCALE,
  WORK_SCALE,
} from './features.js';
import { STATE_SPEC, allocateState, type StateLayout } from './layout.js';
import type { JobShopVecEnv } from './backend.js';
import type { Dims, Instance, JobShopConfig, Schedule, ScheduleMode, State } from './types.js';

const KERNEL = 'jobshop';
const WORKGROUP_SIZE = 64;
type EntryPoint = 'reset' | 'check_actions' | 'step' | 'random_actions';

const MODE_CODES: Readonly<Record<ScheduleMode, number>> = { active: 0, conflict: 1, nondelay: 2 };

/** Fixed instances, padded to the batch's dims: what `load_instance` copies from. */
const INSTANCE_SPEC = {
  instances: {
    type: 'i32',
    access: 'read',
    fields: {
      instNumJobs: 'N',
      instNumMachines: 'N',
      instJobNumOps: 'NJ',
      instOpMachine: 'NJO',
      instOpDuration: 'NJO',
    },
  },
} as const satisfies LayoutSpec;

/** What goes in and out of a step besides the state. */
const IO_SPEC = {
  // Written by the agent on the device, or by the random_actions kernel.
  actions: { type: 'i32', fields: { actions: 'E' } },
  action_rng: { type: 'u32', fields: { actionRng: 'E' } },
  cand: { type: 'f32', fields: { cand: 'EKF' } },
  glob: { type: 'f32', fields: { glob: 'EG' } },
  mask: { type: 'u32', fields: { mask: 'EK' } },
  step_out: {
    type: 'i32',
    fields: { reward: 'E', terminated: 'E', finalReturn: 'E', finalLength: 'E', finalMetric: 'E' },
  },
} as const satisfies LayoutSpec;

function instanceTable(config: JobShopConfig, d: Dims) {
  const list: readonly Instance[] = config.source.kind === 'fixed' ? config.source.instances : [];
  const N = Math.max(1, list.length);
  const table = buildLayout(INSTANCE_SPEC, { N, NJ: N * d.maxJobs, NJO: N * d.maxJobs * d.maxOps });
  const v = table.instances.views;
  list.forEach((inst, i) => {
    v.instNumJobs[i] = inst.numJobs;
    v.instNumMachines[i] = inst.numMachines;
    inst.jobs.forEach((ops, j) => {
      v.instJobNumOps[i * d.maxJobs + j] = ops.length;
      ops.forEach((op, o) => {
        v.instOpMachine[(i * d.maxJobs + j) * d.maxOps + o] = op.machine;
        v.instOpDuration[(i * d.maxJobs + j) * d.maxOps + o] = op.duration;
      });
    });
  });
  return { table, count: N };
}

/** The generated WGSL header: sizes and modes as constants, then every binding and field offset. */
function header(
  config: JobShopConfig,
  d: Dims,
  numInstances: number,
  layouts: readonly Readonly<Record<string, Parameters<typeof wgslDeclarations>[0][string]>>[],
): string {
  const src = config.source;
  const random = src.kind === 'random';
  const u = (v: number): string => `${v}u`;
  const consts: [string, string][] = [
    ['NUM_ENVS', u(d.numEnvs)],
    ['MAX_JOBS', u(d.maxJobs)],
    ['MAX_OPS', u(d.maxOps)],
    ['MAX_MACHINES', u(d.maxMachines)],
    ['SLOTS_PER_MACHINE', u(d.slotsPerMachine)],
    ['NUM_INSTANCES', u(numInstances)],
    ['MODE_ACTIVE', u(MODE_CODES.active)],
    ['MODE_CONFLICT', u(MODE_CODES.conflict)],
    ['MODE_NONDELAY', u(MODE_CODES.nondelay)],
    ['MODE', u(MODE_CODES[config.mode])],
    ['DENSE_REWARD', String(config.reward === 'dense')],
    ['RANDOM_SOURCE', String(random)],
    ['RANDOM_JOBS', u(random ? src.numJobs : 1)],
    ['RANDOM_MACHINES', u(random ? src.numMachines : 1)],
    ['MIN_DURATION', `${random ? src.minDuration : 0}i`],
    ['MAX_DURATION', `${random ? src.maxDuration : 0}i`],
    ['NUM_CANDIDATE_FEATURES', u(NUM_CANDIDATE_FEATURES)],
    ['NUM_GLOBAL_FEATURES', u(NUM_GLOBAL_FEATURES)],
    ['START_DELAY_FEATURE', u(START_DELAY)],
    ['SLACK_FEATURE', u(SLACK)],
    ['TIME_SCALE', `${TIME_SCALE}.0`],
    ['WORK_SCALE', `${WORK_SCALE}.0`],
    ['OPS_SCALE', `${OPS_SCALE}.0`],
  ];
  const parts = ['// Generated by envs/jobshop/gpu.ts from layout.ts and the config.'];
  parts.push(...consts.map(([k, v]) => `const ${k} = ${v};`));
  let binding = 0;
  for (const l of layouts) {
    parts.push(wgslDeclarations(l, binding));
    binding += Object.keys(l).length;
  }
  parts.push(`@group(0) @binding(${binding}) var<storage, read_write> status: array<atomic<u32>>;`);
  return parts.join('\n') + '\n';
}

export interface GpuStepTimings {
  readonly dispatches: number;
}

export class JobShopGpuEnv implements JobShopVecEnv, DeviceVecEnv {
  readonly backend = 'webgpu' as const;
  readonly reference = undefined;
  readonly numEnvs: number;
  readonly config: JobShopConfig;
  readonly dims: Dims;
  readonly spec: ObservationSpec;
  readonly metric = MAKESPAN;
  /** Host copy of the state, current after `syncState()`. */
  readonly state: State;
  /** Host copy of the observation, current after `reset`, `step` and `readObservation`. */
  readonly obs: Observation;
  /** Device buffers an agent on the same device reads and writes directly. */
  readonly buffers: {
    readonly cand: GPUBuffer;
    readonly glob: GPUBuffer;
    readonly mask: GPUBuffer;
    readonly actions: GPUBuffer;
  };

  private readonly gpu: GpuContext;
  private readonly stateLayout: StateLayout;
  private readonly stateBuffers: Record<keyof typeof STATE_SPEC, StorageBuffer>;
  private readonly io: Record<keyof typeof IO_SPEC, StorageBuffer>;
  private readonly ioHost = {
    stepOut: new Int32Array(0),
    mask: new Uint32Array(0),
    status: new Uint32Array(1),
  };
  private readonly statusBuffer: StorageBuffer;
  private readonly instanceBuffer: StorageBuffer;
  private readonly pipelines: Record<EntryPoint, GPUComputePipeline>;
  private readonly bindGroup: GPUBindGroup;
  private readonly result: StepResult;
  private readonly staging = new Map<string, GPUBuffer>();
  private lost: string | undefined;
  private seeded = false;

  private constructor(
    gpu: GpuContext,
    config: JobShopConfig,
    parts: {
      dims: Dims;
      stateLayout: StateLayout;
      stateBuffers: Record<keyof typeof STATE_SPEC, StorageBuffer>;
      io: Record<keyof typeof IO_SPEC, StorageBuffer>;
      statusBuffer: StorageBuffer;
      instanceBuffer: StorageBuffer;
      pipelines: Record<EntryPoint, GPUComputePipeline>;
      bindGroup: GPUBindGroup;
      state: State;
    },
  ) {
    this.gpu = gpu;
    this.config = config;
    this.dims = parts.dims;
    this.numEnvs = config.numEnvs;
    this.spec = {
      maxCandidates: this.dims.maxJobs,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    this.stateLayout = parts.stateLayout;
    this.stateBuffers = parts.stateBuffers;
    this.io = parts.io;
    this.statusBuffer = parts.statusBuffer;
    this.instanceBuffer = parts.instanceBuffer;
    this.pipelines = parts.pipelines;
    this.bindGroup = parts.bindGroup;
    this.state = parts.state;
    this.obs = allocateObservation(this.numEnvs, this.spec);
    this.result = allocateStepResult(this.numEnvs);
    this.ioHost.stepOut = new Int32Array(5 * this.numEnvs);
    this.ioHost.mask = new Uint32Array(this.numEnvs * this.dims.maxJobs);
    this.buffers = {
      cand: parts.io.cand.buffer,
      glob: parts.io.glob.buffer,
      mask: parts.io.mask.buffer,
      actions: parts.io.actions.buffer,
    };
    void gpu.device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
    });
  }

  /** Builds buffers and pipelines for `config` on `gpu`'s device. */
  static async create(config: JobShopConfig, gpu: GpuContext): Promise<JobShopGpuEnv> {
    const d = deriveDims(config);
    const device = gpu.device;
    const { state, layout: stateLayout } = allocateState(d);
    const io = buildLayout(IO_SPEC, {
      E: d.numEnvs,
      EK: d.numEnvs * d.maxJobs,
      EKF: d.numEnvs * d.maxJobs * NUM_CANDIDATE_FEATURES,
      EG: d.numEnvs * NUM_GLOBAL_FEATURES,
    });
    const { table, count } = instanceTable(config, d);
    const needed = Object.keys(STATE_SPEC).length + 1 + Object.keys(IO_SPEC).length + 1;
    if (device.limits.maxStorageBuffersPerShaderStage < needed) {
      throw new GpuKernelError(
        `kernel '${KERNEL}' (batch ${d.numEnvs}) needs ${needed} storage buffers per shader stage, this device allows ${device.limits.maxStorageBuffersPerShaderStage}`,
      );
    }
    const make = <K extends string>(
      layout: Readonly<Record<K, { byteLength: number }>>,
    ): Record<K, StorageBuffer> => {
      const out = {} as Record<K, StorageBuffer>;
      for (const name of Object.keys(layout) as K[])
        out[name] = createStorageBuffer(device, KERNEL, name, layout[name].byteLength, d.numEnvs);
      return out;
    };
    const stateBuffers = make(stateLayout);
    const ioBuffers = make(io);
    const instanceBuffer = createStorageBuffer(
      device,
      KERNEL,
      'instances',
      table.instances.byteLength,
      d.numEnvs,
    );
    const statusBuffer = createStorageBuffer(device, KERNEL, 'status', 4, d.numEnvs);
    upload(device, instanceBuffer, table.instances.data);

    const ordered: StorageBuffer[] = [
      ...Object.values<StorageBuffer>(stateBuffers),
      instanceBuffer,
      ...Object.values<StorageBuffer>(ioBuffers),
      statusBuffer,
    ];
    const readOnly = new Set<StorageBuffer>([instanceBuffer]);
    const bindGroupLayout = device.createBindGroupLayout({
      label: `${KERNEL}.bindings`,
      entries: ordered.map((b, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: readOnly.has(b) ? ('read-only-storage' as const) : ('storage' as const) },
      })),
    });
    const code = header(config, d, count, [stateLayout, table, io]) + loadKernelSource(KERNEL);
    const pipelines = (await compileKernel(
      device,
      `${KERNEL} (batch ${d.numEnvs})`,
      code,
      device.createPipelineLayout({ label: KERNEL, bindGroupLayouts: [bindGroupLayout] }),
      ['reset', 'check_actions', 'step', 'random_actions'],
      { WORKGROUP_SIZE },
    )) as Record<EntryPoint, GPUComputePipeline>;
    const bindGroup = device.createBindGroup({
      label: `${KERNEL}.bindings`,
      layout: bindGroupLayout,
      entries: ordered.map((b, binding) => ({ binding, resource: { buffer: b.buffer } })),
    });
    return new JobShopGpuEnv(gpu, config, {
      dims: d,
      stateLayout,
      stateBuffers,
      io: ioBuffers,
      statusBuffer,
      instanceBuffer,
      pipelines,
      bindGroup,
      state,
    });
  }

  private get device(): GPUDevice {
    if (this.lost !== undefined)
      throw new Error(
        `${KERNEL} (batch ${this.numEnvs}): the WebGPU device was lost (${this.lost})`,
      );
    return this.gpu.device;
  }

  private dispatch(encoder: GPUCommandEncoder, entry: EntryPoint): void {
    const pass = encoder.beginComputePass({ label: `${KERNEL}.${entry}` });
    pass.setPipeline(this.pipelines[entry]);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(Math.ceil(this.numEnvs / WORKGROUP_SIZE));
    pass.end();
  }

  /** Seeds the streams, uploads a fresh state and runs the reset kernel; reads the observation back. */
  async reset(seed: number): Promise<Observation> {
    const device = this.device;
    const fresh = allocateState(this.dims);
    seedStreams(fresh.state.rng, seed >>> 0);
    for (const name of Object.keys(STATE_SPEC) as (keyof typeof STATE_SPEC)[])
      upload(device, this.stateBuffers[name], fresh.layout[name].data);
    const encoder = device.createCommandEncoder({ label: `${KERNEL}.reset` });
    this.dispatch(encoder, 'reset');
    device.queue.submit([encoder.finish()]);
    this.seeded = true;
    return this.readObservation();
  }

  /**
   * Steps every copy with the actions already in `buffers.actions` (written by an agent on the
   * device), without reading anything back. An illegal action leaves the whole batch untouched
   * and is reported by the next `step`, `readObservation` or `checkStatus`.
   */
  stepOnDevice(): void {
    if (!this.seeded) throw new Error(`${ENV_NAME}: call reset(seed) before stepping`);
    const device = this.device;
    const encoder = device.createCommandEncoder({ label: `${KERNEL}.step` });
    encoder.clearBuffer(this.statusBuffer.buffer);
    this.dispatch(encoder, 'check_actions');
    this.dispatch(encoder, 'step');
    device.queue.submit([encoder.finish()]);
  }

  /** Seeds the per-copy streams of the random_actions kernel (as seedStreams does on the CPU). */
  seedRandomActions(seed: number): void {
    const streams = new Uint32Array(this.numEnvs);
    seedStreams(streams, seed >>> 0);
    upload(this.device, this.io.action_rng, streams);
  }

  /**
   * Writes a uniformly random legal action per copy into `buffers.actions`, on the device: the
   * same draws as randomLegalActions with streams seeded by seedRandomActions.
   */
  randomActionsOnDevice(): void {
    const encoder = this.device.createCommandEncoder({ label: `${KERNEL}.random_actions` });
    this.dispatch(encoder, 'random_actions');
    this.device.queue.submit([encoder.finish()]);
  }

  /** Reads the actions buffer back (for tests of an on-device policy). */
  async readActions(): Promise<Int32Array> {
    const out = new Int32Array(this.numEnvs);
    await this.read([{ source: this.io.actions, target: out }], 'actions');
    return out;
  }

  /** Uploads one action per copy into `buffers.actions`. */
  writeActions(actions: Int32Array): void {
    if (actions.length !== this.numEnvs)
      throw new RangeError(`${ENV_NAME}: expected ${this.numEnvs} actions, got ${actions.length}`);
    upload(this.device, this.io.actions, actions);
  }

  /** Steps with the actions already in `buffers.actions` and reads back all but the observation. */
  async stepKeepingObservations(): Promise<StepResult> {
    this.stepOnDevice();
    return this.readStep(false);
  }

  /** Uploads host actions, steps, and reads rewards, flags, episode statistics and observations back. */
  async step(actions: Int32Array): Promise<StepResult> {
    if (actions.length !== this.numEnvs)
      throw new RangeError(`${ENV_NAME}: expected ${this.numEnvs} actions, got ${actions.length}`);
    upload(this.device, this.io.actions, actions);
    this.stepOnDevice();
    return this.readStep();
  }

  /**
   * Reads the results of the last step: rewards, flags, episode statistics and, unless
   * `observations` is false, the observation (an agent on the device reads `buffers` instead).
   */
  async readStep(observations = true): Promise<StepResult> {
    const out = this.ioHost.stepOut;
    await this.read([{ source: this.io.step_out, target: out }], 'step', observations);
    const E = this.numEnvs;
    const r = this.result;
    for (let e = 0; e < E; e++) {
      r.reward[e] = out[e];
      const done = out[E + e];
      r.terminated[e] = done;
      if (done === 1) {
        r.episodes.return[e] = out[2 * E + e];
        r.episodes.length[e] = out[3 * E + e];
        r.episodes.metric[e] = out[4 * E + e];
      }
    }
    return r;
  }

  /** Reads the observation buffers into `obs` (and checks that the last step was legal). */
  async readObservation(): Promise<Observation> {
    await this.read([], 'observation');
    return this.obs;
  }

  /** Reads the status word and throws if the last step had an illegal action. */
  async checkStatus(): Promise<void> {
    await this.read([], 'status');
  }

  /** Reads every state buffer into `state` (for parity checks, rules and schedules). */
  async syncState(): Promise<State> {
    await this.read(
      (Object.keys(STATE_SPEC) as (keyof typeof STATE_SPEC)[]).map((name) => ({
        source: this.stateBuffers[name],
        target: this.stateLayout[name].data,
      })),
      'state',
    );
    return this.state;
  }

  /** One readback of `extra`, the status word and (unless asked not to) the observation. */
  private async read(
    extra: readonly { source: StorageBuffer; target: Int32Array | Uint32Array | Float32Array }[],
    what: string,
    observations = true,
  ): Promise<void> {
    const host = this.ioHost;
    const obs = [
      { source: this.io.cand, target: this.obs.cand },
      { source: this.io.glob, target: this.obs.glob },
      { source: this.io.mask, target: host.mask },
    ];
    await readBuffers(
      this.device,
      [...extra, ...(observations ? obs : []), { source: this.statusBuffer, target: host.status }],
      `${KERNEL} ${what} (batch ${this.numEnvs})`,
      this.staging,
    );
    if (observations) this.obs.mask.set(host.mask);
    if (host.status[0] !== 0) {
      const e = host.status[0] - 1;
      // Reported once: clear it so that later reads do not repeat the error.
      host.status[0] = 0;
      upload(this.device, this.statusBuffer, host.status);
      throw new RangeError(
        `${ENV_NAME}: an action of env ${e} is not a legal candidate (mask is 0 or index outside 0..${this.dims.maxJobs - 1}); no copy was stepped`,
      );
    }
  }

  instance(e: number): Instance {
    return readInstance(this.state, this.dims, this.config, e);
  }

  schedule(e: number): Schedule {
    return readSchedule(this.state, this.dims, e);
  }

  finalSchedule(e: number): { instanceIndex: number; schedule: Schedule } {
    return readFinalSchedule(this.state, this.dims, this.config, e);
  }

  /** Frees the buffers (the device itself belongs to the caller's GpuContext). */
  close(): void {
    for (const b of this.staging.values()) b.destroy();
    for (const b of [
      ...Object.values<StorageBuffer>(this.stateBuffers),
      ...Object.values<StorageBuffer>(this.io),
      this.statusBuffer,
      this.instanceBuffer,
    ])
      b.buffer.destroy();
  }
}
