/**
 * Random layered task graphs with the parameters of Topcuoglu, Hariri and Wu (2002, section 5.1),
 * drawn from schedrl's counter-based RNG:
 * - `tasks` (v): number of tasks;
 * - `shape` (alpha): the graph has about sqrt(v) / alpha levels of about alpha * sqrt(v) tasks;
 * - `outDegree`: each task sends to 1..outDegree tasks of later levels (the last level sends none);
 * - `ccr`: mean communication cost over mean computation cost;
 * - `heterogeneity` (beta): a task of mean cost w costs between w (1 - beta/2) and w (1 + beta/2)
 *   on the different processors;
 * - `meanCost` (w_dag): the mean computation cost; task means are uniform in [0, 2 w_dag].
 * Costs are rounded to integers (at least 1) so that schedules are exact.
 */

import { Rng } from '../../src/core/rng.js';
import type { Edge, Platform, TaskGraph } from './types.js';

export interface RandomDagParams {
  readonly tasks: number;
  readonly processors: number;
  readonly shape: number;
  readonly outDegree: number;
  readonly ccr: number;
  readonly heterogeneity: number;
  readonly meanCost: number;
}

export function randomDag(
  params: RandomDagParams,
  seed: number,
): { graph: TaskGraph; platform: Platform } {
  const { tasks: v, processors: P, shape, outDegree, ccr, heterogeneity: beta, meanCost } = params;
  if (!(Number.isInteger(v) && v >= 1 && Number.isInteger(P) && P >= 1))
    throw new RangeError('randomDag: tasks and processors must be positive integers');
  if (!(shape > 0 && outDegree >= 1 && ccr >= 0 && beta >= 0 && beta <= 2 && meanCost > 0))
    throw new RangeError(
      'randomDag: need shape > 0, outDegree >= 1, ccr >= 0, 0 <= heterogeneity <= 2, meanCost > 0',
    );
  const rng = new Rng(seed);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * rng.unit();

  // Levels: heights and widths uniform around their means, trimmed to exactly v tasks.
  const meanHeight = Math.sqrt(v) / shape;
  const height = Math.max(1, Math.round(uniform(1, 2 * meanHeight - 1)));
  const levels: number[][] = [];
  let next = 0;
  for (let l = 0; l < height && next < v; l++) {
    const width =
      l === height - 1
        ? v - next
        : Math.max(
            1,
            Math.min(
              v - next - (height - 1 - l),
              Math.round(uniform(1, 2 * shape * Math.sqrt(v) - 1)),
            ),
          );
    levels.push(Array.from({ length: Math.max(1, width) }, () => next++));
  }
  while (next < v) levels[levels.length - 1].push(next++);

  // Edges: every task of a non-final level sends to 1..outDegree tasks of later levels, and every
  // task of a later level receives from at least one earlier task.
  const edges: Edge[] = [];
  const has = new Set<string>();
  const add = (from: number, to: number): void => {
    if (has.has(`${from}>${to}`)) return;
    has.add(`${from}>${to}`);
    edges.push({ from, to, volume: Math.max(1, Math.round(uniform(0, 2 * ccr * meanCost))) });
  };
  const pick = (level: number): number => levels[level][rng.int(0, levels[level].length - 1)];
  for (let l = 0; l < levels.length - 1; l++) {
    const later = levels.length - l - 1;
    for (const t of levels[l]) {
      const k = rng.int(1, outDegree);
      for (let i = 0; i < k; i++) {
        // The first edge goes to the next level, the others to any later level.
        add(t, pick(i === 0 ? l + 1 : l + 1 + rng.int(0, later - 1)));
      }
    }
    for (const t of levels[l + 1]) if (!edges.some((e) => e.to === t)) add(pick(l), t);
  }

  const exec = Array.from({ length: v }, () => {
    const w = uniform(0, 2 * meanCost);
    return Array.from({ length: P }, () =>
      Math.max(1, Math.round(uniform(w * (1 - beta / 2), w * (1 + beta / 2)))),
    );
  });
  return {
    graph: {
      name: `random-v${v}-p${P}-s${seed}`,
      numTasks: v,
      exec,
      edges: edges.sort((a, b) => a.from - b.from || a.to - b.to),
    },
    platform: {
      numProcs: P,
      names: Array.from({ length: P }, (_, p) => `P${p}`),
      bandwidth: Array.from({ length: P }, (_, p) =>
        Array.from({ length: P }, (_, q) => (p === q ? Infinity : 1)),
      ),
      truncateTransfers: false,
    },
  };
}
