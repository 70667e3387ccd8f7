import { describe, expect, it } from 'vitest';
import { JobShopEnv, jobShopConfig } from '../../../envs/jobshop/env.js';
import { playEpisodes } from '../../../envs/jobshop/play.js';
import { loadBundled } from '../../../envs/jobshop/instances.js';
import {
  RULE_NAMES,
  RULE_PRIORITIES,
  rulePolicy,
  type RuleName,
} from '../../../envs/jobshop/rules.js';
import type { Instance } from '../../../envs/jobshop/types.js';
import { RAGGED, TINY_3X3 } from './fixtures.js';
import { families, family, ruleSweep } from './rule-sweep.js';

// The sweep on every bundled instance takes minutes (the bel family alone 100 s of CPU): npm test
// runs it on the first and the last instance of each classic family (ft06 to ta80's 100x20) and on
// the two bel instances with the fewest jobs (627 and 651, ragged and re-entrant); npm run
// test:full runs it on all 182 (rules.full.test.ts, rules-bel.full.test.ts).
ruleSweep('dispatching rules on a few bundled benchmark instances of each family', [
  ...families()
    .filter((f) => f !== 'bel')
    .flatMap((f) => [family(f)[0], family(f).at(-1)!]),
  'bel01',
  'bel09',
]);

describe('dispatching rules: decisions', () => {
  /** The rule's choice after playing `prefix` (job indices) on `inst` in active mode. */
  const choice = (inst: Instance, rule: RuleName, prefix: readonly number[] = []): number => {
    const env = new JobShopEnv(
      jobShopConfig({ numEnvs: 1, source: { kind: 'fixed', instances: [inst] } }),
    );
    env.reset(0);
    for (const a of prefix) env.step(Int32Array.of(a));
    const out = new Int32Array(1);
    rulePolicy(rule).act(env, out);
    return out[0];
  };

  it('follow their definition on hand-checked decisions', () => {
    // TINY_3X3 first operations: job 0 (M0, 2), job 1 (M2, 1), job 2 (M0, 1); total work 7, 8, 7.
    expect(choice(TINY_3X3, 'spt')).toBe(1); // 1 beats 2 on the index tie
    expect(choice(TINY_3X3, 'lpt')).toBe(0);
    expect(choice(TINY_3X3, 'mwkr')).toBe(1);
    expect(choice(TINY_3X3, 'lwkr')).toBe(0);
    expect(choice(TINY_3X3, 'fdd/mwkr')).toBe(1); // 1/8 < 1/7 < 2/7
    // RAGGED: jobs 0 and 1 have three operations, job 2 has two.
    expect(choice(RAGGED, 'mor')).toBe(0);
    expect(choice(RAGGED, 'lor')).toBe(2);
    // After job 0's first operation (M0, 3), job 0 is ready at 3, jobs 1 and 2 at 0.
    expect(choice(RAGGED, 'fifo', [0])).toBe(1);
    // Then job 1 (M0 after job 0: ends 5) and job 2 (M1: ends 4): job 0, ready at 3, waited longest.
    expect(choice(RAGGED, 'fifo', [0, 1, 2])).toBe(0);
    // After one operation of jobs 0 and 2, operations left are 2, 3, 1.
    expect(choice(RAGGED, 'lor', [0, 2])).toBe(2);
    expect(choice(RAGGED, 'mor', [0, 2])).toBe(1);
  });

  it('lists every priority rule plus random', () => {
    expect(RULE_NAMES).toEqual([...Object.keys(RULE_PRIORITIES), 'random']);
  });

  it('makes the random rule reproducible from its seed', async () => {
    const inst = [loadBundled('ft10')];
    const run = async (seed: number): Promise<number> =>
      (await playEpisodes(inst, () => rulePolicy('random', seed), 'active'))[0].makespan;
    expect(await run(3)).toBe(await run(3));
    const makespans = new Set(await Promise.all([1, 2, 3, 4, 5, 6].map(run)));
    expect(makespans.size).toBeGreaterThan(1);
  });
});
