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

/** Largest value any time in the state may take (the state is 32-bit integers). */
export const MAX_TIME = 0x7fffffff;

/** Throws naming the field when a random source is malformed or its schedules could overflow. */
export function checkRandomSource(src: RandomSource): void {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new RangeError(`jobshop random source: ${field} must be ${expected}, got ${String(got)}`);
  };
  if (!Number.isInteger(src.numJobs) || src.numJobs < MIN_SIZE)
    fail('numJobs', 'a positive integer', src.numJobs);
  if (!Number.isInteger(src.numMachines) || src.numMachines < MIN_SIZE)
    fail('numMachines', 'a positive integer', src.numMachines);
  if (!Number.isInteger(src.minDuration) || src.minDuration < 0)
    fail('minDuration', 'a non-negative integer', src.minDuration);
  if (!Number.isInteger(src.maxDuration) || src.maxDuration < src.minDuration)
    fail('maxDuration', `an integer >= minDuration (${src.minDuration})`, src.maxDuration);
  if (src.maxDuration * src.numJobs * src.numMachines > MAX_TIME)
    fail(
      'maxDuration',
      `small enough that jobs x machines x maxDuration fits in ${MAX_TIME}`,
      src.maxDuration,
    );
}

/** A checked random source with Taillard's duration range by default. */
export function randomSource(
  numJobs: number,
  numMachines: number,
  minDuration = 1,
  maxDuration = 99,
): RandomSource {
  const src: RandomSource = { kind: 'random', numJobs, numMachines, minDuration, maxDuration };
  checkRandomSource(src);
  return src;
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
