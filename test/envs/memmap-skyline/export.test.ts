import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memmapSkyline } from '../../../envs/memmap-skyline/entry.js';
import { SkylineEnv, skylineConfig } from '../../../envs/memmap-skyline/env.js';
import { FEATURES } from '../../../envs/memmap-skyline/features.js';
import { generateTrace } from '../../../envs/memmap/generator.js';
import { bundledTraces } from '../../../envs/memmap/traces.js';
import type { Trace } from '../../../envs/memmap/types.js';
import { exportModule } from '../../../src/export/export.js';
import { randomCheckpoint } from '../../support/checkpoints.js';

interface Exported {
  dispatch(cand: ArrayLike<number>, glob: ArrayLike<number>, mask?: ArrayLike<number>): number;
  placeAll(
    buffers: readonly { start: number; end: number; size: number; alignment?: number }[],
    options?: { capacity?: number; order?: string; candidates?: number },
  ): { offsets: number[]; peak: number };
}

const options = { order: 'start', candidates: 8, family: 'ml', buffers: 40, pool: 4 };
const checkpoint = randomCheckpoint(
  { name: 'memmap-skyline', options },
  FEATURES.candidate,
  FEATURES.global,
  5,
  16,
  FEATURES.scales,
);
const { js, dts } = exportModule(checkpoint, memmapSkyline.features, 'memmap-skyline export test');
const dir = mkdtempSync(join(tmpdir(), 'schedrl-skyline-export-'));
writeFileSync(join(dir, 'place.mjs'), js);
const mod = (await import(pathToFileURL(join(dir, 'place.mjs')).href)) as Exported;

/** The environment's greedy episode of trace with the exported dispatch() choosing. */
function envPlacement(trace: Trace, order: 'start' | 'size', K: number) {
  const env = new SkylineEnv(skylineConfig({ numEnvs: 1, traces: [trace], order, candidates: K }));
  env.reset(0);
  const { cand, glob, mask } = env.obs;
  for (;;) {
    const r = env.step(Int32Array.of(mod.dispatch(cand, glob, mask)));
    if (r.terminated[0] === 1)
      return { offsets: env.finalPlacement(0).placement, peak: r.episodes.metric[0] };
  }
}

describe('memmap-skyline exported module', () => {
  it('places a compiler buffer list as the environment does with the same dispatch', () => {
    const [A] = bundledTraces('challenging');
    const ml = generateTrace(7, 1, { buffers: 60 });
    const aligned = {
      ...ml,
      buffers: ml.buffers.map((b, i) => ({ ...b, alignment: 1 + (i % 4) * 16 })),
    };
    for (const [trace, order, K] of [
      [A, 'start', 8],
      [aligned, 'size', 4],
    ] as const) {
      const list = trace.buffers.map((b) => ({
        start: b.start,
        end: b.end,
        size: b.size,
        alignment: b.alignment,
      }));
      const placed = mod.placeAll(list, { capacity: trace.capacity, order, candidates: K });
      expect(placed).toEqual(envPlacement(trace, order, K));
    }
    // The checkpoint's own options are the defaults; the capacity defaults to the lower bound.
    expect(
      mod.placeAll([
        { start: 0, end: 2, size: 3 },
        { start: 1, end: 3, size: 4 },
      ]).peak,
    ).toBe(7);
    expect(dts).toMatch(/export declare function placeAll/);
  });

  it('refuses bad buffer lists naming the buffer and field', () => {
    expect(() => mod.placeAll([])).toThrow(/placeAll: buffers must be a non-empty array/);
    expect(() => mod.placeAll([{ start: 3, end: 3, size: 1 }])).toThrow(
      /placeAll: buffers\[0\]\.end must be an integer in 4\.\./,
    );
    expect(() => mod.placeAll([{ start: 0, end: 1, size: 1 }], { order: 'random' })).toThrow(
      /unknown order 'random'/,
    );
    // Offsets are 32-bit: sizes summing past 2^30 - 1 are refused, not wrapped.
    const huge = Array.from({ length: 4 }, () => ({ start: 0, end: 1, size: 0x3fffffff }));
    expect(() => mod.placeAll(huge)).toThrow(
      /sizes \(with alignment - 1 each\) must sum to at most/,
    );
    expect(() => mod.placeAll([{ start: 0, end: 1, size: 1 }], { capacity: 0 })).toThrow(
      /capacity must be an integer in 1\.\./,
    );
  });
});
