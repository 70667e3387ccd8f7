/**
 * The counter-based random generator shared by every backend (docs/design.md, "The environment contract").
 *
 * A PCG-style permuted congruential step over one u32 of state. All arithmetic is 32-bit unsigned
 * (Math.imul and `>>> 0`) so that the WGSL twin in kernels/rng.wgsl produces bit-identical draws.
 * The state of every environment copy is one u32 in a Uint32Array, advanced in place, so the
 * stream lives in the environment's explicit state and survives auto-resets.
 */

const MULTIPLIER = 747796405;
const INCREMENT = 2891336453;
const OUTPUT_MULTIPLIER = 277803737;
const UNIT_SCALE = 1 / 16777216;

/** The output permutation of one generator step, applied to an already advanced state. */
export function permute(state: number): number {
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, OUTPUT_MULTIPLIER) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** One generator step of the state (without the output permutation). */
export function advance(state: number): number {
  return (Math.imul(state, MULTIPLIER) + INCREMENT) >>> 0;
}

/** `hash(x)`: the output of one generator step started from state = x. */
export function hash(x: number): number {
  return permute(advance(x >>> 0));
}

/** `state_0 = hash(seed ^ hash(envIndex + 1))`: one independent stream per environment copy. */
export function streamSeed(seed: number, envIndex: number): number {
  return hash((seed ^ hash(envIndex + 1)) >>> 0);
}

/** FNV-1a of a string's UTF-16 code units, as a u32: a stable seed from a name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/** Fills `states[i]` with the stream seed of copy i. */
export function seedStreams(states: Uint32Array, seed: number): void {
  for (let i = 0; i < states.length; i++) states[i] = streamSeed(seed, i);
}

/** Advances stream `i` of `states` and returns its next u32. */
export function nextU32(states: Uint32Array, i: number): number {
  const s = advance(states[i]);
  states[i] = s;
  return permute(s);
}

/** Next draw in [0, 1), exact in float32. */
export function nextUnit(states: Uint32Array, i: number): number {
  return (nextU32(states, i) >>> 8) * UNIT_SCALE;
}

/** Next integer in the inclusive range [lo, hi]: `lo + out % (hi - lo + 1)`. */
export function nextInt(states: Uint32Array, i: number, lo: number, hi: number): number {
  return lo + (nextU32(states, i) % (hi - lo + 1));
}

/** A single stream for host-side uses (random baselines, shuffles) with the same arithmetic. */
export class Rng {
  private readonly state = new Uint32Array(1);

  constructor(seed: number) {
    this.state[0] = streamSeed(seed >>> 0, 0);
  }

  u32(): number {
    return nextU32(this.state, 0);
  }

  unit(): number {
    return nextUnit(this.state, 0);
  }

  int(lo: number, hi: number): number {
    return nextInt(this.state, 0, lo, hi);
  }
}
