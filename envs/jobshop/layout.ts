/**
 * Where every field of the job-shop state lives: one description from which the CPU's typed
 * arrays (views into one backing array per buffer) and the WGSL kernel's bindings and offset
 * constants are both derived (src/gpu/layout.ts). Buffers group fields of one shape, so that the
 * kernel needs few storage bindings and no binding exceeds the device's size limit too early.
 *
 * Size tokens: E copies, EJ copies x job slots, EJO copies x job slots x operation slots,
 * EM copies x machine slots, EMS copies x machine slots x interval slots.
 */

import { buildLayout, type Layout, type LayoutSpec } from '../../src/gpu/layout.js';
import type { Dims, State } from './types.js';

export const STATE_SPEC = {
  env: {
    type: 'i32',
    fields: {
      episode: 'E',
      instanceIndex: 'E',
      numJobs: 'E',
      numMachines: 'E',
      opsLeft: 'E',
      opsTotal: 'E',
      lowerBound: 'E',
      initialLowerBound: 'E',
      workDone: 'E',
      episodeReturn: 'E',
      episodeLength: 'E',
      finalInstanceIndex: 'E',
    },
  },
  rng: { type: 'u32', fields: { rng: 'E' } },
  job: {
    type: 'i32',
    fields: {
      jobNumOps: 'EJ',
      jobNextOp: 'EJ',
      jobReady: 'EJ',
      jobWorkLeft: 'EJ',
      candMachine: 'EJ',
      candStart: 'EJ',
      candSlot: 'EJ',
    },
  },
  op_instance: { type: 'i32', fields: { opMachine: 'EJO', opDuration: 'EJO' } },
  op_schedule: { type: 'i32', fields: { opStart: 'EJO', finalStart: 'EJO' } },
  mach: {
    type: 'i32',
    fields: {
      machCount: 'EM',
      machWorkLeft: 'EM',
      machBusy: 'EM',
      machStart: 'EMS',
      machEnd: 'EMS',
    },
  },
} as const satisfies LayoutSpec;

export type StateLayout = Layout<typeof STATE_SPEC>;

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
  const views: State = {
    ...layout.env.views,
    ...layout.rng.views,
    ...layout.job.views,
    ...layout.op_instance.views,
    ...layout.op_schedule.views,
    ...layout.mach.views,
  };
  // The spread above lets the compiler check that every field is there; the copy below is what
  // the hot loops use. An object built by spreading 30 fields ends up with slow property access
  // in V8 (seen here: twice the step time on 968-job instances), one built field by field does not.
  const fields = {} as Record<string, unknown>;
  for (const [name, view] of Object.entries(views)) fields[name] = view;
  const state = fields as unknown as State;
  state.finalStart.fill(-1);
  state.finalInstanceIndex.fill(-1);
  return { state, layout };
}
