/**
 * ML-like buffer traces, drawn on the host from a seed: what an ML compiler's buffer assignment
 * sees for one program. A program is a chain of ops over time steps; it has
 *
 * - a few long-lived buffers (weights, optimizer state) alive over most of the program;
 * - one activation per op, alive from its op until its last consumer: mostly the next op, now and
 *   then a skip connection a few ops later, and in training-style programs (half of them) the
 *   activations the backward pass reads, alive until the mirrored backward op;
 * - short-lived scratch buffers, alive during one op.
 *
 * Sizes are log-uniform over four orders of magnitude (64 B .. 1 MiB for activations, larger for
 * weights), rounded to multiples of 64 bytes. The capacity of a generated trace is its lower bound
 * (the most bytes alive at one time), so that its peak / capacity is 1 exactly when a placement is
 * as tight as any can be.
 */

import { Rng } from '../../src/core/rng.js';
import { defaultBenefit, liveBytesBound } from './traces.js';
import type { MemBuffer, Trace } from './types.js';

export interface GeneratorOptions {
  /** Buffers in the trace (approximately: the last op may add a few). */
  readonly buffers: number;
}

export const DEFAULT_BUFFERS = 120;

/** log-uniform in [lo, hi], rounded up to a multiple of 64. */
function logUniform(rng: Rng, lo: number, hi: number): number {
  const x = Math.exp(Math.log(lo) + rng.unit() * (Math.log(hi) - Math.log(lo)));
  return Math.max(64, Math.ceil(x / 64) * 64);
}

/** Trace `index` of the generator's stream `seed`: the same numbers on every machine. */
export function generateTrace(seed: number, index: number, options: GeneratorOptions): Trace {
  if (!Number.isInteger(options.buffers) || options.buffers < 4 || options.buffers > 4096)
    throw new RangeError(
      `memmap generator: buffers must be an integer in 4..4096, got ${options.buffers}`,
    );
  const rng = new Rng((Math.imul(seed >>> 0, 0x9e3779b1) ^ (index * 0x85ebca6b)) >>> 0);
  const training = rng.unit() < 0.5;
  const weights = 2 + rng.int(0, Math.max(1, Math.floor(options.buffers / 16)));
  // Per op: one activation, a scratch buffer with probability 1/2, a saved activation in
  // training-style programs with probability 1/3.
  const perOp = 1 + 0.5 + (training ? 1 / 3 : 0);
  const ops = Math.max(2, Math.round((options.buffers - weights) / perOp));
  const horizon = training ? 2 * ops + 1 : ops + 1;
  const out: Omit<MemBuffer, 'id'>[] = [];
  const push = (start: number, end: number, size: number): void => {
    out.push({ start, end, size, alignment: 1, benefit: defaultBenefit({ start, end, size }) });
  };
  for (let w = 0; w < weights; w++) {
    const start = rng.int(0, Math.max(0, Math.floor(horizon / 8)));
    const end = horizon - rng.int(0, Math.max(0, Math.floor(horizon / 8)));
    push(start, Math.max(end, start + 1), logUniform(rng, 1 << 12, 1 << 20));
  }
  for (let t = 0; t < ops && out.length < options.buffers; t++) {
    const skip = rng.unit() < 0.15 ? rng.int(2, 6) : 1;
    push(t, Math.min(horizon, t + 1 + skip), logUniform(rng, 64, 1 << 20));
    if (rng.unit() < 0.5) push(t, t + 1, logUniform(rng, 64, 1 << 16));
    if (training && rng.unit() < 1 / 3)
      push(t, Math.max(t + 1, horizon - t - 1), logUniform(rng, 64, 1 << 18));
  }
  const buffers = out.map((b, i) => ({ id: String(i), ...b }));
  return { name: `ml-s${seed}-${index}`, capacity: liveBytesBound(buffers), buffers };
}

/** `count` traces of stream `seed`. */
export function generateTraces(seed: number, count: number, options: GeneratorOptions): Trace[] {
  return Array.from({ length: count }, (_, i) => generateTrace(seed, i, options));
}
