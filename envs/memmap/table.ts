/**
 * A config's traces flattened into typed arrays, in decision order: what both backends read (the
 * CPU reference directly, the kernel as a read-only storage buffer), built once per batch.
 */

import { decisionOrder, liveBytesBound } from './traces.js';
import {
  MIXED_ORDERS,
  type ConfigOrder,
  type DecisionOrder,
  type Trace,
  type TraceTable,
} from './types.js';

/** Spilling all of a trace's benefit earns -REWARD_UNIT in capacity mode (bytes-like units). */
export const REWARD_UNIT = 1 << 20;

const TWO_32 = 2 ** 32;

/** The table's entries: (trace index, order) pairs, each trace once per order of `order`. */
export function tableEntries(numTraces: number, order: ConfigOrder): [number, DecisionOrder][] {
  const orders = order === 'mixed' ? MIXED_ORDERS : [order];
  return orders.flatMap((o) =>
    Array.from({ length: numTraces }, (_, t): [number, DecisionOrder] => [t, o]),
  );
}

export function buildTable(
  traces: readonly Trace[],
  order: ConfigOrder,
  maxBuffers: number,
): TraceTable {
  const entries = tableEntries(traces.length, order);
  const T = Math.max(1, entries.length);
  const N = maxBuffers;
  const i32 = (n: number): Int32Array => new Int32Array(n);
  const table: TraceTable = {
    traceOf: i32(T),
    numBuffers: i32(T),
    capacity: i32(T),
    lowerBound: i32(T),
    horizon: i32(T),
    bufIndex: i32(T * N),
    bufStart: i32(T * N),
    bufEnd: i32(T * N),
    bufSize: i32(T * N),
    bufAlign: i32(T * N),
    benefitLo: new Uint32Array(T * N),
    benefitHi: new Uint32Array(T * N),
    spillReward: new Float32Array(T * N),
    areaFrom: new Float32Array(T * N),
  };
  entries.forEach(([index, entryOrder], t) => {
    const trace = traces[index];
    const bufs = trace.buffers;
    table.traceOf[t] = index;
    table.numBuffers[t] = bufs.length;
    table.capacity[t] = trace.capacity;
    table.lowerBound[t] = liveBytesBound(bufs);
    table.horizon[t] = Math.max(...bufs.map((b) => b.end));
    const totalBenefit = bufs.reduce((s, b) => s + b.benefit, 0);
    const area = (i: number): number => bufs[i].size * (bufs[i].end - bufs[i].start);
    const totalArea = bufs.reduce((s, _, i) => s + area(i), 0);
    const ord = decisionOrder(bufs, entryOrder);
    let after = totalArea;
    ord.forEach((i, k) => {
      const b = bufs[i];
      const at = t * N + k;
      table.bufIndex[at] = i;
      table.bufStart[at] = b.start;
      table.bufEnd[at] = b.end;
      table.bufSize[at] = b.size;
      table.bufAlign[at] = b.alignment;
      table.benefitLo[at] = b.benefit % TWO_32;
      table.benefitHi[at] = Math.floor(b.benefit / TWO_32);
      // Rounded to f32 here, so that both backends read one value; 0 - x keeps a zero +0.
      table.spillReward[at] =
        totalBenefit > 0 ? 0 - Math.fround((b.benefit / totalBenefit) * REWARD_UNIT) : 0;
      table.areaFrom[at] = totalArea > 0 ? Math.max(0, after) / totalArea : 0;
      after -= area(i);
    });
  });
  return table;
}
