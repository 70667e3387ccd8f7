/** Structural helpers over a task graph and platform: adjacency, order, transfer costs. */

import type { Platform, TaskGraph } from './types.js';

export interface Adjacency {
  /** preds[t]: [predecessor, volume] pairs. */
  readonly preds: readonly (readonly [number, number])[][];
  /** succs[t]: [successor, volume] pairs. */
  readonly succs: readonly (readonly [number, number])[][];
}

export function adjacency(g: TaskGraph): Adjacency {
  const preds: [number, number][][] = Array.from({ length: g.numTasks }, () => []);
  const succs: [number, number][][] = Array.from({ length: g.numTasks }, () => []);
  for (const e of g.edges) {
    preds[e.to].push([e.from, e.volume]);
    succs[e.from].push([e.to, e.volume]);
  }
  return { preds, succs };
}

/** Tasks in an order where every task comes after its predecessors; throws on a cycle. */
export function topologicalOrder(g: TaskGraph): number[] {
  const { succs, preds } = adjacency(g);
  const indegree = preds.map((p) => p.length);
  const ready = indegree.flatMap((d, t) => (d === 0 ? [t] : []));
  const order: number[] = [];
  while (ready.length > 0) {
    const t = ready.shift()!;
    order.push(t);
    for (const [s] of succs[t]) if (--indegree[s] === 0) ready.push(s);
  }
  if (order.length !== g.numTasks) throw new Error(`task graph ${g.name} has a cycle`);
  return order;
}

/** Time to move `volume` from processor p to q. */
export function transferTime(platform: Platform, volume: number, p: number, q: number): number {
  const bw = platform.bandwidth[p][q];
  if (volume === 0 || !Number.isFinite(bw)) return 0;
  const t = volume / bw;
  return platform.truncateTransfers ? Math.floor(t) : t;
}

/** Mean transfer time of `volume` over all ordered pairs of different processors. */
export function meanTransferTime(platform: Platform, volume: number): number {
  const n = platform.numProcs;
  if (n < 2 || volume === 0) return 0;
  let sum = 0;
  for (let p = 0; p < n; p++)
    for (let q = 0; q < n; q++) if (p !== q) sum += volume / platform.bandwidth[p][q];
  return sum / (n * (n - 1));
}

/** Mean execution time of task t over the processors that can run it. */
export function meanExecTime(g: TaskGraph, t: number): number {
  const finite = g.exec[t].filter(Number.isFinite);
  return finite.reduce((a, b) => a + b, 0) / finite.length;
}
