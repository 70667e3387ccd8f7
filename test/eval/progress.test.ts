import { describe, expect, it } from 'vitest';
import { jobshop } from '../../envs/jobshop/entry.js';
import { loadBundled } from '../../envs/jobshop/instances.js';
import { playEpisodes } from '../../envs/jobshop/play.js';
import { rulePolicy } from '../../envs/jobshop/rules.js';
import { jobshopSuite } from '../../envs/jobshop/suites.js';
import { evaluateSuite } from '../../src/eval/evaluate.js';
import { parsePolicies } from '../../src/eval/policies.js';
import type { AnyEnvEntry } from '../../src/core/registry.js';

describe('evaluation progress', () => {
  it('prints decision steps done of the expected count on the log while a batch runs', async () => {
    const lines: string[] = [];
    const entry = jobshop as unknown as AnyEnvEntry;
    await evaluateSuite(
      entry,
      jobshopSuite('ft06', {}),
      parsePolicies(entry, ['spt']),
      {
        backend: 'cpu',
        gpu: undefined,
      },
      { samples: 1, seed: 0, tfBackend: 'wasm', log: (l) => lines.push(l), progressSeconds: 0 },
    );
    // ft06: 6 jobs of 6 operations, one decision per operation.
    expect(lines).toContain('jobshop: spt batch 1/1: 1 decision steps of 36 (2%), 0 s');
    expect(
      lines.some((l) => /batch 1\/1: 36 decision steps of 36 \(100%\), \d+ s \(done\)$/.test(l)),
    ).toBe(true);
  });
});

describe("the job shop's episode runner", () => {
  it('reports every decision step to its progress callback (what bench:large prints from)', async () => {
    const steps: number[] = [];
    const [outcome] = await playEpisodes(
      [loadBundled('ft06')],
      () => rulePolicy('spt'),
      'active',
      undefined,
      (n) => steps.push(n),
    );
    expect(steps).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    expect(outcome.makespan).toBeGreaterThanOrEqual(55);
  });
});
