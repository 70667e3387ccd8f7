/**
 * The WebGPU backend of SoC job streams: the binding of kernels/soc.wgsl.
 *
 * The state lives in storage buffers laid out exactly like the CPU reference's typed arrays
 * (layout.ts), and the workload tables are the ones the CPU reads (workload.ts), so a readback
 * can be compared with the reference field by field. Observations stay in buffers that an agent
 * on the same device reads in place; `step` uploads host actions and reads results back.
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
import { ENV_NAME, MEAN_LATENCY, REWARD_SCALE, meanLatency, type SocConfig } from './env.js';
import { CANDIDATE_FEATURES, FEATURES, GLOBAL_FEATURES } from './features.js';
import { FREE_SLOT, allocateSocState, socDims, type SocDims, type SocState } from './layout.js';
import {
  CANNOT_RUN,
  EXP_KNOTS,
  NOISE_MEAN,
  TICKS_PER_UNIT,
  compileWorkload,
  type Workload,
} from './workload.js';

/** The workload tables as one read-only buffer; ranks and gap and noise scales are f32 bits. */
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
      gapScales: 'NG',
      noiseScales: 'NZ',
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
    NG: w.gapScales.length,
    NZ: w.noiseScales.length,
  });
  const v = table.workload.views;
  v.templateTasks.set(w.templateTasks);
  v.templateBase.set(w.templateBase);
  v.mixThreshold.set(w.mixThreshold);
  v.exec.set(w.exec);
  v.fastest.set(w.fastest);
  v.rank.set(f32BitsArray(w.rank));
  v.predStart.set(w.predStart);
  v.succStart.set(w.succStart);
  v.predTask.set(w.predTask);
  v.succTask.set(w.succTask);
  v.transfer.set(w.transfer);
  v.procClass.set(w.procClass);
  v.expKnots.set(w.expKnots);
  v.gapScales.set(f32BitsArray(w.gapScales));
  v.noiseScales.set(f32BitsArray(w.noiseScales));
  return table;
}

/** The bits of f32 values, for a u32 table. */
function f32BitsArray(x: Float32Array): Uint32Array {
  return new Uint32Array(x.buffer, x.byteOffset, x.length);
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
    ['CANNOT_RUN', u(CANNOT_RUN)],
    ['FREE_SLOT', u(FREE_SLOT)],
    ['NOISE_MEAN', `${NOISE_MEAN}i`],
    ['NUM_NOISES', u(w.noiseScales.length)],
    ['NUM_GAPS', u(w.gapScales.length)],
    ['REWARD_SCALE', f32Bits(REWARD_SCALE)],
    ['TICKS_PER_UNIT', `${TICKS_PER_UNIT}.0`],
    ...featureConstants(FEATURES),
  ];
  return list.map(([k, v]) => `const ${k} = ${v};`).join('\n');
}

export class SocGpuEnv extends KernelVecEnv<SocState> {
  readonly metric = MEAN_LATENCY;
  readonly config: SocConfig;
  /** The compiled tables the kernel reads, as the CPU reference does (for the baselines). */
  readonly workload: Workload;
  readonly dims: SocDims;

  private constructor(
    config: SocConfig,
    workload: Workload,
    dims: SocDims,
    spec: ObservationSpec,
    batch: KernelBatch<KernelEntryPoint>,
    allocated: AllocatedState<SocState>,
    io: ReturnType<typeof observationIo>,
  ) {
    super(ENV_NAME, spec, batch, allocated, io);
    this.config = config;
    this.workload = workload;
    this.dims = dims;
  }

  static async create(config: SocConfig, gpu: GpuContext): Promise<SocGpuEnv> {
    const w = compileWorkload(config);
    const d = socDims(w, config.numEnvs, config.maxCandidates);
    const allocated = allocateSocState(d);
    const spec: ObservationSpec = {
      maxCandidates: d.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    const io = observationIo(spec, d.numEnvs);
    const batch = await KernelBatch.create<KernelEntryPoint>(gpu, {
      kernel: 'soc',
      numEnvs: d.numEnvs,
      constants: constants(w, d),
      layouts: [allocated.layout, workloadTable(w), io],
      entryPoints: KERNEL_ENTRY_POINTS,
    });
    return new SocGpuEnv(config, w, d, spec, batch, allocated, io);
  }

  protected allocate(): AllocatedState<SocState> {
    return allocateSocState(this.dims);
  }

  protected metricValue(ticks: number): number {
    return meanLatency(ticks, this.dims.jobsPerEpisode);
  }
}
