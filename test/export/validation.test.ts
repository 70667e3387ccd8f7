import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportModule } from '../../src/export/export.js';
import { jobshop } from '../../envs/jobshop/entry.js';
import { soc } from '../../envs/soc/entry.js';
import { jobshopCheckpoint, socCheckpoint } from '../support/checkpoints.js';

interface Dispatch {
  scores(cand: unknown, glob: unknown, mask?: unknown): Float64Array;
  dispatch(cand: unknown, glob: unknown, mask?: unknown): number;
  featurize(candidates: unknown, state: unknown): { cand: Float32Array; glob: Float32Array };
  dispatchState(candidates: unknown, state: unknown, legal?: unknown): number;
  candidateInputs: string[];
  stateInputs: string[];
}

const dir = mkdtempSync(join(tmpdir(), 'schedrl-export-check-'));
const modules = await Promise.all(
  [
    { name: 'jobshop', c: jobshopCheckpoint(11, 16), features: jobshop.features },
    { name: 'soc', c: socCheckpoint(5, 16), features: soc.features },
  ].map(async ({ name, c, features }) => {
    const { js, dts } = exportModule(c, features, 'test');
    writeFileSync(join(dir, `${name}.mjs`), js);
    const mod = (await import(pathToFileURL(join(dir, `${name}.mjs`)).href)) as Dispatch;
    return { name, mod, dts, features };
  }),
);

describe.each(modules)('the exported $name module refuses bad inputs', ({ mod, features }) => {
  const F = features.candidate.length;
  const G = features.global.length;
  const cand = Float32Array.from({ length: 3 * F }, (_, i) => (i % 7) / 10);
  const glob = Float32Array.from({ length: G }, () => 0.5);

  it('non-finite features, naming the argument, index and feature', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const c = Float32Array.from(cand);
      c[F + 2] = bad;
      for (const fn of ['scores', 'dispatch'] as const)
        expect(() => mod[fn](c, glob)).toThrow(
          new RangeError(
            `${fn}: cand[${F + 2}] (candidate 1, ${features.candidate[2]}) must be finite, got ${bad}`,
          ),
        );
      const g = Float32Array.from(glob);
      g[1] = bad;
      expect(() => mod.dispatch(cand, g)).toThrow(
        `dispatch: glob[1] (${features.global[1]}) must be finite, got ${bad}`,
      );
    }
  });

  it('non-numeric values and arguments', () => {
    expect(() => mod.dispatch([...cand.slice(0, F - 1), '1', ...cand.slice(F)], glob)).toThrow(
      TypeError,
    );
    expect(() => mod.dispatch([...cand.slice(0, F - 1), '1', ...cand.slice(F)], glob)).toThrow(
      `dispatch: cand[${F - 1}] (candidate 0, ${features.candidate[F - 1]}) must be a number, got string 1`,
    );
    expect(() => mod.dispatch(undefined, glob)).toThrow(
      new TypeError('dispatch: cand must be an array or typed array of numbers, got undefined'),
    );
    expect(() => mod.dispatch(cand, glob, [1, 'x', 1])).toThrow(
      new TypeError('dispatch: mask[1] must be 0, 1, true or false, got string'),
    );
    expect(() => mod.dispatch(cand, glob, [1, 2, 1])).toThrow(
      'mask[1] must be 0, 1, true or false',
    );
  });

  it('wrong lengths', () => {
    expect(() => mod.scores(cand.subarray(1), glob)).toThrow(
      new RangeError(
        `scores: cand must hold K * ${F} values (${F} features per candidate), got ${3 * F - 1}`,
      ),
    );
    expect(() => mod.dispatch(cand, glob.subarray(1))).toThrow(
      new RangeError(`dispatch: glob must hold ${G} values, got ${G - 1}`),
    );
    expect(() => mod.dispatch(cand, glob, [1, 1])).toThrow(
      new RangeError('dispatch: mask must hold one value per candidate (3), got 2'),
    );
    expect(mod.dispatch(cand, glob, [0, 1, 0])).toBe(1);
  });

  const raw = (v: number): Record<string, number> =>
    Object.fromEntries([...mod.candidateInputs, ...mod.stateInputs].map((n) => [n, v]));

  it('raw inputs: non-finite, non-numeric, missing, and a legal list of another length', () => {
    const state = raw(1);
    const candidates = [raw(2), raw(3)];
    expect(mod.dispatchState(candidates, state, [false, true])).toBe(1);
    const name = mod.candidateInputs[0];
    for (const bad of [NaN, Infinity])
      expect(() => mod.dispatchState([raw(2), { ...raw(3), [name]: bad }], state)).toThrow(
        new RangeError(`dispatchState: candidate 1: input '${name}' must be finite, got ${bad}`),
      );
    const s = mod.stateInputs[0];
    expect(() => mod.featurize(candidates, { ...state, [s]: '4' })).toThrow(TypeError);
    expect(() => mod.featurize(candidates, { ...state, [s]: NaN })).toThrow(
      `featurize: state: input '${s}' must be finite, got NaN`,
    );
    expect(() => mod.dispatchState(candidates, state, [true])).toThrow(
      new RangeError('dispatchState: legal must hold one flag per candidate (2), got 1'),
    );
    expect(() => mod.dispatchState(candidates, state, [true, true, false])).toThrow(RangeError);
    expect(() => mod.featurize('x', state)).toThrow(
      new TypeError('featurize: candidates must be an array of records, got string'),
    );
    expect(() => mod.featurize([1], state)).toThrow(
      new TypeError('featurize: candidates[0] must be a record, got number'),
    );
  });
});

describe.each(modules)("the exported $name module's .d.mts", ({ dts, features }) => {
  it("gives every raw input its meaning and unit, the arrays' shapes and what -1 means", () => {
    for (const i of [...features.candidateInputs, ...features.globalInputs])
      expect(dts).toContain(`/** ${i.doc} [${i.unit}] */\n  ${i.name}?: number;`);
    const F = features.candidate.length;
    expect(dts).toContain(`cand: [K * ${F}] row-major`);
    expect(dts).toContain(features.candidate.join(', '));
    expect(dts).toContain(`glob: [${features.global.length}] ${features.global.join(', ')}`);
    expect(dts).toContain('mask: [K] 1 (or true) where candidate k is legal');
    expect(dts).toContain('-1 when no candidate is legal');
    expect(dts).toContain('Every value must be a finite number');
  });
});
