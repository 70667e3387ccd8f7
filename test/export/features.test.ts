import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/paths.js';
import { ENVIRONMENTS } from '../../src/core/registry.js';
import { exportModule, featureModuleBody, featureModulePath } from '../../src/export/export.js';
import { featureConstants } from '../../src/gpu/feature-constants.js';
import { jobshopCheckpoint, socCheckpoint } from '../support/checkpoints.js';

describe.each(ENVIRONMENTS.map((e) => [e.name, e.features] as const))(
  "%s's feature module",
  (name, features) => {
    const file = featureModulePath(name);
    const source = readFileSync(file, 'utf8');

    it('compiles to JavaScript that imports nothing and declares what the running module does', () => {
      expect(source).not.toMatch(/^\s*import[\s{*'"]/m);
      expect(source).not.toMatch(/\brequire\s*\(|\bimport\s*\(/);
      const compiled = new Function(featureModuleBody(source, file))() as typeof features;
      expect(compiled.candidate).toEqual(features.candidate);
      expect(compiled.global).toEqual(features.global);
      expect(compiled.candidateInputs).toEqual(features.candidateInputs);
      expect(compiled.globalInputs).toEqual(features.globalInputs);
      expect(compiled.scales).toEqual(features.scales);
    });

    it('declares one input per writer argument, each named once and documented', () => {
      expect(features.writeCandidate.length).toBe(2 + features.candidateInputs.length);
      expect(features.writeGlobal.length).toBe(2 + features.globalInputs.length);
      for (const list of [features.candidateInputs, features.globalInputs]) {
        expect(new Set(list.map((i) => i.name)).size).toBe(list.length);
        for (const i of list) {
          expect(i.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
          expect(i.doc.length).toBeGreaterThan(5);
          expect(i.unit).not.toBe('');
        }
      }
      for (const v of Object.values(features.scales)) expect(v).toBeGreaterThan(0);
    });

    it('gives the kernel one WGSL constant per feature offset and per scale', () => {
      const consts = new Map(featureConstants(features));
      features.candidate.forEach((f, i) =>
        expect(consts.get(`CF_${f.toUpperCase()}`)).toBe(`${i}u`),
      );
      features.global.forEach((f, i) => expect(consts.get(`GF_${f.toUpperCase()}`)).toBe(`${i}u`));
      for (const [k, v] of Object.entries(features.scales)) expect(Number(consts.get(k))).toBe(v);
      expect(consts.get('NUM_CANDIDATE_FEATURES')).toBe(`${features.candidate.length}u`);
    });

    it("is the only source of the kernel's feature offsets and scales", () => {
      const wgsl = readFileSync(join(packageRoot(), 'kernels', `${name}.wgsl`), 'utf8');
      const bodies = [...wgsl.matchAll(/^fn write_\w*features\([^]*?^}/gm)].map((m) => m[0]);
      expect(bodies.length).toBeGreaterThanOrEqual(2);
      for (const body of bodies) {
        expect(body).not.toMatch(/\b(?:off|offset|g)\s*\+\s*\d/);
        expect(body).not.toMatch(/\/\s*\d/);
      }
    });
  },
);

describe('an exported module', () => {
  it('documents every candidate and state input with its meaning and unit', () => {
    for (const [c, features] of [
      [jobshopCheckpoint(), ENVIRONMENTS.find((e) => e.name === 'jobshop')!.features],
      [socCheckpoint(), ENVIRONMENTS.find((e) => e.name === 'soc')!.features],
    ] as const) {
      const { js, dts } = exportModule(c, features, 'test');
      for (const i of [...features.candidateInputs, ...features.globalInputs])
        expect(dts).toContain(`/** ${i.doc} [${i.unit}] */\n  ${i.name}?: number;`);
      expect(js).not.toMatch(/^\s*import\s/m);
      expect(js).not.toContain('sourceMappingURL');
    }
  });

  it('refuses a feature module that imports something', () => {
    expect(() =>
      featureModuleBody("import { x } from './y.js';\nexport const FEATURES = x;", 'f.js'),
    ).toThrow(/imports something/);
    expect(() => featureModuleBody('export const OTHER = 1;', 'f.js')).toThrow(/FEATURES/);
  });
});
