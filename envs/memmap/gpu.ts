/**
 * The WebGPU backend of memory mapping: the binding of kernels/memmap.wgsl. The state buffers are
 * laid out as the CPU's typed arrays (layout.ts); the config's trace table (table.ts) is uploaded
 * once, read-only, in three buffers of one scalar type each.
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
import { COST, ENV_NAME, deriveDims, readFinalPlacement, type Placement } from './env.js';
import { CANDIDATE_FEATURES, FEATURES, GLOBAL_FEATURES } from './features.js';
import { allocateState } from './layout.js';
import { buildTable } from './table.js';
import type { Dims, MemmapBatch, MemmapConfig, State, TraceTable } from './types.js';

const TABLE_SPEC = {
  trace_i32: {
    type: 'i32',
    access: 'read',
    fields: {
      tNumBuffers: 'T',
      tCapacity: 'T',
      tLowerBound: 'T',
      tHorizon: 'T',
      tBufStart: 'TN',
      tBufEnd: 'TN',
      tBufSize: 'TN',
      tBufAlign: 'TN',
    },
  },
  trace_u32: {
    type: 'u32',
    access: 'read',
    fields: { tBenefitLo: 'TN', tBenefitHi: 'TN' },
  },
  trace_f32: {
    type: 'f32',
    access: 'read',
    fields: { tSpillReward: 'TN', tAreaFrom: 'TN' },
  },
} as const satisfies LayoutSpec;

export function tableLayout(t: TraceTable, d: Dims) {
  const T = d.numTraces;
  const layout = buildLayout(TABLE_SPEC, { T, TN: T * d.maxBuffers });
  const a = layout.trace_i32.views;
  a.tNumBuffers.set(t.numBuffers);
  a.tCapacity.set(t.capacity);
  a.tLowerBound.set(t.lowerBound);
  a.tHorizon.set(t.horizon);
  a.tBufStart.set(t.bufStart);
  a.tBufEnd.set(t.bufEnd);
  a.tBufSize.set(t.bufSize);
  a.tBufAlign.set(t.bufAlign);
  layout.trace_u32.views.tBenefitLo.set(t.benefitLo);
  layout.trace_u32.views.tBenefitHi.set(t.benefitHi);
  layout.trace_f32.views.tSpillReward.set(t.spillReward);
  layout.trace_f32.views.tAreaFrom.set(t.areaFrom);
  return layout;
}

function constants(config: MemmapConfig, d: Dims): string {
  const u = (v: number): string => `${v}u`;
  const consts: [string, string][] = [
    ['NUM_ENVS', u(d.numEnvs)],
    ['MAX_BUFFERS', u(d.maxBuffers)],
    ['NUM_TRACES', u(d.numTraces)],
    ['MAX_OFFSETS', u(d.offsets)],
    ['MAX_CANDIDATES', u(d.maxCandidates)],
    ['PICK_STREAM', String(config.pick === 'stream')],
    ['CAPACITY_MODE', String(config.objective === 'capacity')],
    ...featureConstants(FEATURES),
  ];
  return consts.map(([k, v]) => `const ${k} = ${v};`).join('\n');
}

export class MemmapGpuEnv extends KernelVecEnv<State> implements MemmapBatch {
  readonly reference = undefined;
  readonly metric = COST;
  readonly config: MemmapConfig;
  readonly dims: Dims;
  readonly table: TraceTable;

  private constructor(
    config: MemmapConfig,
    dims: Dims,
    table: TraceTable,
    spec: ObservationSpec,
    batch: KernelBatch<KernelEntryPoint>,
    allocated: AllocatedState<State>,
    io: ReturnType<typeof observationIo>,
  ) {
    super(ENV_NAME, spec, batch, allocated, io);
    this.config = config;
    this.dims = dims;
    this.table = table;
  }

  static async create(config: MemmapConfig, gpu: GpuContext): Promise<MemmapGpuEnv> {
    const d = deriveDims(config);
    const table = buildTable(config.traces, config.order, d.maxBuffers);
    const allocated = allocateState(d);
    const spec = {
      maxCandidates: d.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    const io = observationIo(spec, d.numEnvs);
    const batch = await KernelBatch.create<KernelEntryPoint>(gpu, {
      kernel: 'memmap',
      numEnvs: d.numEnvs,
      constants: constants(config, d),
      layouts: [allocated.layout, tableLayout(table, d), io],
      entryPoints: KERNEL_ENTRY_POINTS,
    });
    return new MemmapGpuEnv(config, d, table, spec, batch, allocated, io);
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }

  protected metricValue(count: number): number {
    return count;
  }

  finalPlacement(e: number): { traceIndex: number; placement: Placement } {
    return readFinalPlacement(this.state, this.dims, this.table, e);
  }
}
