import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import {
  BASELINES,
  baselineConfig,
  type BaselineName,
} from '../../../envs/memmap-skyline/baselines.js';
import { memmapSkyline } from '../../../envs/memmap-skyline/entry.js';
import { SkylineEnv, skylineConfig } from '../../../envs/memmap-skyline/env.js';
import { generateTrace } from '../../../envs/memmap/generator.js';
import { generateTiling, TILING_SIDE } from '../../../envs/memmap/tilings.js';
import { bundledTraces, liveBytesBound } from '../../../envs/memmap/traces.js';
import type { MemBuffer, Trace } from '../../../envs/memmap/types.js';
import { validatePlacement } from '../../../envs/memmap/validate.js';
import { Rng } from '../../../src/core/rng.js';
import { buf } from '../memmap/fixtures.js';

const overlaps = (a: MemBuffer, b: MemBuffer): boolean => a.start < b.end && b.start < a.end;
const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Where buffer i lands given the placed offsets, computed from scratch. */
function floorOf(trace: Trace, placed: Map<number, number>, i: number): number {
  let top = 0;
  for (const [j, o] of placed)
    if (overlaps(trace.buffers[i], trace.buffers[j]))
      top = Math.max(top, o + trace.buffers[j].size);
  return alignUp(top, trace.buffers[i].alignment);
}

/** A trace with alignments, so that landing offsets are aligned up. */
function alignedTrace(): Trace {
  const t = generateTrace(5, 0, { buffers: 40 });
  const buffers = t.buffers.map((b, i) => ({ ...b, alignment: [1, 8, 64][i % 3] }));
  return { ...t, buffers };
}

/** Plays copy 0 with the action `pick` chooses, checking every decision from scratch. */
function playChecked(trace: Trace, K: number, pick: (count: number) => number): number {
  const env = new SkylineEnv(skylineConfig({ numEnvs: 1, traces: [trace], candidates: K }));
  env.reset(3);
  const s = env.state;
  const order = Array.from(env.table.bufIndex.subarray(0, trace.buffers.length));
  const placed = new Map<number, number>();
  for (let step = 0; step < trace.buffers.length; step++) {
    // The candidates: the K unplaced buffers that land lowest, ties in table order, lowest first.
    const expected = order
      .map((i, k) => ({ k, x: floorOf(trace, placed, i), placed: placed.has(i) }))
      .filter((c) => !c.placed)
      .sort((a, b) => a.x - b.x || a.k - b.k)
      .slice(0, K)
      .map((c) => c.k);
    const count = s.numCandidates[0];
    expect(Array.from(s.candBuffer.subarray(0, count))).toEqual(expected);
    expect(Array.from(env.obs.mask.subarray(0, K))).toEqual(
      Array.from({ length: K }, (_, c) => (c < count ? 1 : 0)),
    );
    const a = pick(count);
    const k = s.candBuffer[a];
    const i = order[k];
    const x = floorOf(trace, placed, i);
    const r = env.step(Int32Array.of(a));
    placed.set(i, x);
    if (r.terminated[0] === 1) {
      const { placement } = env.finalPlacement(0);
      expect(placement).toEqual(trace.buffers.map((_, j) => placed.get(j)));
      expect(validatePlacement(trace, placement, 'fit', r.episodes.metric[0])).toEqual([]);
      // The return is the lower bound minus the peak.
      expect(r.episodes.return[0]).toBe(liveBytesBound(trace.buffers) - r.episodes.metric[0]);
      return r.episodes.metric[0];
    }
    expect(s.offset[k]).toBe(x);
  }
  throw new Error('the episode did not end after every buffer was placed');
}

describe('memmap-skyline environment', () => {
  it('offers the K unplaced buffers that land lowest and places each at its aligned floor', () => {
    const rng = new Rng(11);
    for (const K of [1, 4, 16]) playChecked(alignedTrace(), K, (n) => rng.int(0, n - 1));
  });

  it("reaches minimalloc's optimum of its example: some order of its 5 buffers fits the capacity", () => {
    const [example] = bundledTraces('examples');
    const n = example.buffers.length;
    const peaks: number[] = [];
    const permute = (prefix: number[]): void => {
      if (prefix.length === n) {
        // Slot of the next buffer of the permutation among the current candidates (K = n).
        const env = new SkylineEnv(skylineConfig({ numEnvs: 1, traces: [example], candidates: n }));
        env.reset(0);
        const order = Array.from(env.table.bufIndex.subarray(0, n));
        for (const i of prefix) {
          const slot = Array.from(env.state.candBuffer).indexOf(order.indexOf(i));
          const r = env.step(Int32Array.of(slot));
          if (r.terminated[0] === 1) peaks.push(r.episodes.metric[0]);
        }
        return;
      }
      for (let i = 0; i < n; i++) if (!prefix.includes(i)) permute([...prefix, i]);
    };
    permute([]);
    expect(peaks).toHaveLength(120);
    expect(Math.min(...peaks)).toBe(example.capacity);
    expect(Math.max(...peaks)).toBeGreaterThan(example.capacity);
  });

  it('places a buffer that overlaps nothing placed at 0, and stacks the ones that do', () => {
    const trace: Trace = {
      name: 'two',
      capacity: 16,
      buffers: [buf('a', 0, 4, 6), buf('b', 2, 6, 4, 4), buf('c', 6, 8, 5)],
    };
    // Start order a, b, c: a at 0; b lands on a (6, aligned up to 8); c overlaps nothing placed.
    const env = new SkylineEnv(skylineConfig({ numEnvs: 1, traces: [trace], candidates: 1 }));
    env.reset(0);
    env.step(Int32Array.of(0));
    env.step(Int32Array.of(0));
    const r = env.step(Int32Array.of(0));
    expect(r.terminated[0]).toBe(1);
    expect(env.finalPlacement(0).placement).toEqual([0, 8, 0]);
    expect(r.episodes.metric[0]).toBe(12);
  });

  it('refuses the capacity objective, naming the field and why', () => {
    const traces = [generateTrace(1, 0, { buffers: 8 })];
    expect(
      () => new SkylineEnv({ ...skylineConfig({ numEnvs: 1, traces }), objective: 'capacity' }),
    ).toThrow(InputError);
    expect(
      () => new SkylineEnv({ ...skylineConfig({ numEnvs: 1, traces }), objective: 'capacity' }),
    ).toThrow(/memmap-skyline config.*objective.*'fit'/);
    expect(() => memmapSkyline.parseOptions({ objective: 'capacity' })).toThrow(
      /--objective must be fit/,
    );
  });

  it('plays its heuristics as the lowest landing with ties in their own order', () => {
    const trace = alignedTrace();
    const b = trace.buffers;
    const life = (i: number): number => b[i].end - b[i].start;
    const ties: Record<BaselineName, (i: number, j: number) => number> = {
      'skyline-start': (i, j) => b[i].start - b[j].start || b[j].size - b[i].size,
      'skyline-size': (i, j) => b[j].size - b[i].size || life(j) - life(i),
      'skyline-duration': (i, j) => life(j) - life(i) || b[j].size - b[i].size,
    };
    const placements = new Set<string>();
    for (const name of BASELINES) {
      // The reference: the unplaced buffer that lands lowest, ties by the rule, then list order.
      const placed = new Map<number, number>();
      while (placed.size < b.length) {
        const next = b
          .map((_, i) => i)
          .filter((i) => !placed.has(i))
          .sort(
            (i, j) =>
              floorOf(trace, placed, i) - floorOf(trace, placed, j) || ties[name](i, j) || i - j,
          )[0];
        placed.set(next, floorOf(trace, placed, next));
      }
      const config = baselineConfig(skylineConfig({ numEnvs: 1, traces: [trace] }), name);
      const env = new SkylineEnv(config);
      env.reset(0);
      const policy = memmapSkyline.baselines.policy(name, 0);
      const actions = new Int32Array(1);
      for (;;) {
        void policy.act(env, actions);
        const r = env.step(actions);
        if (r.terminated[0] !== 1) continue;
        expect(env.finalPlacement(0).placement).toEqual(b.map((_, i) => placed.get(i)));
        placements.add(JSON.stringify(env.finalPlacement(0).placement));
        break;
      }
    }
    // Three rules, three different placements of this trace: the ties matter.
    expect(placements.size).toBe(3);
  });
});

describe('memmap perfect tilings', () => {
  it('tile the square of their capacity: the lower bound is the capacity and the areas sum to it', () => {
    for (let i = 0; i < 6; i++) {
      const t = generateTiling(4, i, { buffers: 120 });
      expect(t.buffers).toHaveLength(120);
      expect(t.capacity).toBe(TILING_SIDE);
      expect(liveBytesBound(t.buffers)).toBe(TILING_SIDE);
      const area = t.buffers.reduce((s, b) => s + b.size * (b.end - b.start), 0);
      expect(area).toBe(TILING_SIDE * TILING_SIDE);
      expect(Math.max(...t.buffers.map((b) => b.end))).toBe(TILING_SIDE);
    }
  });

  it('are the same numbers from the same seed and index, and others from others', () => {
    expect(generateTiling(4, 2, { buffers: 50 })).toEqual(generateTiling(4, 2, { buffers: 50 }));
    expect(generateTiling(4, 2, { buffers: 50 })).not.toEqual(
      generateTiling(5, 2, { buffers: 50 }),
    );
    expect(() => generateTiling(1, 0, { buffers: 0 })).toThrow(/buffers must be an integer/);
  });
});
