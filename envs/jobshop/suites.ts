/**
 * What the job shop is evaluated on: bundled benchmark instances (or a user's files) in one or
 * more schedule-generation modes, as a suite of the shared `eval`/`compare` commands; and the
 * random instances that training validates on.
 */

import { choiceOption } from '../../src/core/options.js';
import type { OptionValues, Suite, SuiteBatch, SuiteCell } from '../../src/core/registry.js';
import { jobShopConfig } from './env.js';
import { randomInstance, randomSource } from './generator.js';
import { bundledBounds, selectInstances, type SelectedInstance } from './instances.js';
import { SCHEDULE_MODES, type Instance, type JobShopConfig, type ScheduleMode } from './types.js';

/** Named suites. */
export const SUITES = {
  taillard: "Taillard's 80 instances, 15x15 to 100x20",
  lawrence: "Lawrence's 40 instances, 10x5 to 15x15",
  all: 'every bundled instance (ta, la, ft, abz, orb, swv, yn, bel)',
} as const;

/** Any instance selection is a suite too. */
export const SUITE_SYNTAX =
  'any instance selection: names, ranges (ta01-ta10), families, family:JxM (taillard:15x15), random:JxM[:N], files';

/** `--mode`: one schedule-generation mode or all three. */
export function evaluationModes(values: OptionValues): ScheduleMode[] {
  const word = choiceOption(values, 'mode', [...SCHEDULE_MODES, 'all'], 'active');
  return word === 'all' ? [...SCHEDULE_MODES] : [word];
}

/**
 * Size group of each selected instance, as benchmark papers report them ("ta 15x15"). A family
 * whose bundled instances all differ in size (bel, ft) is one group; user files are grouped by
 * size.
 */
export function groupNames(selected: readonly SelectedInstance[]): string[] {
  const all = Object.values(bundledBounds());
  const mixed = new Set<string>();
  for (const family of new Set(all.map((b) => b.family))) {
    const sizes = all.filter((b) => b.family === family).map((b) => `${b.jobs}x${b.machines}`);
    if (new Set(sizes).size === sizes.length) mixed.add(family);
  }
  return selected.map((sel) => {
    const family = sel.bounds?.family;
    if (family !== undefined && mixed.has(family)) return `${family} (mixed sizes)`;
    const origin = family ?? (sel.generated === true ? 'random' : 'file');
    return `${origin} ${sel.instance.numJobs}x${sel.instance.numMachines}`;
  });
}

/**
 * The instances `selector` names, in every mode asked for. Instances of one shape share a batch
 * (one copy each), so a suite of 80 Taillard instances is 8 batches per mode.
 */
export function jobshopSuite(selector: string, values: OptionValues): Suite<JobShopConfig> {
  const selected = selectInstances(selector);
  const modes = evaluationModes(values);
  const groups = groupNames(selected);
  const cells: SuiteCell[] = [];
  const batches: SuiteBatch<JobShopConfig>[] = [];
  for (const mode of modes) {
    const first = cells.length;
    selected.forEach((sel, i) => {
      const inst = sel.instance;
      cells.push({
        // Cell names are unique within a suite: one instance in several modes names its mode.
        name: modes.length > 1 ? `${inst.name} (${mode})` : inst.name,
        group: modes.length > 1 ? `${groups[i]} (${mode})` : groups[i],
        info: { size: `${inst.numJobs}x${inst.numMachines}`, mode },
        ...(sel.bounds !== undefined ? { bestKnown: sel.bounds.upperBound } : {}),
        x: inst.name.replace(/^[a-z]+/, ''),
      });
    });
    const shapes = new Map<string, number[]>();
    selected.forEach((sel, i) => {
      const key = shapeKey(sel.instance);
      shapes.set(key, [...(shapes.get(key) ?? []), i]);
    });
    for (const members of shapes.values()) {
      const instances = members.map((i) => selected[i].instance);
      batches.push({
        config: jobShopConfig({
          numEnvs: instances.length,
          source: { kind: 'fixed', instances },
          mode,
        }),
        cells: members.map((i) => first + i),
        // One operation per decision: the batch runs as long as its largest instance.
        steps: Math.max(...instances.map((x) => x.jobs.reduce((t, ops) => t + ops.length, 0))),
      });
    }
  }
  const name = `${selector}${modes.length === 1 ? `, ${modes[0]} schedules` : ''}`;
  return { name, cells, batches, xLabel: 'instance' };
}

function shapeKey(inst: Instance): string {
  return `${inst.numJobs}x${inst.numMachines}x${Math.max(...inst.jobs.map((ops) => ops.length))}`;
}

/** Copy i's instance `samples` times in a row, so that copies i*K..i*K+K-1 replay it. */
export function replicate(config: JobShopConfig, samples: number): JobShopConfig {
  if (config.source.kind !== 'fixed')
    throw new Error('jobshop: only fixed instances can be replayed for best-of-K sampling');
  const instances = config.source.instances.flatMap((inst) =>
    Array.from({ length: samples }, () => inst),
  );
  return { ...config, numEnvs: instances.length, source: { kind: 'fixed', instances } };
}

/** Validation instances come from their own seed, never from the training streams. */
const VALIDATION_SEED = 20_260_101;
/** The instances of a mixed-size training pool come from theirs. */
const TRAINING_POOL_SEED = 20_260_102;
/** Instances of each size in a mixed-size training pool. */
export const POOL_PER_SIZE = 2048;

export interface Size {
  readonly jobs: number;
  readonly machines: number;
}

/** `count` random instances, the sizes taken in turn, one per copy (instance i: stream i of `seed`). */
function randomInstances(
  sizes: readonly Size[],
  seed: number,
  count: number,
  prefix: string,
): Instance[] {
  return Array.from({ length: count }, (_, i) => {
    const { jobs, machines } = sizes[i % sizes.length];
    return randomInstance(
      randomSource(jobs, machines),
      seed,
      i,
      `${prefix}-${jobs}x${machines}-${i}`,
    );
  });
}

/** `count` random instances of the training sizes (taken in turn), one per copy. */
export function validationConfig(
  sizes: readonly Size[],
  mode: ScheduleMode,
  count: number,
): JobShopConfig {
  const instances = randomInstances(sizes, VALIDATION_SEED, count, 'val');
  return jobShopConfig({ numEnvs: count, source: { kind: 'fixed', instances }, mode });
}

/**
 * Training on several sizes at once: a fixed pool of POOL_PER_SIZE random instances of each
 * (the sizes interleaved, so that every batch mixes them), which the copies play in turn. A
 * random source draws one size only, on the CPU and in the kernel alike; a pool of fixed
 * instances runs on both backends as it is.
 */
export function mixedTrainingConfig(
  sizes: readonly Size[],
  mode: ScheduleMode,
  numEnvs: number,
): JobShopConfig {
  const instances = randomInstances(
    sizes,
    TRAINING_POOL_SEED,
    POOL_PER_SIZE * sizes.length,
    'train',
  );
  return jobShopConfig({ numEnvs, source: { kind: 'fixed', instances }, mode });
}
