/**
 * The WebGPU backend of offloading: the binding of kernels/offload.wgsl. The state lives in
 * storage buffers laid out exactly like the CPU reference's typed arrays (layout.ts), and the
 * model tables are the ones the CPU reads, so a readback compares with the reference field by
 * field; baselines, the validator and the viewer read a synced copy.
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
import { ENV_NAME, UTILITY_METRIC, utilityPerTask } from './env.js';
import { CANDIDATE_FEATURES, FEATURES, GLOBAL_FEATURES } from './features.js';
import {
  CLOUD,
  CLOUD_PLACE,
  DONE,
  DROPPED,
  DROP_PLACE,
  FUTURE,
  HELD,
  HISTORY,
  HOLD_MARGIN_MS,
  NONE,
  QUEUED,
  QUEUE_SLOTS,
  RUNNING,
  SEGMENT_MS,
  UTILITY_OFFSET,
  allocateState,
  buildTables,
  type OffloadState,
  type Tables,
} from './layout.js';
import { MIN_FACTOR, simOf, type Sim } from './sim.js';
import type { OffloadConfig } from './types.js';

/** Kernel-local arrays are sized by this: the most edge devices a scenario may have. */
const MAX_EDGES = 25;

function constants(c: Sim): string {
  const u = (v: number): string => `${v}u`;
  const d = c.d;
  const list: [string, string][] = [
    ['NUM_ENVS', u(d.numEnvs)],
    ['EDGES', u(d.edges)],
    ['MAX_EDGES', u(MAX_EDGES)],
    ['DRONES', u(d.drones)],
    ['SEGMENTS', u(d.segments)],
    ['MODELS', u(d.models)],
    ['TASKS', u(d.tasks)],
    ['NEIGHBOURS', u(d.neighbours)],
    ['MAX_CANDIDATES', u(d.maxCandidates)],
    ['QUEUE_SLOTS', u(QUEUE_SLOTS)],
    ['HISTORY_LEN', u(HISTORY)],
    ['SEGMENT_MS', u(SEGMENT_MS)],
    ['HOLD_MARGIN_MS', u(HOLD_MARGIN_MS)],
    ['UTILITY_OFFSET', u(UTILITY_OFFSET)],
    ['DRIFT', u(c.drift)],
    ['MIN_FACTOR', `${MIN_FACTOR}i`],
    ['MAX_FACTOR', `${c.maxFactor}i`],
    ['JITTER', u(c.jitter)],
    ['EDGE_NOISE', u(c.edgeNoise)],
    ['TRANSFER_MS', u(c.transferMs)],
    ['TRANSFER_COST', u(c.transferCost)],
    ['COMPLETION_BONUS', u(c.bonus)],
    ['ORDER', u(c.order)],
    ['MIGRATE', String(c.migrate)],
    ['STEAL', String(c.steal)],
    ['ADAPTIVE', String(c.adaptive)],
    ['FUTURE', u(FUTURE)],
    ['QUEUED', u(QUEUED)],
    ['RUNNING', u(RUNNING)],
    ['HELD', u(HELD)],
    ['CLOUD', u(CLOUD)],
    ['DONE', u(DONE)],
    ['DROPPED', u(DROPPED)],
    ['CLOUD_PLACE', u(CLOUD_PLACE)],
    ['DROP_PLACE', u(DROP_PLACE)],
    ['NONE', u(NONE)],
    ...featureConstants(FEATURES),
  ];
  return list.map(([k, v]) => `const ${k} = ${v};`).join('\n');
}

export class OffloadGpuEnv extends KernelVecEnv<OffloadState> {
  readonly metric = UTILITY_METRIC;
  readonly config: OffloadConfig;
  readonly sim: Sim;
  /** The model tables the kernel reads, as the CPU reference does (for the baselines). */
  readonly tables: Tables;

  private constructor(
    config: OffloadConfig,
    sim: Sim,
    tables: Tables,
    spec: ObservationSpec,
    batch: KernelBatch<KernelEntryPoint>,
    allocated: AllocatedState<OffloadState>,
    io: ReturnType<typeof observationIo>,
  ) {
    super(ENV_NAME, spec, batch, allocated, io);
    this.config = config;
    this.sim = sim;
    this.tables = tables;
  }

  static async create(config: OffloadConfig, gpu: GpuContext): Promise<OffloadGpuEnv> {
    const sim = simOf(config);
    if (sim.d.edges > MAX_EDGES) throw new RangeError(`${ENV_NAME}: at most ${MAX_EDGES} edges`);
    const allocated = allocateState(sim.d);
    const { tables, layout } = buildTables(config);
    const spec: ObservationSpec = {
      maxCandidates: sim.d.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    const io = observationIo(spec, sim.d.numEnvs);
    const batch = await KernelBatch.create<KernelEntryPoint>(gpu, {
      kernel: 'offload',
      numEnvs: sim.d.numEnvs,
      constants: constants(sim),
      layouts: [allocated.layout, layout, io],
      entryPoints: KERNEL_ENTRY_POINTS,
    });
    return new OffloadGpuEnv(config, sim, tables, spec, batch, allocated, io);
  }

  protected allocate(): AllocatedState<OffloadState> {
    return allocateState(this.sim.d);
  }

  protected metricValue(count: number): number {
    return utilityPerTask(count, this.sim.d);
  }
}
