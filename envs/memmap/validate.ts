/**
 * An independent check of a finished placement: it recomputes every fact from the trace and the
 * offsets alone, trusting nothing the environment kept.
 */

import type { Placement } from './env.js';
import type { Objective, Trace } from './types.js';

/** Problems with `placement` of `trace` (empty when valid); `metric` is the reported cost. */
export function validatePlacement(
  trace: Trace,
  placement: Placement,
  objective: Objective,
  metric: number,
): string[] {
  const issues: string[] = [];
  const bufs = trace.buffers;
  if (placement.length !== bufs.length) {
    return [`${placement.length} offsets for ${bufs.length} buffers`];
  }
  let peak = 0;
  let spilled = 0;
  bufs.forEach((b, i) => {
    const o = placement[i];
    if (o === null) {
      if (objective === 'fit')
        issues.push(`buffer ${b.id} was not placed (fit mode places every buffer)`);
      spilled += b.benefit;
      return;
    }
    if (!Number.isInteger(o) || o < 0)
      issues.push(`buffer ${b.id}: offset ${o} is not a non-negative integer`);
    if (o % b.alignment !== 0)
      issues.push(`buffer ${b.id}: offset ${o} is not a multiple of its alignment ${b.alignment}`);
    if (objective === 'capacity' && o + b.size > trace.capacity)
      issues.push(`buffer ${b.id}: [${o}, ${o + b.size}) exceeds the capacity ${trace.capacity}`);
    peak = Math.max(peak, o + b.size);
  });
  // Pairs alive at the same time must not share an address: sorted by start, each buffer is
  // compared with the later-starting ones that begin before it ends.
  const order = bufs.map((_, i) => i).filter((i) => placement[i] !== null);
  order.sort((a, b) => bufs[a].start - bufs[b].start);
  for (let x = 0; x < order.length && issues.length < 20; x++) {
    const a = bufs[order[x]];
    const oa = placement[order[x]]!;
    for (let y = x + 1; y < order.length && bufs[order[y]].start < a.end; y++) {
      const b = bufs[order[y]];
      const ob = placement[order[y]]!;
      if (oa < ob + b.size && ob < oa + a.size)
        issues.push(
          `buffers ${a.id} [${a.start}, ${a.end}) at [${oa}, ${oa + a.size}) and ${b.id} [${b.start}, ${b.end}) at [${ob}, ${ob + b.size}) overlap in time and address`,
        );
    }
  }
  const expected = objective === 'fit' ? peak : spilled;
  if (metric !== expected)
    issues.push(
      `reported ${objective === 'fit' ? 'peak' : 'spilled benefit'} ${metric}, the placement gives ${expected}`,
    );
  return issues;
}

/** The placement's peak address (0 when nothing is placed). */
export function peakOf(trace: Trace, placement: Placement): number {
  return trace.buffers.reduce((p, b, i) => {
    const o = placement[i];
    return o === null ? p : Math.max(p, o + b.size);
  }, 0);
}

/** The benefit of the buffers the placement keeps in fast memory. */
export function placedBenefit(trace: Trace, placement: Placement): number {
  return trace.buffers.reduce((s, b, i) => (placement[i] === null ? s : s + b.benefit), 0);
}
