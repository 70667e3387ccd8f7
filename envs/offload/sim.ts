/**
 * The numbers of a config as the simulation reads them: sizes, and the scenario's fractions as
 * integer permille, so that every event time is an exact integer on both backends.
 */

import { dims, ORDER_CODE, type Dims } from './layout.js';
import type { OffloadConfig } from './types.js';

export interface Sim {
  readonly d: Dims;
  /** Largest per-second change of the network factor, permille. */
  readonly drift: number;
  /** Highest network factor, permille (the lowest is 800). */
  readonly maxFactor: number;
  readonly jitter: number;
  readonly edgeNoise: number;
  readonly transferMs: number;
  readonly transferCost: number;
  /** Reward per task finished in time, on top of its utility (training only). */
  readonly bonus: number;
  /** ORDER_CODE of the queue order. */
  readonly order: number;
  readonly migrate: boolean;
  readonly steal: boolean;
  readonly adaptive: boolean;
}

/** The network factor never falls below this (a network somewhat faster than the table's). */
export const MIN_FACTOR = 800;

const permille = (x: number): number => Math.round(x * 1000);

export function simOf(c: OffloadConfig): Sim {
  return {
    d: dims(c),
    drift: permille(c.drift),
    maxFactor: Math.max(1000, permille(c.maxSlowdown)),
    jitter: permille(c.jitter),
    edgeNoise: permille(c.edgeNoise),
    transferMs: c.transferMs,
    transferCost: c.transferCost,
    bonus: c.completionBonus,
    order: ORDER_CODE[c.discipline.queue],
    migrate: c.discipline.migrate,
    steal: c.discipline.steal,
    adaptive: c.discipline.adaptive,
  };
}
