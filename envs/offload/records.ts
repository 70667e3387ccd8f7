/**
 * A finished episode as plain records, read from the state's `final*` fields (kept across the
 * auto-reset on both backends), and the figures computed from them afresh: completion, QoS
 * utility, QoE utility. The validator and the extras read these, not the simulator's counters.
 */

import { CLOUD_PLACE, DONE, DROPPED, DROP_PLACE, SEGMENT_MS, type OffloadState } from './layout.js';
import type { OffloadConfig } from './types.js';

export interface TaskRecord {
  readonly index: number;
  /** Index into config.models. */
  readonly model: number;
  readonly drone: number;
  /** The edge device serving its drone. */
  readonly source: number;
  readonly arrival: number;
  readonly deadline: number;
  /** 'drop', 'cloud', or the edge device that ran it. */
  readonly place: number | 'cloud' | 'drop';
  readonly start: number;
  readonly finish: number;
  /** DONE or DROPPED as recorded (anything else is a bug the validator reports). */
  readonly status: number;
}

/** Copy e's last finished episode, task by task, recomputing arrivals from the drones' phases. */
export function finishedTasks(s: OffloadState, c: OffloadConfig, e: number): TaskRecord[] {
  const M = c.models.length;
  const N = c.segments * c.drones * M;
  return Array.from({ length: N }, (_, i) => {
    const model = i % M;
    const drone = Math.floor(i / M) % c.drones;
    const segment = Math.floor(i / (M * c.drones));
    const arrival = segment * SEGMENT_MS + s.finalPhase[e * c.drones + drone];
    const raw = s.finalPlace[e * N + i];
    return {
      index: i,
      model,
      drone,
      source: drone % c.edges,
      arrival,
      deadline: arrival + c.models[model].deadlineMs,
      place: raw === CLOUD_PLACE ? 'cloud' : raw === DROP_PLACE ? 'drop' : raw,
      start: s.finalStart[e * N + i],
      finish: s.finalFinish[e * N + i],
      status: s.finalStatus[e * N + i],
    };
  });
}

export const onTime = (r: TaskRecord): boolean =>
  r.status === DONE && r.place !== 'drop' && r.finish <= r.deadline;

/** What running task r where it ran cost. */
export function taskCost(r: TaskRecord, c: OffloadConfig): number {
  const m = c.models[r.model];
  if (r.place === 'drop' || r.status === DROPPED) return 0;
  if (r.place === 'cloud') return m.cloudCost;
  return m.edgeCost + (r.place === r.source ? 0 : c.transferCost);
}

/** QoS utility: benefit of every task in time, minus the cost of every task run. */
export function qosUtility(records: readonly TaskRecord[], c: OffloadConfig): number {
  return records.reduce(
    (sum, r) => sum + (onTime(r) ? c.models[r.model].benefit : 0) - taskCost(r, c),
    0,
  );
}

/**
 * QoE utility (GEMS): for every window of qoeWindow segments (by arrival) and model, the model's
 * bonus when the fraction of its tasks of the window finished in time reaches its target.
 */
export function qoeUtility(records: readonly TaskRecord[], c: OffloadConfig): number {
  const windows = Math.ceil(c.segments / c.qoeWindow);
  const M = c.models.length;
  const total = new Array<number>(windows * M).fill(0);
  const met = new Array<number>(windows * M).fill(0);
  for (const r of records) {
    const w = Math.min(Math.floor(r.arrival / (c.qoeWindow * SEGMENT_MS)), windows - 1);
    total[w * M + r.model]++;
    if (onTime(r)) met[w * M + r.model]++;
  }
  let sum = 0;
  for (let k = 0; k < total.length; k++)
    if (total[k] > 0 && met[k] / total[k] >= c.models[k % M].qoeTarget)
      sum += c.models[k % M].qoeBonus;
  return sum;
}

/** The figures reported beside the metric. */
export function episodeFigures(records: readonly TaskRecord[], c: OffloadConfig) {
  return {
    'completion %': (100 * records.filter(onTime).length) / records.length,
    'QoS utility': qosUtility(records, c),
    'QoE utility': qoeUtility(records, c),
    'cloud %': (100 * records.filter((r) => r.place === 'cloud').length) / records.length,
  };
}
