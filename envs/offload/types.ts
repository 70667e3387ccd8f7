/**
 * The edge/cloud offloading problem's plain types: a scenario (fleet, load, network), the queue
 * discipline the simulator runs the edge devices with, and the batch config.
 */

import type { Load, ModelSpec } from './models.js';

/** How an edge device orders its queue: by arrival, deadline, expected time, benefit or utility. */
export const QUEUE_ORDERS = ['fifo', 'edf', 'sjf', 'hbf', 'huf'] as const;
export type QueueOrder = (typeof QUEUE_ORDERS)[number];

/**
 * The simulator's mechanics around the placement decisions (docs/offload.md). A learned policy
 * plays with DEFAULT_DISCIPLINE; each baseline names its own (baselines.ts).
 */
export interface Discipline {
  readonly queue: QueueOrder;
  /** Tasks that would miss their deadline on the edge (pushed back by an insertion, or due to start too late) move to the cloud where it can still meet the deadline at a positive utility, else are dropped. */
  readonly migrate: boolean;
  /** Cloud-bound tasks wait until the last moment the cloud can still meet their deadline, and an idle edge device with an empty queue may take one over. */
  readonly steal: boolean;
  /** The expected cloud latency follows the recent calls' observed latency instead of the table. */
  readonly adaptive: boolean;
}

/**
 * A learned policy's mechanics: DEMS-A's, except that its cloud-bound tasks leave at once. Holding
 * them for stealing spends their slack down to a 50 ms buffer that per-call noise often exceeds,
 * and an overloaded fleet seldom has an idle device to steal with (docs/offload.md, Results).
 */
export const DEFAULT_DISCIPLINE: Discipline = {
  queue: 'edf',
  migrate: true,
  steal: false,
  adaptive: true,
};

/** What one episode simulates: the fleet, the load and the network. */
export interface Scenario {
  readonly load: Load;
  /** Edge devices (1..25); drone j is served by edge j mod edges. */
  readonly edges: number;
  /** Drones (1..80), each streaming one video segment per second. */
  readonly drones: number;
  /** Segments (seconds of video) per episode. */
  readonly segments: number;
  /** Largest change of the network's slowdown factor from one second to the next (0 = steady). */
  readonly drift: number;
  /** Highest slowdown factor of cloud latency the network drifts to (at least 1). */
  readonly maxSlowdown: number;
  /** Per-call cloud latency noise: uniform within +-jitter of the drifting latency. */
  readonly jitter: number;
  /** Edge execution-time noise: uniform within +-edgeNoise of the table's time. */
  readonly edgeNoise: number;
  /** Neighbouring edge devices offered per decision (the least loaded ones). */
  readonly neighbours: number;
  /** Extra time of running a task on a neighbouring device (moving the segment there), ms. */
  readonly transferMs: number;
  /** Extra cost of running a task on a neighbouring device. */
  readonly transferCost: number;
  /** QoE window, in segments. */
  readonly qoeWindow: number;
  /** Training only: reward added per task finished in time (the metric and utilities ignore it). */
  readonly completionBonus: number;
}

export interface OffloadConfig extends Scenario {
  readonly numEnvs: number;
  readonly models: readonly ModelSpec[];
  readonly discipline: Discipline;
}
