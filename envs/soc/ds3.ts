/**
 * The DS3 workloads and SoC (segemena/DS3, transcribed as facts into data/ds3/, see its README)
 * as schedrl task graphs and platforms. Each processing element of a type with `count` k becomes
 * k processors; MEMORY runs no tasks and is left out. Transfers are volume / bandwidth rounded
 * down to whole microseconds, DS3's rule, including a local rate on the same PE.
 */

import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { readTextFile } from '../../src/core/files.js';
import { packageRoot } from '../../src/core/paths.js';
import type { Platform, TaskGraph } from './types.js';

export const DS3_JOBS = [
  'wifi_tx',
  'wifi_rx',
  'range_detection',
  'sc_tx',
  'sc_rx',
  'temporal_mitigation',
  'pulse_doppler',
] as const;
export type Ds3Job = (typeof DS3_JOBS)[number];

interface RawJob {
  name: string;
  tasks: { id: number; name: string; type: string; head: boolean; tail: boolean }[];
  edges: [number, number, number][];
}

interface RawSoc {
  name: string;
  peTypes: { name: string; count: number; exec: Record<string, number> }[];
  bandwidth: { peOrder: string[]; peMatrix: (number | null)[][] };
}

const dir = (): string => join(packageRoot(), 'envs', 'soc', 'data', 'ds3');

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readTextFile(file, 'DS3 data file')) as T;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError({ file }, `expected JSON (${(err as Error).message})`);
  }
}

/** A bundled DS3 SoC: `ds3-16pe` (the current default) or `ds3-16pe-2016` (the first commit's, with scrambler accelerators). */
export function ds3Soc(which: 'ds3-16pe' | 'ds3-16pe-2016' = 'ds3-16pe'): {
  platform: Platform;
  exec: (type: string, p: number) => number;
} {
  const file = join(dir(), which === 'ds3-16pe' ? 'soc.json' : 'soc_first_commit.json');
  const raw = readJson<RawSoc>(file);
  const procs = raw.peTypes.flatMap((t) =>
    Array.from({ length: t.count }, (_, i) => ({ type: t, index: i })),
  );
  const order = raw.bandwidth.peOrder;
  // The PE matrix lists PEs in the same order as peTypes x count (MEMORY last): check it.
  if (
    order.length < procs.length ||
    procs.some((p, i) => order[i] !== p.type.name && !order[i].startsWith(`${p.type.name}_`))
  ) {
    throw new InputError(
      { file, field: 'bandwidth.peOrder' },
      `expected the PEs in peTypes order (${procs.map((p) => p.type.name).join(', ')})`,
    );
  }
  const bandwidth = procs.map((_, p) =>
    procs.map((__, q) => raw.bandwidth.peMatrix[p][q] ?? Infinity),
  );
  return {
    platform: {
      numProcs: procs.length,
      names: procs.map((p) => `${p.type.name}${p.index}`),
      bandwidth,
      truncateTransfers: true,
    },
    exec: (type, p) => procs[p].type.exec[type] ?? Infinity,
  };
}

/** A DS3 job as a task graph on `soc` (execution times looked up by task type, as DS3 does). */
export function ds3Job(name: Ds3Job, soc: ReturnType<typeof ds3Soc>): TaskGraph {
  const file = join(dir(), 'jobs', `${name}.json`);
  const raw = readJson<RawJob>(file);
  const exec = raw.tasks.map((t) => {
    const row = Array.from({ length: soc.platform.numProcs }, (_, p) => soc.exec(t.type, p));
    if (!row.some(Number.isFinite))
      throw new InputError(
        { file, field: `tasks[${t.id}].type` },
        `expected a task type some PE runs, found ${t.type}`,
      );
    return row;
  });
  return {
    name: raw.name,
    numTasks: raw.tasks.length,
    exec,
    edges: raw.edges.map(([from, to, volume]) => ({ from, to, volume })),
  };
}
