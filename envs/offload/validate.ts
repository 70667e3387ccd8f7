/**
 * An independent check of a finished offloading episode, from its records alone: every task
 * accounted for once (finished or dropped), nothing before its arrival, each edge device running
 * one task at a time for a plausible time, cloud calls within the network's bounds, and the
 * reported metric equal to the QoS utility per task recomputed from the records.
 */

import { MIN_FACTOR } from './sim.js';
import { DONE, DROPPED } from './layout.js';
import { qosUtility, type TaskRecord } from './records.js';
import type { OffloadConfig } from './types.js';

export function validateEpisode(
  records: readonly TaskRecord[],
  c: OffloadConfig,
  metric: number,
): string[] {
  const issues: string[] = [];
  const N = c.segments * c.drones * c.models.length;
  if (records.length !== N) issues.push(`${records.length} task records, expected ${N}`);
  const perEdge: TaskRecord[][] = Array.from({ length: c.edges }, () => []);
  for (const r of records) {
    const what = `task ${r.index} (${c.models[r.model].name}, drone ${r.drone})`;
    if (r.status !== DONE && r.status !== DROPPED) {
      issues.push(`${what} is neither finished nor dropped (status ${r.status})`);
      continue;
    }
    if ((r.status === DROPPED) !== (r.place === 'drop'))
      issues.push(`${what}: status ${r.status} does not match its place ${r.place}`);
    if (r.place === 'drop') continue;
    if (r.start < r.arrival)
      issues.push(`${what} started at ${r.start} before it arrived at ${r.arrival}`);
    const m = c.models[r.model];
    const took = r.finish - r.start;
    if (r.place === 'cloud') {
      const most = Math.ceil(m.cloudMs * Math.max(1, c.maxSlowdown) * (1 + c.jitter)) + 1;
      const least = Math.floor(m.cloudMs * (MIN_FACTOR / 1000) * (1 - c.jitter)) - 1;
      if (!(took >= Math.max(1, least) && took <= most))
        issues.push(`${what}: a cloud call of ${took} ms, outside ${least}..${most} ms`);
      continue;
    }
    if (!(Number.isInteger(r.place) && r.place >= 0 && r.place < c.edges)) {
      issues.push(`${what} ran on unknown edge ${r.place}`);
      continue;
    }
    const transfer = r.place === r.source ? 0 : c.transferMs;
    const noise = Math.floor(m.edgeMs * c.edgeNoise) + 1;
    if (!(took >= m.edgeMs - noise + transfer && took <= m.edgeMs + noise + transfer))
      issues.push(
        `${what}: ran ${took} ms on edge ${r.place}, expected ${m.edgeMs + transfer} +- ${noise}`,
      );
    perEdge[r.place].push(r);
  }
  perEdge.forEach((runs, edge) => {
    runs.sort((a, b) => a.start - b.start || a.index - b.index);
    for (let k = 1; k < runs.length; k++)
      if (runs[k].start < runs[k - 1].finish)
        issues.push(
          `edge ${edge} runs task ${runs[k].index} from ${runs[k].start} while task ${runs[k - 1].index} runs until ${runs[k - 1].finish}`,
        );
  });
  const perTask = qosUtility(records, c) / N;
  if (!(Math.abs(perTask - metric) <= 1e-9 * Math.max(1, Math.abs(perTask))))
    issues.push(`reported utility per task ${metric}, the records give ${perTask}`);
  return issues;
}
