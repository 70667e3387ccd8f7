/**
 * Memory mapping (offline static memory allocation, minimalloc's and mallocGame's problem): every
 * buffer of a program is a rectangle in (time x address), its live range [start, end) by its size,
 * and a placement gives each an offset so that buffers alive at the same time never overlap.
 */

import type { Observation } from '../../src/core/vecenv.js';
import type { State } from './layout.js';

export interface MemBuffer {
  /** The caller's name for the buffer (a trace's `id` column); unique within a trace. */
  readonly id: string;
  /** First time step the buffer is alive. */
  readonly start: number;
  /** First time step it is dead again (half-open: [start, end)). */
  readonly end: number;
  /** Bytes. */
  readonly size: number;
  /** Its offset must be a multiple of this (default 1). */
  readonly alignment: number;
  /** What placing it in fast memory is worth (capacity mode); default size x lifetime. */
  readonly benefit: number;
}

export interface Trace {
  readonly name: string;
  /** Bytes of fast memory. */
  readonly capacity: number;
  readonly buffers: readonly MemBuffer[];
}

/**
 * The order buffers are decided in (ties: the next key, then the trace's order).
 * - `start`: by start time, then decreasing size;
 * - `size`: decreasing size, then decreasing lifetime (XLA's spatial order);
 * - `duration`: decreasing lifetime, then decreasing size (XLA's temporal order);
 * - `given`: the trace's own order.
 */
export type DecisionOrder = 'start' | 'size' | 'duration' | 'given';
export const DECISION_ORDERS: readonly DecisionOrder[] = ['start', 'size', 'duration', 'given'];

/**
 * A config's order: one decision order, or `mixed`: every trace in each of the heuristics' orders
 * (size, duration, start), each a table entry of its own, so that a policy trained on them can
 * play in any of the three.
 */
export type ConfigOrder = DecisionOrder | 'mixed';
export const CONFIG_ORDERS: readonly ConfigOrder[] = [...DECISION_ORDERS, 'mixed'];
/** The orders of `mixed`, in table order. */
export const MIXED_ORDERS: readonly DecisionOrder[] = ['size', 'duration', 'start'];

/**
 * - `fit`: every buffer is placed; the metric is the peak address (minimalloc's problem). An
 *   episode may exceed the capacity; it reports by how much.
 * - `capacity`: the capacity is hard and a buffer may be spilled to slow memory; the metric is the
 *   benefit spilled, so that maximizing the benefit placed is minimizing it (mallocGame's problem).
 */
export type Objective = 'fit' | 'capacity';
export const OBJECTIVES: readonly Objective[] = ['fit', 'capacity'];

/**
 * Which trace a copy plays: `sequence`: copy i plays traces[i % T] first and then every numEnvs-th
 * one after it (evaluation suites); `stream`: each episode draws one uniformly from the copy's own
 * random stream (training on a pool of generated traces).
 */
export type TracePick = 'sequence' | 'stream';

export interface MemmapConfig {
  readonly numEnvs: number;
  readonly traces: readonly Trace[];
  readonly pick: TracePick;
  readonly order: ConfigOrder;
  readonly objective: Objective;
  /** K: the lowest K feasible offsets are candidates (plus spilling in capacity mode). */
  readonly candidates: number;
}

/** Array sizes of a batch, derived once from the config. */
export interface Dims {
  readonly numEnvs: number;
  /** N: buffer slots per trace (its largest trace). */
  readonly maxBuffers: number;
  /** T: entries in the table (the traces, three times each in `mixed` order). */
  readonly numTraces: number;
  /** K: offset candidates. */
  readonly offsets: number;
  /** K + 1: the offset candidates and spilling, the last slot. */
  readonly maxCandidates: number;
}

export type { State } from './layout.js';

/** What baselines, the validator and the viewer read from a batch, on either backend. */
export interface MemmapBatch {
  readonly numEnvs: number;
  readonly config: MemmapConfig;
  readonly dims: Dims;
  /** On `webgpu`, current after `syncState()`. */
  readonly state: State;
  readonly obs: Observation;
  readonly table: TraceTable;
}

/** The traces of a config, flattened in decision order (table.ts), read by both backends. */
export interface TraceTable {
  /** [T] the config's trace index of each entry. */
  readonly traceOf: Int32Array;
  /** [T] buffers per trace. */
  readonly numBuffers: Int32Array;
  /** [T] capacity per trace. */
  readonly capacity: Int32Array;
  /** [T] the most bytes alive at one time: a lower bound of the peak. */
  readonly lowerBound: Int32Array;
  /** [T] the last end time of the trace (its horizon). */
  readonly horizon: Int32Array;
  /** [T, N] the trace's index of the buffer decided k-th. */
  readonly bufIndex: Int32Array;
  readonly bufStart: Int32Array;
  readonly bufEnd: Int32Array;
  readonly bufSize: Int32Array;
  readonly bufAlign: Int32Array;
  /** [T, N] the benefit as two 32-bit words, so that sums stay exact on the device. */
  readonly benefitLo: Uint32Array;
  readonly benefitHi: Uint32Array;
  /** [T, N] the reward of spilling it: -(benefit share of the trace) x REWARD_UNIT, as f32. */
  readonly spillReward: Float32Array;
  /** [T, N] share of the trace's area (size x lifetime) in this buffer and those decided after it. */
  readonly areaFrom: Float32Array;
}
