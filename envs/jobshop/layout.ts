/**
 * Where every field of the job-shop state lives: one description from which the CPU's typed
 * arrays (views into one backing array per buffer) and the WGSL kernel's bindings and offset
 * constants are both derived (src/gpu/layout.ts). Buffers group fields of one shape, so that the
 * kernel needs few storage bindings and no binding exceeds the device's size limit too early.
 *
 * Size tokens: E copies, EJ copies x job slots, EJO copies x job slots x operation slots,
 * EM copies x machine slots, EMS copies x machine slots x interval slots.
 */

import { BATCH_FIELDS } from '../../src/core/batch-env.js';
import {
  buildLayout,
  stateViews,
  type Layout,
  type LayoutSpec,
  type StateOf,
} from '../../src/gpu/layout.js';
import type { Dims } from './types.js';

export const STATE_SPEC = {
  env: {
    type: 'i32',
    fields: {
      /** [E] episodes started by each copy. */
      episode: 'E',
      /** [E] index into the fixed instance list of the current episode (the next is this + numEnvs, modulo the list), -1 for random instances. */
      instanceIndex: 'E',
      /** [E] jobs in this copy's instance (slots beyond are empty jobs). */
      numJobs: 'E',
      /** [E] machines in this copy's instance. */
      numMachines: 'E',
      /** [E] operations not yet scheduled. */
      opsLeft: 'E',
      /** [E] operations in the instance. */
      opsTotal: 'E',
      /** [E] makespan lower bound: max over jobs of (next start + work left), or end for finished jobs. */
      lowerBound: 'E',
      /** [E] the lower bound of the empty schedule (the longest job). */
      initialLowerBound: 'E',
      /** [E] total duration of the scheduled operations. */
      workDone: 'E',
      /** [E] instance index of the last finished episode (-1 for random instances). */
      finalInstanceIndex: 'E',
    },
  },
  /** The copy's random stream and its episode's running return and length (src/core/batch-env.ts). */
  batch: BATCH_FIELDS,
  job: {
    type: 'i32',
    fields: {
      /** [E, J] operations of each job. */
      jobNumOps: 'EJ',
      /** [E, J] index of the next unscheduled operation (== jobNumOps when the job is done). */
      jobNextOp: 'EJ',
      /** [E, J] end time of the job's last scheduled operation (0 before the first). */
      jobReady: 'EJ',
      /** [E, J] total duration of the job's unscheduled operations. */
      jobWorkLeft: 'EJ',
      /** [E, J] machine of the job's next operation, -1 when the job is done. */
      candMachine: 'EJ',
      /** [E, J] earliest start of the job's next operation (gap insertion included). */
      candStart: 'EJ',
      /** [E, J] position in the machine's interval list where that operation would be inserted. */
      candSlot: 'EJ',
    },
  },
  op_instance: {
    type: 'i32',
    fields: {
      /** [E, J, O] machine of each operation. */
      opMachine: 'EJO',
      /** [E, J, O] duration of each operation, 0 beyond jobNumOps. */
      opDuration: 'EJO',
    },
  },
  op_schedule: {
    type: 'i32',
    fields: {
      /** [E, J, O] start time, -1 while unscheduled. */
      opStart: 'EJO',
      /** [E, J, O] start times of the last finished episode (kept across the auto-reset). */
      finalStart: 'EJO',
    },
  },
  mach: {
    type: 'i32',
    fields: {
      /** [E, M] number of scheduled intervals on each machine. */
      machCount: 'EM',
      /** [E, M] total duration of the unscheduled operations on each machine. */
      machWorkLeft: 'EM',
      /** [E, M] total duration of the scheduled operations on each machine. */
      machBusy: 'EM',
      /** [E, M, S] start times of the machine's intervals, sorted. */
      machStart: 'EMS',
      /** [E, M, S] end times of the machine's intervals, sorted. */
      machEnd: 'EMS',
    },
  },
} as const satisfies LayoutSpec;

export type StateLayout = Layout<typeof STATE_SPEC>;

/**
 * The explicit state of a batch, structure of arrays: every field above as its typed view.
 * Nothing else holds state, so the WGSL kernel can mirror it buffer for buffer.
 */
export type State = StateOf<typeof STATE_SPEC>;

export function stateSizes(d: Dims): Record<string, number> {
  const E = d.numEnvs;
  return {
    E,
    EJ: E * d.maxJobs,
    EJO: E * d.maxJobs * d.maxOps,
    EM: E * d.maxMachines,
    EMS: E * d.maxMachines * d.slotsPerMachine,
  };
}

/** The state of a batch and the layout it lives in (the GPU backend uploads `layout.*.data`). */
export function allocateState(d: Dims): { state: State; layout: StateLayout } {
  const layout = buildLayout(STATE_SPEC, stateSizes(d));
  const state = stateViews(layout);
  state.finalStart.fill(-1);
  state.finalInstanceIndex.fill(-1);
  return { state, layout };
}
