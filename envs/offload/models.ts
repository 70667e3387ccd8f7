/**
 * The DNN models of the DEMS/GEMS study and the loads built from them (data/models.json, from
 * dream-lab/ocularone-scheduler, Apache-2.0; see data/README.md). Times are integer milliseconds
 * and utilities integers, as in the source, so that every utility sum is exact on both backends.
 */

import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { readTextFile } from '../../src/core/files.js';
import { packageRoot } from '../../src/core/paths.js';

export interface ModelSpec {
  /** Short name (HV, MD, BP, DEV, CD, DEO). */
  readonly name: string;
  readonly title: string;
  /** Expected execution time on an edge device, ms. */
  readonly edgeMs: number;
  /** Expected latency of a serverless cloud call at the table's network condition, ms. */
  readonly cloudMs: number;
  /** Relative deadline from the task's arrival, ms. */
  readonly deadlineMs: number;
  /** Utility of a task that finishes by its deadline. */
  readonly benefit: number;
  /** Charged for a cloud call, met or missed. */
  readonly cloudCost: number;
  /** Charged for a run on an edge device, met or missed. */
  readonly edgeCost: number;
  /** GEMS: the fraction of a window's tasks that must finish in time for the QoE bonus. */
  readonly qoeTarget: number;
  /** GEMS: the QoE utility earned per window in which the model meets its target. */
  readonly qoeBonus: number;
}

export const LOADS = ['light', 'medium', 'heavy'] as const;
export type Load = (typeof LOADS)[number];

interface ModelFile {
  readonly models: readonly ModelSpec[];
  readonly loads: Readonly<Record<Load, readonly string[]>>;
}

const INTEGER_FIELDS = [
  'edgeMs',
  'cloudMs',
  'deadlineMs',
  'benefit',
  'cloudCost',
  'edgeCost',
  'qoeBonus',
] as const;

let table: ModelFile | undefined;

/** The bundled table, checked once (a broken data file names the model and field). */
export function modelTable(): ModelFile {
  if (table !== undefined) return table;
  const file = join(packageRoot(), 'envs', 'offload', 'data', 'models.json');
  const parsed = JSON.parse(readTextFile(file, 'offload model table')) as ModelFile;
  parsed.models.forEach((m, i) => {
    for (const f of INTEGER_FIELDS)
      if (!(Number.isInteger(m[f]) && m[f] >= 0 && m[f] <= 100_000))
        throw new InputError({ file, field: `models[${i}].${f}` }, 'an integer in 0..100000');
    if (!(m.edgeMs >= 1 && m.cloudMs >= 1 && m.deadlineMs >= 1))
      throw new InputError({ file, field: `models[${i}]` }, 'positive times');
    if (!(m.qoeTarget >= 0 && m.qoeTarget <= 1))
      throw new InputError({ file, field: `models[${i}].qoeTarget` }, 'a fraction in 0..1');
  });
  for (const load of LOADS)
    for (const name of parsed.loads[load] ?? [])
      if (!parsed.models.some((m) => m.name === name))
        throw new InputError({ file, field: `loads.${load}` }, `known model names, got '${name}'`);
  table = parsed;
  return parsed;
}

/** The models each segment of a load spawns, in the table's order. */
export function loadModels(load: Load): ModelSpec[] {
  const t = modelTable();
  return t.loads[load].map((name) => t.models.find((m) => m.name === name)!);
}
