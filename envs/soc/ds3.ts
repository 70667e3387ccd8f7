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
import {
  parseDs3Job,
  parseDs3Soc,
  type Ds3JobDescription,
  type Ds3SocDescription,
} from './ds3-text.js';
import type { TaskGraph } from './types.js';

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
export function ds3Soc(which: 'ds3-16pe' | 'ds3-16pe-2016' = 'ds3-16pe'): Ds3SocDescription {
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

/** A bundled DS3 job as a task graph on `soc` (execution times looked up by task type, as DS3 does). */
export function ds3Job(name: Ds3Job, soc: Ds3SocDescription): TaskGraph {
  const file = join(dir(), 'jobs', `${name}.json`);
  return jobGraph(readJson<Ds3JobDescription>(file), soc, file);
}

/** A job in DS3's own text format, from a user's file, as a task graph on `soc`. */
export function readDs3JobFile(path: string, soc: Ds3SocDescription): TaskGraph {
  return jobGraph(parseDs3Job(readTextFile(path, 'DS3 job file'), path), soc, path);
}

/** A SoC in DS3's own text format, from a user's file. */
export function readDs3SocFile(path: string): Ds3SocDescription {
  return parseDs3Soc(readTextFile(path, 'DS3 SoC file'), path);
}

function jobGraph(job: Ds3JobDescription, soc: Ds3SocDescription, file: string): TaskGraph {
  const exec = job.tasks.map((t) => {
    const row = Array.from({ length: soc.platform.numProcs }, (_, p) => soc.exec(t.type, p));
    if (!row.some(Number.isFinite)) {
      throw new InputError(
        {
          file,
          ...(t.line === undefined ? {} : { line: t.line }),
          field: `task ${t.id} (${t.name})`,
        },
        `expected a task type some PE of the SoC runs, found ${t.type}`,
      );
    }
    return row;
  });
  return {
    name: job.name,
    numTasks: job.tasks.length,
    exec,
    edges: job.edges.map(([from, to, volume]) => ({ from, to, volume })),
  };
}
