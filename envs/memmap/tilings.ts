/**
 * Perfect tilings: traces whose buffers tile the whole (time x address) square of their capacity,
 * so that the lower bound (the most bytes alive at one time) is the capacity at every time step
 * and a placement at peak = capacity exists: the rectangles' own positions. They are drawn by
 * guillotine cuts: starting from the square, a piece is cut in two, across time or across
 * addresses at a random point, until the trace has its buffers.
 *
 * This is the family minimalloc's challenging traces belong to (each of A-K has a lower bound at,
 * or within 6% of, its capacity, and minimalloc fits all at exactly the capacity), which the
 * ML-like generator is not: its traces are easy for best fit. A trace draws how pieces are chosen:
 * by area (pieces of similar size, like traces F-H) or uniformly (sizes over orders of magnitude,
 * like A-E and I-K). No bundled trace is read to make them.
 */

import { Rng } from '../../src/core/rng.js';
import { defaultBenefit } from './traces.js';
import type { Trace } from './types.js';
import type { GeneratorOptions } from './generator.js';

/** Capacity and horizon of a tiling: minimalloc's challenging traces' 2^20. */
export const TILING_SIDE = 1 << 20;

interface Piece {
  t0: number;
  t1: number;
  a0: number;
  a1: number;
}

/** Tiling `index` of the stream `seed`: the same numbers on every machine. */
export function generateTiling(seed: number, index: number, options: GeneratorOptions): Trace {
  const n = options.buffers;
  if (!Number.isInteger(n) || n < 1 || n > 4096)
    throw new RangeError(`memmap tilings: buffers must be an integer in 1..4096, got ${n}`);
  const rng = new Rng(
    (Math.imul(seed >>> 0, 0x2c1b3c6d) ^ (index * 0x297a2d39) ^ 0x7f4a7c15) >>> 0,
  );
  const byArea = rng.unit() < 0.5;
  const pieces: Piece[] = [{ t0: 0, t1: TILING_SIDE, a0: 0, a1: TILING_SIDE }];
  const area = (p: Piece): number => (p.t1 - p.t0) * (p.a1 - p.a0);
  while (pieces.length < n) {
    let i = rng.int(0, pieces.length - 1);
    if (byArea) {
      let r = rng.unit() * pieces.reduce((s, p) => s + area(p), 0);
      for (i = 0; i < pieces.length - 1 && (r -= area(pieces[i])) > 0; i++);
    }
    const p = pieces[i];
    const long = p.t1 - p.t0;
    const tall = p.a1 - p.a0;
    if (long < 2 && tall < 2) continue;
    // Across the longer side more often, so that pieces stay roughly as wide as tall.
    const acrossTime = tall < 2 || (long >= 2 && rng.unit() < long / (long + tall));
    const [lo, hi] = acrossTime ? [p.t0, p.t1] : [p.a0, p.a1];
    const cut =
      lo + Math.max(1, Math.min(hi - lo - 1, Math.round((hi - lo) * (0.2 + 0.6 * rng.unit()))));
    const q: Piece = { ...p };
    if (acrossTime) {
      p.t1 = cut;
      q.t0 = cut;
    } else {
      p.a1 = cut;
      q.a0 = cut;
    }
    pieces.push(q);
  }
  const buffers = pieces.map((p, i) => {
    const b = { start: p.t0, end: p.t1, size: p.a1 - p.a0 };
    return { id: String(i), ...b, alignment: 1, benefit: defaultBenefit(b) };
  });
  return { name: `tiling-s${seed}-${index}`, capacity: TILING_SIDE, buffers };
}

/** `count` tilings of stream `seed`. */
export function generateTilings(seed: number, count: number, options: GeneratorOptions): Trace[] {
  return Array.from({ length: count }, (_, i) => generateTiling(seed, i, options));
}
