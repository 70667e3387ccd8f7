import { describe, expect, it } from 'vitest';
import {
  Rng,
  hash,
  nextInt,
  nextU32,
  nextUnit,
  seedStreams,
  streamSeed,
} from '../../src/core/rng.js';

// An independent reference of the generator in docs/design.md ("The environment contract"), written with
// BigInt and explicit mod-2^32 masking, so that it shares no arithmetic trick with the module
// (Math.imul, `>>> 0`) and with the WGSL twin.
const MASK = (1n << 32n) - 1n;

interface RefStep {
  readonly state: bigint;
  readonly out: bigint;
}

function refStep(state: bigint): RefStep {
  const s = (state * 747796405n + 2891336453n) & MASK;
  const word = (((s >> ((s >> 28n) + 4n)) ^ s) * 277803737n) & MASK;
  const out = ((word >> 22n) ^ word) & MASK;
  return { state: s, out };
}

const u32 = (x: number): bigint => BigInt.asUintN(32, BigInt(x));
const refHash = (x: bigint): bigint => refStep(x & MASK).out;
const refStreamSeed = (seed: number, envIndex: number): bigint =>
  refHash(u32(seed) ^ refHash(u32(envIndex + 1)));
const refUnit = (out: bigint): number => Math.fround(Number(out >> 8n)) * (1 / 16777216);
const refInt = (out: bigint, lo: number, hi: number): number =>
  lo + Number(out % BigInt(hi - lo + 1));

/** Seeds that exercise the edges of u32 arithmetic, plus a spread of arbitrary ones. */
const SEEDS: readonly number[] = [
  0,
  1,
  2,
  7,
  42,
  12345,
  0x7fffffff,
  0x80000000,
  0xfffffffe,
  0xffffffff,
  ...Array.from({ length: 40 }, (_, i) => Number(refHash(BigInt(1000 + i)))),
];

describe('hash', () => {
  it('equals the reference formula for edge values and many arbitrary inputs', () => {
    for (const x of SEEDS) expect(hash(x)).toBe(Number(refHash(u32(x))));
    for (let x = 0; x < 5000; x++) expect(hash(x)).toBe(Number(refHash(BigInt(x))));
  });

  it('matches values computed outside this code base (Python, arbitrary precision)', () => {
    expect(hash(0)).toBe(129708002);
    expect(hash(1)).toBe(2831084092);
    expect(hash(0xffffffff)).toBe(3861530882);
  });

  it('returns a u32 and reduces its input mod 2^32', () => {
    for (const x of SEEDS) {
      const h = hash(x);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 32);
    }
    expect(hash(2 ** 32)).toBe(hash(0));
    expect(hash(2 ** 32 + 5)).toBe(hash(5));
    expect(hash(-1)).toBe(hash(0xffffffff));
  });

  it('is injective on a large range of inputs (the step and its output permutation are bijections)', () => {
    const seen = new Set<number>();
    for (let x = 0; x < 100_000; x++) seen.add(hash(x));
    expect(seen.size).toBe(100_000);
  });
});

describe('streamSeed and seedStreams', () => {
  it('streamSeed equals hash(seed ^ hash(envIndex + 1))', () => {
    for (const seed of SEEDS) {
      for (let i = 0; i < 64; i++) expect(streamSeed(seed, i)).toBe(Number(refStreamSeed(seed, i)));
    }
    expect(streamSeed(0, 0)).toBe(3911864714);
    expect(streamSeed(42, 0)).toBe(2209095652);
    expect(streamSeed(42, 7)).toBe(1923219390);
  });

  it('treats a negative seed as its u32 bit pattern', () => {
    for (let i = 0; i < 16; i++) expect(streamSeed(-1, i)).toBe(streamSeed(0xffffffff, i));
  });

  it('seedStreams fills copy i with streamSeed(seed, i)', () => {
    for (const seed of SEEDS.slice(0, 12)) {
      const states = new Uint32Array(37).fill(0xdeadbeef);
      seedStreams(states, seed);
      for (let i = 0; i < states.length; i++) expect(states[i]).toBe(streamSeed(seed, i));
    }
  });

  it('gives every environment copy its own starting state', () => {
    for (const seed of [0, 1, 0xffffffff]) {
      const states = new Uint32Array(100_000);
      seedStreams(states, seed);
      expect(new Set(states).size).toBe(states.length);
    }
  });

  it('gives different seeds different streams for the same copy', () => {
    const firsts = new Set(SEEDS.map((seed) => streamSeed(seed, 0)));
    expect(firsts.size).toBe(new Set(SEEDS).size);
  });
});

describe('nextU32', () => {
  it('follows the reference sequence and leaves the advanced state in the array', () => {
    const numEnvs = 9;
    for (const seed of SEEDS) {
      const states = new Uint32Array(numEnvs);
      seedStreams(states, seed);
      const ref = Array.from({ length: numEnvs }, (_, i) => refStreamSeed(seed, i));
      // Interleave the copies in an irregular order: each stream must only see its own draws.
      for (let k = 0; k < 60; k++) {
        for (let i = 0; i < numEnvs; i++) {
          const e = (i * 4 + k) % numEnvs;
          const step = refStep(ref[e]);
          ref[e] = step.state;
          expect(nextU32(states, e)).toBe(Number(step.out));
          expect(states[e]).toBe(Number(step.state));
        }
      }
    }
  });

  it('matches values computed outside this code base', () => {
    const states = new Uint32Array(1);
    seedStreams(states, 42);
    expect([nextU32(states, 0), nextU32(states, 0), nextU32(states, 0)]).toEqual([
      2696346543, 489735515, 2957783665,
    ]);
  });

  it('advances only the stream it is asked for', () => {
    const states = new Uint32Array(4);
    seedStreams(states, 3);
    const before = Array.from(states);
    nextU32(states, 2);
    expect(states[0]).toBe(before[0]);
    expect(states[1]).toBe(before[1]);
    expect(states[2]).not.toBe(before[2]);
    expect(states[3]).toBe(before[3]);
  });

  it('is deterministic: the same seed gives the same sequence', () => {
    const a = new Uint32Array(3);
    const b = new Uint32Array(3);
    seedStreams(a, 2024);
    seedStreams(b, 2024);
    for (let k = 0; k < 1000; k++) {
      for (let i = 0; i < 3; i++) expect(nextU32(a, i)).toBe(nextU32(b, i));
    }
  });

  it('gives different environment copies different sequences', () => {
    const numEnvs = 64;
    const states = new Uint32Array(numEnvs);
    seedStreams(states, 99);
    const prefixes = new Set<string>();
    for (let i = 0; i < numEnvs; i++) {
      const draws = Array.from({ length: 4 }, () => nextU32(states, i));
      prefixes.add(draws.join(','));
    }
    expect(prefixes.size).toBe(numEnvs);
  });
});

describe('nextUnit', () => {
  it('equals f32(out >> 8) / 2^24, lies in [0, 1) and is exact in float32', () => {
    for (const seed of SEEDS) {
      const states = new Uint32Array(2);
      seedStreams(states, seed);
      let ref = refStreamSeed(seed, 1);
      for (let k = 0; k < 200; k++) {
        const step = refStep(ref);
        ref = step.state;
        const u = nextUnit(states, 1);
        expect(u).toBe(refUnit(step.out));
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThan(1);
        expect(Math.fround(u)).toBe(u);
        expect(Number.isInteger(u * 16777216)).toBe(true);
      }
      expect(states[1]).toBe(Number(ref));
    }
  });

  it('consumes exactly one u32 per draw, like nextU32', () => {
    const a = new Uint32Array(1);
    const b = new Uint32Array(1);
    seedStreams(a, 5);
    seedStreams(b, 5);
    for (let k = 0; k < 100; k++) expect(nextUnit(a, 0)).toBe((nextU32(b, 0) >>> 8) / 16777216);
  });

  it('has a mean near 1/2', () => {
    const states = new Uint32Array(1);
    seedStreams(states, 8);
    let sum = 0;
    const n = 60_000;
    for (let k = 0; k < n; k++) sum += nextUnit(states, 0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
  });
});

describe('nextInt', () => {
  const RANGES: readonly (readonly [number, number])[] = [
    [0, 0],
    [3, 3],
    [0, 1],
    [1, 6],
    [1, 99],
    [-5, 5],
    [-100, -90],
    [0, 2 ** 31 - 1],
    [0, 2 ** 32 - 2],
    [17, 17 + 999_983],
  ];

  it('equals lo + out % (hi - lo + 1) and stays in [lo, hi]', () => {
    for (const seed of SEEDS) {
      const states = new Uint32Array(3);
      seedStreams(states, seed);
      let ref = refStreamSeed(seed, 2);
      for (let k = 0; k < 40; k++) {
        for (const [lo, hi] of RANGES) {
          const step = refStep(ref);
          ref = step.state;
          const v = nextInt(states, 2, lo, hi);
          expect(v).toBe(refInt(step.out, lo, hi));
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(lo);
          expect(v).toBeLessThanOrEqual(hi);
        }
      }
      expect(states[2]).toBe(Number(ref));
    }
  });

  it('consumes one draw even when the range has a single value', () => {
    const a = new Uint32Array(1);
    const b = new Uint32Array(1);
    seedStreams(a, 11);
    seedStreams(b, 11);
    expect(nextInt(a, 0, 4, 4)).toBe(4);
    nextU32(b, 0);
    expect(a[0]).toBe(b[0]);
  });

  it('is roughly uniform over a small range (60000 seeded draws into 6 bins)', () => {
    const rng = new Rng(12345);
    const bins = new Array<number>(6).fill(0);
    const n = 60_000;
    for (let k = 0; k < n; k++) bins[rng.int(1, 6) - 1]++;
    const expected = n / 6;
    // One standard deviation is about 91; 400 is more than four.
    for (const count of bins) expect(Math.abs(count - expected)).toBeLessThan(400);
    const chi2 = bins.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(30); // 5 degrees of freedom: p < 1e-4 beyond this
  });

  it('is roughly uniform across environment copies (the first draw of 60000 streams)', () => {
    const n = 60_000;
    const states = new Uint32Array(n);
    seedStreams(states, 777);
    const bins = new Array<number>(6).fill(0);
    for (let i = 0; i < n; i++) bins[nextInt(states, i, 0, 5)]++;
    for (const count of bins) expect(Math.abs(count - n / 6)).toBeLessThan(400);
  });
});

describe('Rng', () => {
  it('is stream 0 of the seed: u32, unit and int draws follow the reference', () => {
    for (const seed of SEEDS) {
      const rng = new Rng(seed);
      let ref = refStreamSeed(seed, 0);
      for (let k = 0; k < 30; k++) {
        let step = refStep(ref);
        expect(rng.u32()).toBe(Number(step.out));
        step = refStep(step.state);
        expect(rng.unit()).toBe(refUnit(step.out));
        step = refStep(step.state);
        expect(rng.int(-3, 12)).toBe(refInt(step.out, -3, 12));
        ref = step.state;
      }
    }
  });

  it('agrees with nextU32 on a seeded state array', () => {
    const states = new Uint32Array(1);
    seedStreams(states, 31337);
    const rng = new Rng(31337);
    for (let k = 0; k < 500; k++) expect(rng.u32()).toBe(nextU32(states, 0));
  });

  it('is deterministic, reduces the seed mod 2^32, and differs between seeds', () => {
    const draws = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 100 }, () => rng.u32());
    };
    expect(draws(9)).toEqual(draws(9));
    expect(draws(-1)).toEqual(draws(0xffffffff));
    expect(draws(9)).not.toEqual(draws(10));
  });
});
