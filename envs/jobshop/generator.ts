/**
 * Random job-shop instances in Taillard's style: every job visits every machine once, in a random
 * order, with durations uniform in [minDuration, maxDuration].
 *
 * The draw order is part of the contract (kernels/jobshop.wgsl draws in the same order):
 * for each job j in order, first the machine order by Fisher-Yates (for i = M-1 down to 1,
 * swap i with int(0, i)), then the durations of its operations in order, int(min, max) each.
 */

import { nextInt, streamSeed } from '../../src/core/rng.js';
import type { Instance, Operation, RandomSource } from './types.js';

export const MIN_SIZE = 1;

/** Checks a random source and returns it, or throws naming the field. */
export function randomSource(
  numJobs: number,
  numMachines: number,
  minDuration = 1,
  maxDuration = 99,
): RandomSource {
  const checks: [string, number][] = [
    ['numJobs', numJobs],
    ['numMachines', numMachines],
  ];
  for (const [field, v] of checks) {
    if (!Number.isInteger(v) || v < MIN_SIZE)
      throw new RangeError(`jobshop random source: ${field} must be a positive integer, got ${v}`);
  }
  if (
    !Number.isInteger(minDuration) ||
    !Number.isInteger(maxDuration) ||
    minDuration < 0 ||
    maxDuration < minDuration
  ) {
    throw new RangeError(
      `jobshop random source: need integers 0 <= minDuration <= maxDuration, got [${minDuration}, ${maxDuration}]`,
    );
  }
  return { kind: 'random', numJobs, numMachines, minDuration, maxDuration };
}

/**
 * Draws one instance from stream `i` of `rng` into flat [J, O] arrays starting at `base`
 * (row stride `maxOps`). Advances the stream.
 */
export function drawInstance(
  rng: Uint32Array,
  i: number,
  source: RandomSource,
  opMachine: Int32Array,
  opDuration: Int32Array,
  base: number,
  maxOps: number,
): void {
  const m = source.numMachines;
  for (let j = 0; j < source.numJobs; j++) {
    const row = base + j * maxOps;
    for (let o = 0; o < m; o++) opMachine[row + o] = o;
    for (let o = m - 1; o >= 1; o--) {
      const k = nextInt(rng, i, 0, o);
      const t = opMachine[row + o];
      opMachine[row + o] = opMachine[row + k];
      opMachine[row + k] = t;
    }
    for (let o = 0; o < m; o++)
      opDuration[row + o] = nextInt(rng, i, source.minDuration, source.maxDuration);
  }
}

/** The instance that environment copy `envIndex` plays first after `reset(seed)`. */
export function randomInstance(
  source: RandomSource,
  seed: number,
  envIndex = 0,
  name?: string,
): Instance {
  const n = source.numJobs;
  const m = source.numMachines;
  const rng = Uint32Array.of(streamSeed(seed >>> 0, envIndex));
  const machines = new Int32Array(n * m);
  const durations = new Int32Array(n * m);
  drawInstance(rng, 0, source, machines, durations, 0, m);
  const jobs: Operation[][] = [];
  for (let j = 0; j < n; j++) {
    const ops: Operation[] = [];
    for (let o = 0; o < m; o++)
      ops.push({ machine: machines[j * m + o], duration: durations[j * m + o] });
    jobs.push(ops);
  }
  return {
    name: name ?? `random-${n}x${m}-s${seed}-e${envIndex}`,
    numJobs: n,
    numMachines: m,
    jobs,
  };
}
