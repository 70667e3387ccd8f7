import { describe, expect, it } from 'vitest';
import { JobShopEnv } from '../../../envs/jobshop/env.js';
import { playEpisodes } from '../../../envs/jobshop/evaluate.js';
import { bundledBounds, bundledNames, loadBundled } from '../../../envs/jobshop/instances.js';
import { RULE_NAMES, RULE_PRIORITIES, rulePolicy } from '../../../envs/jobshop/rules.js';
import { SCHEDULE_MODES } from '../../../envs/jobshop/types.js';
import { validateSchedule } from '../../../envs/jobshop/validate.js';
import { TINY_3X3 } from './fixtures.js';

const bounds = bundledBounds();
// The reentrant industrial family is large (600-970 jobs); it has its own file so the two run in parallel.
const classic = bundledNames().filter((n) => bounds[n].family !== 'bel');

describe('dispatching rules on the bundled benchmark instances', () => {
  const instances = classic.map(loadBundled);
  for (const mode of SCHEDULE_MODES) {
    it(`every rule builds valid schedules no shorter than the proved lower bound (${mode}, ${instances.length} instances)`, () => {
      for (const rule of RULE_NAMES) {
        const outcomes = playEpisodes(instances, () => rulePolicy(rule, 1), mode);
        outcomes.forEach((o, i) => {
          expect(o.instance).toBe(instances[i]);
          expect(validateSchedule(o.instance, o.schedule, o.makespan)).toEqual([]);
          expect(o.makespan).toBeGreaterThanOrEqual(bounds[o.instance.name].lowerBound);
        });
      }
    });
  }
});

describe('dispatching rules: decisions', () => {
  it('follow their definition on a hand-checked first decision', () => {
    // TINY_3X3 first operations: job 0 (machine 0, 3), job 1 (machine 1, 2), job 2 (machine 0, 2).
    const first = (rule: (typeof RULE_NAMES)[number]): number => {
      const env = new JobShopEnv({
        numEnvs: 1,
        source: { kind: 'fixed', instances: [TINY_3X3] },
        mode: 'active',
        reward: 'dense',
      });
      env.reset(0);
      const a = new Int32Array(1);
      rulePolicy(rule).act(env, a);
      return a[0];
    };
    const ops = TINY_3X3.jobs.map((o) => o[0].duration);
    const work = TINY_3X3.jobs.map((o) => o.reduce((s, x) => s + x.duration, 0));
    const argBy = (score: (j: number) => number): number =>
      [0, 1, 2].reduce((b, j) => (score(j) < score(b) ? j : b), 0);
    expect(first('spt')).toBe(argBy((j) => ops[j]));
    expect(first('lpt')).toBe(argBy((j) => -ops[j]));
    expect(first('mwkr')).toBe(argBy((j) => -work[j]));
    expect(first('lwkr')).toBe(argBy((j) => work[j]));
    expect(first('fdd/mwkr')).toBe(argBy((j) => ops[j] / work[j]));
    // All jobs are ready at 0 and have 3 operations: ties go to the lowest index.
    expect(first('fifo')).toBe(0);
    expect(first('mor')).toBe(0);
    expect(first('lor')).toBe(0);
  });

  it('lists every priority rule plus random', () => {
    expect(RULE_NAMES).toEqual([...Object.keys(RULE_PRIORITIES), 'random']);
  });

  it('makes the random rule reproducible from its seed', () => {
    const inst = [loadBundled('ft10')];
    const run = (seed: number): number =>
      playEpisodes(inst, () => rulePolicy('random', seed), 'active')[0].makespan;
    expect(run(3)).toBe(run(3));
    const makespans = new Set([1, 2, 3, 4, 5, 6].map(run));
    expect(makespans.size).toBeGreaterThan(1);
  });
});
