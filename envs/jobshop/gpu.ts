/**
 * The WebGPU backend of the job-shop environment: the binding of kernels/jobshop.wgsl.
 *
 * State lives in storage buffers laid out exactly like the CPU's typed arrays (layout.ts), so a
 * readback of the state buffers gives a `State` that the CPU reference can be compared with field
 * by field. Stepping, readback, on-device actions and `step_out` are src/gpu/kernel-env.ts's; this
 * file adds the instance table and the constants.
 */

import type { AllocatedState } from '../../src/core/batch-env.js';
import type { ObservationSpec } from '../../src/core/vecenv.js';
import type { GpuContext } from '../../src/gpu/device.js';
import { featureConstants } from '../../src/gpu/feature-constants.js';
import { KernelBatch } from '../../src/gpu/kernel-batch.js';
import {
  KERNEL_ENTRY_POINTS,
  KernelVecEnv,
  observationIo,
  type KernelEntryPoint,
} from '../../src/gpu/kernel-env.js';
import { buildLayout, type LayoutSpec } from '../../src/gpu/layout.js';
import {
  ENV_NAME,
  MAKESPAN,
  deriveDims,
  readFinalSchedule,
  readInstance,
  readSchedule,
} from './env.js';
import { CANDIDATE_FEATURES, FEATURES, GLOBAL_FEATURES } from './features.js';
import { allocateState } from './layout.js';
import type {
  Dims,
  Instance,
  JobShopBatch,
  JobShopConfig,
  Schedule,
  ScheduleMode,
  State,
} from './types.js';

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

/** The generated WGSL constants: sizes, modes, feature offsets and scales. */
function constants(config: JobShopConfig, d: Dims, numInstances: number): string {
  const src = config.source;
  const random = src.kind === 'random';
  const u = (v: number): string => `${v}u`;
  const consts: [string, string][] = [
    ['NUM_ENVS', u(d.numEnvs)],
    ['MAX_JOBS', u(d.maxJobs)],
    ['MAX_CANDIDATES', u(d.maxJobs)],
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
    ...featureConstants(FEATURES),
  ];
  return consts.map(([k, v]) => `const ${k} = ${v};`).join('\n');
}

export class JobShopGpuEnv extends KernelVecEnv<State> implements JobShopBatch {
  readonly reference = undefined;
  readonly metric = MAKESPAN;
  readonly config: JobShopConfig;
  readonly dims: Dims;

  private constructor(
    config: JobShopConfig,
    dims: Dims,
    spec: ObservationSpec,
    batch: KernelBatch<KernelEntryPoint>,
    allocated: AllocatedState<State>,
    io: ReturnType<typeof observationIo>,
  ) {
    super(ENV_NAME, spec, batch, allocated, io);
    this.config = config;
    this.dims = dims;
  }

  /** Builds buffers and pipelines for `config` on `gpu`'s device. */
  static async create(config: JobShopConfig, gpu: GpuContext): Promise<JobShopGpuEnv> {
    const d = deriveDims(config);
    const allocated = allocateState(d);
    const { table, count } = instanceTable(config, d);
    const spec = {
      maxCandidates: d.maxJobs,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    const io = observationIo(spec, d.numEnvs);
    const batch = await KernelBatch.create<KernelEntryPoint>(gpu, {
      kernel: 'jobshop',
      numEnvs: d.numEnvs,
      constants: constants(config, d, count),
      layouts: [allocated.layout, table, io],
      entryPoints: KERNEL_ENTRY_POINTS,
    });
    return new JobShopGpuEnv(config, d, spec, batch, allocated, io);
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }

  protected metricValue(makespan: number): number {
    return makespan;
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
}
