/**
 * Static list schedulers for one task graph: HEFT and CPOP (Topcuoglu, Hariri and Wu 2002) and
 * PEFT (Arabnejad and Barbosa 2014), written from the papers. All place a task by insertion: in
 * the earliest idle gap of the processor, after its inputs have arrived, that holds it.
 * Ties go to the lower task index and the lower processor index.
 */

import {
  adjacency,
  meanExecTime,
  meanTransferTime,
  topologicalOrder,
  transferTime,
} from './graph.js';
import type { DagSchedule, Platform, TaskGraph } from './types.js';

/** A growing schedule: per processor, its busy intervals sorted by start. */
class Timeline {
  readonly busy: [number, number][][];
  readonly proc: number[];
  readonly start: number[];
  readonly finish: number[];

  constructor(
    readonly g: TaskGraph,
    readonly platform: Platform,
  ) {
    this.busy = Array.from({ length: platform.numProcs }, () => []);
    this.proc = new Array<number>(g.numTasks).fill(-1);
    this.start = new Array<number>(g.numTasks).fill(-1);
    this.finish = new Array<number>(g.numTasks).fill(-1);
  }

  /** When all of t's inputs can be on processor p (its predecessors must be placed). */
  dataReady(t: number, p: number, preds: readonly (readonly [number, number])[]): number {
    let ready = 0;
    for (const [q, volume] of preds) {
      if (this.proc[q] < 0) throw new Error(`task ${t} placed before its predecessor ${q}`);
      ready = Math.max(
        ready,
        this.finish[q] + transferTime(this.platform, volume, this.proc[q], p),
      );
    }
    return ready;
  }

  /** Earliest start of a task of length `w` on p, not before `ready`, in a gap or at the end. */
  earliestStart(p: number, ready: number, w: number): number {
    let t = ready;
    for (const [s, e] of this.busy[p]) {
      if (t + w <= s) return t;
      t = Math.max(t, e);
    }
    return t;
  }

  place(t: number, p: number, start: number): void {
    const finish = start + this.g.exec[t][p];
    this.proc[t] = p;
    this.start[t] = start;
    this.finish[t] = finish;
    const list = this.busy[p];
    let i = 0;
    while (i < list.length && list[i][0] <= start) i++;
    list.splice(i, 0, [start, finish]);
  }

  /** Earliest finish of t on p with insertion, and its start. */
  eft(
    t: number,
    p: number,
    preds: readonly (readonly [number, number])[],
  ): { start: number; finish: number } {
    const w = this.g.exec[t][p];
    if (!Number.isFinite(w)) return { start: Infinity, finish: Infinity };
    const start = this.earliestStart(p, this.dataReady(t, p, preds), w);
    return { start, finish: start + w };
  }

  schedule(): DagSchedule {
    return { proc: [...this.proc], start: [...this.start], finish: [...this.finish] };
  }
}

export function makespanOf(s: DagSchedule): number {
  return Math.max(0, ...s.finish);
}

/**
 * The ready-list scheme of CPOP and PEFT: repeatedly take the ready task (every predecessor
 * placed) of highest `priority` (ties: lower index) and place it, by insertion, on the processor
 * among `procs(t)` of lowest `score` (ties: lower processor).
 */
function readyListSchedule(
  g: TaskGraph,
  platform: Platform,
  priority: readonly number[],
  procs: (t: number) => readonly number[],
  score: (t: number, p: number, c: { start: number; finish: number }) => number,
): DagSchedule {
  const { preds, succs } = adjacency(g);
  const tl = new Timeline(g, platform);
  const waiting = preds.map((p) => p.length);
  const ready = new Set<number>(waiting.flatMap((w, t) => (w === 0 ? [t] : [])));
  while (ready.size > 0) {
    const t = [...ready].sort((a, b) => priority[b] - priority[a] || a - b)[0];
    ready.delete(t);
    let best = { p: -1, start: 0, score: Infinity };
    for (const p of procs(t)) {
      const c = tl.eft(t, p, preds[t]);
      const v = score(t, p, c);
      if (v < best.score) best = { p, start: c.start, score: v };
    }
    tl.place(t, best.p, best.start);
    for (const [s] of succs[t]) if (--waiting[s] === 0) ready.add(s);
  }
  return tl.schedule();
}

/** Upward rank: mean execution time plus the longest mean path to an exit task. */
export function upwardRank(g: TaskGraph, platform: Platform): number[] {
  const { succs } = adjacency(g);
  const rank = new Array<number>(g.numTasks).fill(0);
  for (const t of topologicalOrder(g).reverse()) {
    let tail = 0;
    for (const [s, volume] of succs[t])
      tail = Math.max(tail, meanTransferTime(platform, volume) + rank[s]);
    rank[t] = meanExecTime(g, t) + tail;
  }
  return rank;
}

/** Downward rank: the longest mean path from an entry task, excluding t itself. */
export function downwardRank(g: TaskGraph, platform: Platform): number[] {
  const { preds } = adjacency(g);
  const rank = new Array<number>(g.numTasks).fill(0);
  for (const t of topologicalOrder(g)) {
    for (const [q, volume] of preds[t])
      rank[t] = Math.max(
        rank[t],
        rank[q] + meanExecTime(g, q) + meanTransferTime(platform, volume),
      );
  }
  return rank;
}

/** Indices sorted by decreasing key, ties by increasing index. */
const byDecreasing = (key: readonly number[]): number[] =>
  key.map((_, i) => i).sort((a, b) => key[b] - key[a] || a - b);

/** HEFT: tasks by decreasing upward rank, each on the processor where it finishes first. */
export function heft(g: TaskGraph, platform: Platform): DagSchedule {
  const { preds } = adjacency(g);
  const tl = new Timeline(g, platform);
  for (const t of byDecreasing(upwardRank(g, platform))) {
    let best = { p: -1, start: 0, finish: Infinity };
    for (let p = 0; p < platform.numProcs; p++) {
      const c = tl.eft(t, p, preds[t]);
      if (c.finish < best.finish) best = { p, ...c };
    }
    tl.place(t, best.p, best.start);
  }
  return tl.schedule();
}

/**
 * CPOP: priority = upward + downward rank. The tasks on the critical path (priority equal to the
 * entry task's) all go to the one processor that runs them fastest in total; the others to their
 * earliest-finish processor. Ready tasks are taken by highest priority.
 */
export function cpop(g: TaskGraph, platform: Platform): DagSchedule {
  const { preds, succs } = adjacency(g);
  const up = upwardRank(g, platform);
  const down = downwardRank(g, platform);
  const priority = up.map((u, t) => u + down[t]);
  const entry = preds.findIndex((p) => p.length === 0);
  const cpLength = priority[entry];
  const eps = 1e-9 * Math.max(1, cpLength);
  // Walk the critical path from the entry: each step, the successor with the critical priority.
  const critical = new Set<number>([entry]);
  for (let t = entry; succs[t].length > 0;) {
    const next = succs[t].map(([s]) => s).find((s) => Math.abs(priority[s] - cpLength) <= eps);
    if (next === undefined) break;
    critical.add(next);
    t = next;
  }
  let cpProc = 0;
  let cpCost = Infinity;
  for (let p = 0; p < platform.numProcs; p++) {
    let cost = 0;
    for (const t of critical) cost += g.exec[t][p];
    if (cost < cpCost) [cpProc, cpCost] = [p, cost];
  }
  const allProcs = [...Array(platform.numProcs).keys()];
  return readyListSchedule(
    g,
    platform,
    priority,
    (t) => (critical.has(t) ? [cpProc] : allProcs),
    (_t, _p, c) => c.finish,
  );
}

/**
 * ETF, earliest task first (Hwang et al. 1989), the default scheduler of DS3: among all ready
 * tasks (every predecessor placed) and all processors, place the pair that finishes first; a task
 * starts once its inputs have arrived and its processor is free (no insertion), as in DS3.
 */
export function etf(g: TaskGraph, platform: Platform): DagSchedule {
  const { preds, succs } = adjacency(g);
  const tl = new Timeline(g, platform);
  const free = new Array<number>(platform.numProcs).fill(0);
  const waiting = preds.map((p) => p.length);
  const ready = waiting.flatMap((w, t) => (w === 0 ? [t] : []));
  while (ready.length > 0) {
    let best = { t: -1, p: -1, start: 0, finish: Infinity };
    for (const t of [...ready].sort((a, b) => a - b)) {
      for (let p = 0; p < platform.numProcs; p++) {
        const w = g.exec[t][p];
        if (!Number.isFinite(w)) continue;
        const start = Math.max(free[p], tl.dataReady(t, p, preds[t]));
        if (start + w < best.finish) best = { t, p, start, finish: start + w };
      }
    }
    tl.place(best.t, best.p, best.start);
    free[best.p] = best.finish;
    ready.splice(ready.indexOf(best.t), 1);
    for (const [s] of succs[best.t]) if (--waiting[s] === 0) ready.push(s);
  }
  return tl.schedule();
}

/** PEFT's optimistic cost table: OCT[t][p], the best remaining path length after t if t runs on p. */
export function optimisticCostTable(g: TaskGraph, platform: Platform): number[][] {
  const { succs } = adjacency(g);
  const P = platform.numProcs;
  const oct: number[][] = Array.from({ length: g.numTasks }, () => new Array<number>(P).fill(0));
  for (const t of topologicalOrder(g).reverse()) {
    for (let p = 0; p < P; p++) {
      let worst = 0;
      for (const [s, volume] of succs[t]) {
        let best = Infinity;
        for (let w = 0; w < P; w++) {
          const comm = w === p ? 0 : meanTransferTime(platform, volume);
          best = Math.min(best, oct[s][w] + g.exec[s][w] + comm);
        }
        worst = Math.max(worst, best);
      }
      oct[t][p] = worst;
    }
  }
  return oct;
}

/**
 * PEFT: ready tasks by decreasing rank_oct (the mean of their OCT row); each goes to the processor
 * minimizing its earliest finish plus its OCT there.
 */
export function peft(g: TaskGraph, platform: Platform): DagSchedule {
  const oct = optimisticCostTable(g, platform);
  const rank = oct.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
  const allProcs = [...Array(platform.numProcs).keys()];
  return readyListSchedule(
    g,
    platform,
    rank,
    () => allProcs,
    (t, p, c) => c.finish + oct[t][p],
  );
}
