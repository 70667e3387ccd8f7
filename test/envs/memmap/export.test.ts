import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memmap } from '../../../envs/memmap/entry.js';
import { MemmapEnv, memmapConfig } from '../../../envs/memmap/env.js';
import { FEATURES } from '../../../envs/memmap/features.js';
import { playConfig } from '../../../envs/memmap/play.js';
import { bundledTraces } from '../../../envs/memmap/traces.js';
import type { MemmapBatch, Objective, Trace } from '../../../envs/memmap/types.js';
import type { Policy } from '../../../src/core/vecenv.js';
import { exportModule } from '../../../src/export/export.js';
import { randomCheckpoint } from '../../support/checkpoints.js';
import { HOLES } from './fixtures.js';

interface Exported {
  dispatch(cand: ArrayLike<number>, glob: ArrayLike<number>, mask?: ArrayLike<number>): number;
  placeAll(
    buffers: readonly { start: number; end: number; size: number; alignment?: number }[],
    options?: { capacity?: number; objective?: Objective; order?: string; candidates?: number },
  ): { offsets: (number | null)[]; peak: number };
}

const options = { objective: 'fit', order: 'size', candidates: 8, buffers: 40, pool: 4 };
const checkpoint = randomCheckpoint(
  { name: 'memmap', options },
  FEATURES.candidate,
  FEATURES.global,
  3,
  16,
  FEATURES.scales,
);
const { js, dts } = exportModule(checkpoint, memmap.features, 'memmap export test');
const dir = mkdtempSync(join(tmpdir(), 'schedrl-memmap-export-'));
writeFileSync(join(dir, 'place.mjs'), js);
const mod = (await import(pathToFileURL(join(dir, 'place.mjs')).href)) as Exported;

/** The exported dispatch() acting in the environment, copy by copy. */
const exportedPolicy: Policy<MemmapBatch> = {
  name: 'exported',
  act(env, actions) {
    const { obs, spec } = env as MemmapEnv;
    const K = spec.maxCandidates;
    const F = spec.candidateFeatures.length;
    const G = spec.globalFeatures.length;
    for (let e = 0; e < env.numEnvs; e++)
      actions[e] = mod.dispatch(
        obs.cand.subarray(e * K * F, (e + 1) * K * F),
        obs.glob.subarray(e * G, (e + 1) * G),
        obs.mask.subarray(e * K, (e + 1) * K),
      );
  },
};

describe('memmap exported module', () => {
  it('places a compiler buffer list as the environment does with the same dispatch', () => {
    const [A] = bundledTraces('challenging');
    const cases: [Trace, Objective][] = [
      [A, 'fit'],
      [{ ...A, capacity: 700_000 }, 'capacity'],
      [HOLES, 'fit'],
    ];
    for (const [trace, objective] of cases) {
      const config = memmapConfig({
        numEnvs: 1,
        traces: [trace],
        objective,
        order: 'size',
        candidates: 8,
      });
      const [played] = playConfig(config, exportedPolicy);
      const list = trace.buffers.map((b) => ({ start: b.start, end: b.end, size: b.size }));
      const placed = mod.placeAll(list, { capacity: trace.capacity, objective });
      expect(placed.offsets).toEqual(played.placement);
      if (objective === 'fit') expect(placed.peak).toBe(played.cost);
      else expect(placed.offsets.some((o) => o === null)).toBe(true);
    }
  });

  it('declares placeAll and refuses bad buffer lists naming the buffer and field', () => {
    expect(dts).toContain('export declare function placeAll(');
    expect(() => mod.placeAll([{ start: 3, end: 3, size: 4 }])).toThrow(
      /buffers\[0\]\.end must be an integer in 4\.\./,
    );
    expect(() => mod.placeAll([{ start: 0, end: 2, size: 1.5 }])).toThrow(/buffers\[0\]\.size/);
    expect(() => mod.placeAll([])).toThrow(/non-empty array/);
    const huge = Array.from({ length: 4 }, () => ({ start: 0, end: 1, size: 0x3fffffff }));
    expect(() => mod.placeAll(huge)).toThrow(/must sum to at most/);
    expect(() => mod.placeAll([{ start: 0, end: 1, size: 1 }], { capacity: -1 })).toThrow(
      /capacity must be an integer/,
    );
    expect(() => mod.placeAll([{ start: 0, end: 2, size: 1 }], { order: 'random' })).toThrow(
      /unknown order 'random'/,
    );
  });
});
