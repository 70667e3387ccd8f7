/**
 * The WebGPU backend of memory mapping: the binding of kernels/memmap.wgsl. The state buffers are
 * laid out as the CPU's typed arrays (layout.ts); the config's trace table (table.ts) is uploaded
 * once, read-only, in three buffers of one scalar type each.
 */

import type { AllocatedState, BatchState } from '../../src/core/batch-env.js';
import type { FeatureModule } from '../../src/core/features.js';
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
import { FEATURES } from './features.js';
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

/** A memory-mapping batch's trace table, observation spec and buffers, and compiled kernel. */
export interface BuiltMemmapKernel {
  readonly table: TraceTable;
  readonly spec: ObservationSpec;
  readonly io: ReturnType<typeof observationIo>;
  readonly batch: KernelBatch<KernelEntryPoint>;
}

/** What one of the two memory-mapping kernels (memmap, memmap-skyline) is built from. */
export interface MemmapKernelParts<S extends BatchState> {
  /** kernels/<kernel>.wgsl */
  readonly kernel: string;
  readonly features: Pick<FeatureModule, 'candidate' | 'global'>;
  /** The generated WGSL header's constants (sizes, modes, feature offsets). */
  readonly constants: string;
  readonly allocated: AllocatedState<S>;
}

/**
 * The trace table (uploaded read-only), observation spec and buffers, and the compiled kernel of
 * a memory-mapping batch: what both environments' `create` build alike.
 */
export async function buildMemmapKernel<S extends BatchState>(
  config: MemmapConfig,
  d: Dims,
  gpu: GpuContext,
  parts: MemmapKernelParts<S>,
): Promise<BuiltMemmapKernel> {
  const table = buildTable(config.traces, config.order, d.maxBuffers);
  const spec = {
    maxCandidates: d.maxCandidates,
    candidateFeatures: parts.features.candidate,
    globalFeatures: parts.features.global,
  };
  const io = observationIo(spec, d.numEnvs);
  const batch = await KernelBatch.create<KernelEntryPoint>(gpu, {
    kernel: parts.kernel,
    numEnvs: d.numEnvs,
    constants: parts.constants,
    layouts: [parts.allocated.layout, tableLayout(table, d), io],
    entryPoints: KERNEL_ENTRY_POINTS,
  });
  return { table, spec, io, batch };
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

/** The state fields the shared kernel environment reads: the last finished placement. */
type PlacementState = BatchState & Pick<State, 'finalOffset' | 'finalTraceIndex'>;

/**
 * What both memory-mapping kernel environments share: their config, sizes and trace table, the
 * metric (a plain count: the peak or the benefit spilled), and the last finished placement read
 * back from the state.
 */
export abstract class MemmapKernelEnv<S extends PlacementState> extends KernelVecEnv<S> {
  readonly reference = undefined;
  readonly metric = COST;
  readonly config: MemmapConfig;
  readonly dims: Dims;
  readonly table: TraceTable;

  protected constructor(
    name: string,
    config: MemmapConfig,
    dims: Dims,
    built: BuiltMemmapKernel,
    allocated: AllocatedState<S>,
  ) {
    super(name, built.spec, built.batch, allocated, built.io);
    this.config = config;
    this.dims = dims;
    this.table = built.table;
  }

  protected metricValue(count: number): number {
    return count;
  }

  finalPlacement(e: number): { traceIndex: number; placement: Placement } {
    return readFinalPlacement(this.state, this.dims, this.table, e);
  }
}

export class MemmapGpuEnv extends MemmapKernelEnv<State> implements MemmapBatch {
  static async create(config: MemmapConfig, gpu: GpuContext): Promise<MemmapGpuEnv> {
    const d = deriveDims(config);
    const allocated = allocateState(d);
    const built = await buildMemmapKernel(config, d, gpu, {
      kernel: 'memmap',
      features: FEATURES,
      constants: constants(config, d),
      allocated,
    });
    return new MemmapGpuEnv(ENV_NAME, config, d, built, allocated);
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }
}
