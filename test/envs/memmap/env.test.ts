import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { BASELINES, baselinePolicy } from '../../../envs/memmap/baselines.js';
import { MemmapEnv, memmapConfig } from '../../../envs/memmap/env.js';
import { generateTrace } from '../../../envs/memmap/generator.js';
import { playBaseline, playConfig } from '../../../envs/memmap/play.js';
import {
  bundledTraces,
  liveBytesBound,
  parseTrace,
  readTraceFile,
} from '../../../envs/memmap/traces.js';
import type { Trace } from '../../../envs/memmap/types.js';
import { validatePlacement } from '../../../envs/memmap/validate.js';
import { renderPlacement } from '../../../envs/memmap/viewer.js';
import { ALIGNED, HOLES, STACK, buf } from './fixtures.js';

describe('memmap trace reader', () => {
  const bad = (text: string): string => {
    try {
      parseTrace(text, 'bad.csv', 'bad', 100);
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return (err as Error).message;
    }
    throw new Error('expected the trace to be refused');
  };

  it('reads minimalloc CSV with half-open lifetimes, alignment and benefit columns', () => {
    const t = parseTrace(
      'id,lower,upper,size,alignment,benefit\nx,0,4,8,4,7\ny,4,9,2,1,0\n',
      'ok.csv',
      'ok',
      16,
    );
    expect(t.buffers).toEqual([
      { id: 'x', start: 0, end: 4, size: 8, alignment: 4, benefit: 7 },
      { id: 'y', start: 4, end: 9, size: 2, alignment: 1, benefit: 0 },
    ]);
    // Without a benefit column the benefit is size x lifetime.
    expect(parseTrace('id,lower,upper,size\na,2,5,3\n', 'f', 'f', 9).buffers[0].benefit).toBe(9);
  });

  it('refuses bad traces naming file:line and what was expected', () => {
    expect(bad('id,lower,size\n')).toMatch(/^bad.csv:1: expected a header naming the columns/);
    expect(bad('id,lower,upper,size,colour\n')).toMatch(/^bad.csv:1 \(colour\): unknown column/);
    expect(bad('id,lower,upper,size\na,0,4\n')).toMatch(/^bad.csv:2: expected 4 comma-separated/);
    expect(bad('id,lower,upper,size\na,0,4,8\nb,0,x,8\n')).toMatch(
      /^bad.csv:3 \(upper\): expected an integer/,
    );
    expect(bad('id,lower,upper,size\na,4,4,8\n')).toMatch(
      /^bad.csv:2 \(upper\): expected upper > lower/,
    );
    expect(bad('id,lower,upper,size\na,0,4,0\n')).toMatch(
      /^bad.csv:2 \(size\): expected an integer in 1\.\./,
    );
    expect(bad('id,lower,upper,size\na,0,4,1\na,1,2,1\n')).toMatch(
      /^bad.csv:3 \(id\): expected a unique id, 'a' is also on line 2/,
    );
    expect(bad('id,lower,upper,size\na,0,4,1\n\nb,1,2,1\n')).toMatch(
      /^bad.csv:3: expected a buffer, got an empty line/,
    );
    expect(bad('id,lower,upper,size\n')).toMatch(/^bad.csv:2: expected at least one buffer/);
    expect(bad('id,lower,upper,size,alignment\na,0,4,1,-8\n')).toMatch(/^bad.csv:2 \(alignment\)/);
  });

  it('takes the capacity from a minimalloc file name, or asks for one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schedrl-memmap-'));
    writeFileSync(join(dir, 'tiny.64.csv'), 'id,lower,upper,size\na,0,4,8\n');
    writeFileSync(join(dir, 'tiny.csv'), 'id,lower,upper,size\na,0,4,8\n');
    expect(readTraceFile(join(dir, 'tiny.64.csv'))).toMatchObject({ name: 'tiny', capacity: 64 });
    expect(readTraceFile(join(dir, 'tiny.csv'), 32)).toMatchObject({ name: 'tiny', capacity: 32 });
    expect(() => readTraceFile(join(dir, 'tiny.csv'))).toThrow(/expected a capacity/);
    expect(() => readTraceFile(join(dir, 'missing.8.csv'))).toThrow(
      /missing.8.csv: expected a readable trace/,
    );
  });

  it("bundles minimalloc's 11 challenging traces at 1048576 and its example", () => {
    const traces = bundledTraces('challenging');
    expect(traces.map((t) => t.name)).toEqual('ABCDEFGHIJK'.split(''));
    expect(traces.every((t) => t.capacity === 1048576)).toBe(true);
    expect(traces.map((t) => t.buffers.length)).toEqual([
      154, 170, 203, 213, 215, 296, 308, 316, 374, 409, 454,
    ]);
    const [example] = bundledTraces('examples');
    expect(example).toMatchObject({ name: 'input', capacity: 12 });
    // Its lower bound is its capacity: b1, b3 and b5 are alive together at time 0.
    expect(liveBytesBound(example.buffers)).toBe(12);
  });
});

describe('memmap environment', () => {
  it('solves hand-made traces as worked out by hand', () => {
    for (const name of BASELINES) expect(playBaseline(name, [STACK])[0].cost).toBe(10);
    const [first] = playBaseline('first-fit', [HOLES]);
    const [best] = playBaseline('best-fit', [HOLES]);
    expect(first.cost).toBe(14);
    expect(best.cost).toBe(10);
    expect(best.placement).toEqual([0, 4, 6, 8, 6, 0]);
    expect(liveBytesBound(HOLES.buffers)).toBe(10);
    // minimalloc's example fits its capacity, 12, which every heuristic reaches.
    const example = bundledTraces('examples');
    for (const name of BASELINES) expect(playBaseline(name, example)[0].cost).toBe(12);
  });

  it('keeps alignment: only aligned canonical offsets are candidates', () => {
    const [o] = playBaseline('first-fit', [ALIGNED]);
    expect(o.placement).toEqual([0, 8, 16]);
    expect(o.cost).toBe(19);
  });

  it('offers the lowest K feasible canonical offsets, ascending, and spilling only in capacity mode', () => {
    const fit = new MemmapEnv(memmapConfig({ numEnvs: 1, traces: [HOLES], candidates: 2 }));
    fit.reset(0);
    const act = (a: number): void => {
      fit.step(Int32Array.of(a));
    };
    [0, 0, 0, 0].forEach(act); // A, B, D, E: each has a single feasible offset
    // F's feasible offsets are 0, 6 and 10: K = 2 keeps 0 and 6; the spill slot (K) is masked.
    expect(Array.from(fit.state.candOffset)).toEqual([0, 6]);
    expect(Array.from(fit.obs.mask)).toEqual([1, 1, 0]);
    const hard = new MemmapEnv(
      memmapConfig({ numEnvs: 1, traces: [HOLES], candidates: 4, objective: 'capacity' }),
    );
    hard.reset(0);
    [0, 0, 0, 0].forEach((a) => hard.step(Int32Array.of(a)));
    // In capacity mode 10 + 2 > 10 is out: only 0 and 6, and spilling.
    expect(Array.from(hard.state.candOffset)).toEqual([0, 6, -1, -1]);
    expect(Array.from(hard.obs.mask)).toEqual([1, 1, 0, 0, 1]);
  });

  it('spills in capacity mode and reports the benefit spilled, exactly', () => {
    const tight: Trace = { ...HOLES, capacity: 8 };
    for (const name of BASELINES) {
      const [o] = playBaseline(name, [tight], 'capacity');
      const spilled = tight.buffers.reduce(
        (s, b, i) => (o.placement[i] === null ? s + b.benefit : s),
        0,
      );
      expect(o.cost).toBe(spilled);
      expect(o.cost).toBeGreaterThan(0);
      tight.buffers.forEach((b, i) => {
        const at = o.placement[i];
        if (at !== null) expect(at + b.size).toBeLessThanOrEqual(8);
      });
    }
    // Benefits beyond 2^32 are summed exactly (the state keeps two 32-bit words).
    const big: Trace = {
      name: 'big',
      capacity: 4,
      buffers: [
        { ...buf('u', 0, 2, 8), benefit: 2 ** 40 + 3 },
        { ...buf('v', 0, 2, 8), benefit: 2 ** 33 + 5 },
      ],
    };
    expect(playBaseline('best-fit', [big], 'capacity')[0].cost).toBe(2 ** 40 + 2 ** 33 + 8);
  });

  it('reproduces the best-fit figures on the challenging traces: 1.24-1.41x the capacity', () => {
    const traces = bundledTraces('challenging');
    const spatial = playBaseline('xla-spatial', traces).map((o) => o.cost / o.trace.capacity);
    expect(Math.min(...spatial)).toBeGreaterThanOrEqual(1.24);
    expect(Math.max(...spatial)).toBeLessThan(1.42);
    // Every placement was validated (playBaseline throws otherwise); each is above the bound.
    for (const o of playBaseline('first-fit', traces))
      expect(o.cost).toBeGreaterThanOrEqual(liveBytesBound(o.trace.buffers));
  });

  it('lists every trace in the size, duration and start orders in mixed order, drawn per episode', () => {
    const traces = [HOLES, STACK];
    const config = memmapConfig({ numEnvs: 6, traces, order: 'mixed', pick: 'stream' });
    const env = new MemmapEnv(config);
    expect(Array.from(env.table.traceOf)).toEqual([0, 1, 0, 1, 0, 1]);
    // HOLES by size (then lifetime): G, A, then B, E, F, D; by start: as listed.
    expect(Array.from(env.table.bufIndex.subarray(0, 6))).toEqual([5, 0, 1, 3, 4, 2]);
    expect(
      Array.from(env.table.bufIndex.subarray(4 * env.dims.maxBuffers, 4 * env.dims.maxBuffers + 6)),
    ).toEqual([0, 1, 2, 3, 4, 5]);
    // Played through, every placement is one of the config's traces, validated.
    expect(playConfig(config, baselinePolicy('best-fit')).map((o) => o.trace.name)).toEqual([
      'holes',
      'stack',
    ]);
  });

  it('generates ML-like traces deterministically, sizes over orders of magnitude, capacity = bound', () => {
    const a = generateTrace(5, 3, { buffers: 120 });
    expect(generateTrace(5, 3, { buffers: 120 })).toEqual(a);
    expect(generateTrace(5, 4, { buffers: 120 })).not.toEqual(a);
    const sizes = a.buffers.map((b) => b.size);
    expect(Math.max(...sizes) / Math.min(...sizes)).toBeGreaterThan(1000);
    expect(a.capacity).toBe(liveBytesBound(a.buffers));
    const short = a.buffers.filter((b) => b.end - b.start <= 2).length;
    expect(short).toBeGreaterThan(a.buffers.length / 2);
    expect(a.buffers.length).toBeGreaterThan(100);
  });
});

describe('memmap validator and viewer', () => {
  const ok: (number | null)[] = [0, 4, 6, 8, 6, 0];
  it('accepts a valid placement and catches each kind of broken one', () => {
    expect(validatePlacement(HOLES, ok, 'fit', 10)).toEqual([]);
    expect(validatePlacement(HOLES, ok, 'fit', 11)).toEqual([
      'reported peak 11, the placement gives 10',
    ]);
    const overlapping = [...ok];
    overlapping[5] = 2; // G [5,10) at 2..6 meets B at 4..6
    expect(validatePlacement(HOLES, overlapping, 'fit', 10).join()).toMatch(
      /B .* and G .* overlap/,
    );
    expect(validatePlacement(ALIGNED, [0, 12, 20], 'fit', 23).join()).toMatch(
      /offset 12 is not a multiple of its alignment 8/,
    );
    const spilled = [...ok];
    spilled[5] = null;
    expect(validatePlacement(HOLES, spilled, 'fit', 10).join()).toMatch(/G was not placed/);
    expect(validatePlacement(HOLES, spilled, 'capacity', HOLES.buffers[5].benefit)).toEqual([]);
    expect(validatePlacement({ ...HOLES, capacity: 9 }, ok, 'capacity', 0).join()).toMatch(
      /exceeds the capacity 9/,
    );
  });

  it('draws a placement as time x address rectangles with the capacity and the peak', () => {
    const svg = renderPlacement(HOLES, [0, 4, 6, 8, 6, null], { title: 'holes' });
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<rect x=/g)).toHaveLength(5);
    expect(svg).toContain('capacity 10');
    expect(svg).toContain('spilled to slow memory (1): G');
  });

  it('plays a policy through playConfig', () => {
    const config = memmapConfig({ numEnvs: 1, traces: [STACK] });
    expect(playConfig(config, baselinePolicy('first-fit'))[0].cost).toBe(10);
  });
});
