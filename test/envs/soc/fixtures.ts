/**
 * Known-result fixtures of the SoC tests: the HEFT and PEFT papers' example graphs
 * (data/examples.json, sources in data/README.md).
 */

import { join } from 'node:path';
import { InputError } from '../../../src/core/errors.js';
import { readTextFile } from '../../../src/core/files.js';
import { packageRoot } from '../../../src/core/paths.js';
import type { Platform, TaskGraph } from '../../../envs/soc/types.js';

interface RawGraph {
  name: string;
  exec: number[][];
  edges: [number, number, number][];
  bandwidth: number;
}

/** A paper's example: its task graph and the fully connected platform it was published with. */
export function exampleGraph(name: 'topcuoglu2002' | 'arabnejad2014'): {
  graph: TaskGraph;
  platform: Platform;
} {
  const file = join(packageRoot(), 'test', 'envs', 'soc', 'data', 'examples.json');
  const raw = JSON.parse(readTextFile(file, 'examples file')) as { graphs: RawGraph[] };
  const g = raw.graphs.find((x) => x.name === name);
  if (g === undefined)
    throw new InputError({ file, field: 'graphs' }, `expected a graph named ${name}`);
  const P = g.exec[0].length;
  return {
    graph: {
      name,
      numTasks: g.exec.length,
      exec: g.exec,
      edges: g.edges.map(([from, to, volume]) => ({ from, to, volume })),
    },
    platform: {
      numProcs: P,
      names: Array.from({ length: P }, (_, p) => `P${p}`),
      bandwidth: Array.from({ length: P }, (_, p) =>
        Array.from({ length: P }, (_, q) => (p === q ? Infinity : g.bandwidth)),
      ),
      truncateTransfers: false,
    },
  };
}
