/**
 * Where every field of a batch of offloading episodes lives (src/gpu/layout.ts derives the CPU's
 * typed arrays and the kernel's bindings from it), and the read-only tables both backends read.
 *
 * Size tokens: E copies, ED copies x edges, EDQ copies x edges x queue slots, ER copies x drones,
 * ES copies x (segments + 1), EN copies x tasks per episode, EK copies x candidates, EH copies x
 * the cloud-latency history.
 */

import { BATCH_FIELDS } from '../../src/core/batch-env.js';
import { buildLayout, stateViews, type LayoutSpec, type StateOf } from '../../src/gpu/layout.js';
import type { OffloadConfig, QueueOrder } from './types.js';

/** Task status codes. */
export const FUTURE = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const HELD = 3;
export const CLOUD = 4;
export const DONE = 5;
export const DROPPED = 6;

/** taskPlace of a task sent to the cloud or dropped (edges are 0..edges-1). */
export const CLOUD_PLACE = 0xfffe;
export const DROP_PLACE = 0xffff;
/** edgeRunning of an idle edge. */
export const NONE = 0xffffffff;
/** Queue slots of an edge device: more queued work than this could never meet a deadline. */
export const QUEUE_SLOTS = 16;
/** Cloud calls whose observed latency the adaptive expectation averages. */
export const HISTORY = 8;
/** A segment's length, ms. */
export const SEGMENT_MS = 1000;
/** Cloud-bound tasks held for stealing leave for the cloud this long before the last moment (the study's buffer). */
export const HOLD_MARGIN_MS = 50;
/** The utility sum is kept as a count offset by this much per task, so that it is never negative. */
export const UTILITY_OFFSET = 10_000;

export const STATE_SPEC = {
  env: {
    type: 'u32',
    fields: {
      /** [E] simulated time, ms. */
      now: 'E',
      /** [E] the task being decided (tasks arrive in index order). */
      next: 'E',
      /** [E] the lowest task index not yet resolved: scans start here. */
      low: 'E',
      /** [E] tasks resolved: finished, or dropped. */
      resolved: 'E',
      /** [E] tasks finished by their deadline. */
      met: 'E',
      /** [E] keys the noise of this episode's tasks. */
      episodeKey: 'E',
      /** [E] cloud calls observed so far in the episode (the history holds the last HISTORY). */
      observed: 'E',
      /** [E] QoS utility of the episode so far + UTILITY_OFFSET x tasks. */
      utility: 'E',
      /** [E, H] observed / table latency of recent cloud calls, permille (a ring). */
      history: 'EH',
      /** [E, D] task an edge is running, NONE when idle. */
      edgeRunning: 'ED',
      /** [E, D] when the running task ends. */
      edgeFree: 'ED',
      /** [E, D] tasks queued on each edge. */
      queueLength: 'ED',
      /** [E, D, Q] each edge's queue in order (task indices). */
      queue: 'EDQ',
      /** [E, R] each drone's offset of its segments within the second, ms. */
      dronePhase: 'ER',
      /** [E, S+1] the network's slowdown of cloud latency in each second, permille. */
      netFactor: 'ES',
      /** [E, K] the edge of each edge candidate (own edge first, then neighbours). */
      candidateEdge: 'EK',
    },
  },
  batch: BATCH_FIELDS,
  task: {
    type: 'u32',
    fields: {
      /** [E, N] FUTURE, QUEUED, RUNNING, HELD, CLOUD, DONE or DROPPED. */
      taskStatus: 'EN',
      /** [E, N] edge index, CLOUD_PLACE or DROP_PLACE. */
      taskPlace: 'EN',
      /** [E, N] when it started on its edge or left for the cloud, ms. */
      taskStart: 'EN',
      /** [E, N] when it finished, ms. */
      taskFinish: 'EN',
    },
  },
  record: {
    type: 'u32',
    fields: {
      /** [E, N] the last finished episode's taskPlace (kept across the auto-reset). */
      finalPlace: 'EN',
      /** [E, N] its taskStatus (DONE or DROPPED). */
      finalStatus: 'EN',
      /** [E, N] its taskStart. */
      finalStart: 'EN',
      /** [E, N] its taskFinish. */
      finalFinish: 'EN',
      /** [E, R] its drone phases (arrival times). */
      finalPhase: 'ER',
    },
  },
} as const satisfies LayoutSpec;

export type OffloadState = StateOf<typeof STATE_SPEC>;

/** Array sizes of a batch, and the config's numbers as the simulation reads them. */
export interface Dims {
  readonly numEnvs: number;
  readonly edges: number;
  readonly drones: number;
  readonly segments: number;
  /** Models of the load: tasks per drone per segment. */
  readonly models: number;
  /** Tasks per episode: segments x drones x models. */
  readonly tasks: number;
  /** Neighbours offered: min(neighbours, edges - 1). */
  readonly neighbours: number;
  /** K: own edge, neighbours, cloud, drop. */
  readonly maxCandidates: number;
}

export function dims(c: OffloadConfig): Dims {
  const models = c.models.length;
  const neighbours = Math.min(c.neighbours, c.edges - 1);
  return {
    numEnvs: c.numEnvs,
    edges: c.edges,
    drones: c.drones,
    segments: c.segments,
    models,
    tasks: c.segments * c.drones * models,
    neighbours,
    maxCandidates: neighbours + 3,
  };
}

export function allocateState(d: Dims) {
  const E = d.numEnvs;
  const layout = buildLayout(STATE_SPEC, {
    E,
    EH: E * HISTORY,
    ED: E * d.edges,
    EDQ: E * d.edges * QUEUE_SLOTS,
    ER: E * d.drones,
    ES: E * (d.segments + 1),
    EN: E * d.tasks,
    EK: E * d.maxCandidates,
  });
  return { state: stateViews(layout), layout };
}

/** The per-model numbers of the load, as both backends read them (one row per model of the load). */
export const TABLE_SPEC = {
  tables: {
    type: 'u32',
    access: 'read',
    fields: {
      /** [M] index of the model in the full table (HV 0 .. DEO 5), for the features. */
      modelId: 'M',
      edgeMs: 'M',
      cloudMs: 'M',
      deadlineMs: 'M',
      benefit: 'M',
      cloudCost: 'M',
      edgeCost: 'M',
      /** [M] the queue key of the order that does not depend on the task (sjf, hbf, huf). */
      staticKey: 'M',
    },
  },
} as const satisfies LayoutSpec;

export type Tables = StateOf<typeof TABLE_SPEC>;

/** Keys of the task-independent orders; fifo and edf key by index and absolute deadline. */
const KEY_BASE = 1_000_000;

export function staticKey(order: QueueOrder, m: OffloadConfig['models'][number]): number {
  if (order === 'sjf') return m.edgeMs;
  if (order === 'hbf') return KEY_BASE - m.benefit;
  if (order === 'huf') return KEY_BASE - (m.benefit - m.edgeCost);
  return 0;
}

export function buildTables(c: OffloadConfig) {
  const layout = buildLayout(TABLE_SPEC, { M: c.models.length });
  const t = stateViews(layout);
  const ids = ['HV', 'MD', 'BP', 'DEV', 'CD', 'DEO'];
  c.models.forEach((m, i) => {
    t.modelId[i] = Math.max(0, ids.indexOf(m.name));
    t.edgeMs[i] = m.edgeMs;
    t.cloudMs[i] = m.cloudMs;
    t.deadlineMs[i] = m.deadlineMs;
    t.benefit[i] = m.benefit;
    t.cloudCost[i] = m.cloudCost;
    t.edgeCost[i] = m.edgeCost;
    t.staticKey[i] = staticKey(c.discipline.queue, m);
  });
  return { tables: t, layout };
}

/** Queue orders as the kernel's constant QUEUE_ORDER numbers them. */
export const ORDER_CODE: Readonly<Record<QueueOrder, number>> = {
  fifo: 0,
  edf: 1,
  sjf: 2,
  hbf: 3,
  huf: 4,
};
