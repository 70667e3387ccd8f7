/**
 * The rule sweep: every dispatching rule, in every schedule mode, on a list of bundled instances,
 * each schedule validated and no shorter than the instance's proved lower bound. `npm test` runs
 * it on a few instances of each family (rules.test.ts); `npm run test:full` on all of them
 * (rules.full.test.ts, rules-bel.full.test.ts), which takes minutes on the bel instances.
 */

import { describe, expect, it } from 'vitest';
import { playEpisodes } from '../../../envs/jobshop/play.js';
import { bundledBounds, bundledNames, loadBundled } from '../../../envs/jobshop/instances.js';
import { RULE_NAMES, rulePolicy } from '../../../envs/jobshop/rules.js';
import { SCHEDULE_MODES } from '../../../envs/jobshop/types.js';
import { validateSchedule } from '../../../envs/jobshop/validate.js';

export const bounds = bundledBounds();

/** Bundled instance names of one family (ta, la, bel, ...), in bundle order. */
export const family = (name: string): string[] =>
  bundledNames().filter((n) => bounds[n].family === name);

/** Every family of the bundle, in bundle order. */
export const families = (): string[] => [...new Set(bundledNames().map((n) => bounds[n].family))];

/** Registers the sweep over `names` (bundled instances) as one test per schedule mode. */
export function ruleSweep(title: string, names: readonly string[]): void {
  describe(title, () => {
    const instances = names.map(loadBundled);
    // The bel family is there for its ragged and re-entrant jobs: make sure the list has them.
    if (instances.some((inst) => bounds[inst.name].family === 'bel')) {
      it('has ragged and re-entrant jobs to test', () => {
        const ragged = instances.some((inst) =>
          inst.jobs.some((ops) => ops.length < inst.numMachines),
        );
        const reentrant = instances.some((inst) =>
          inst.jobs.some((ops) => new Set(ops.map((o) => o.machine)).size < ops.length),
        );
        expect(ragged && reentrant).toBe(true);
      });
    }
    for (const mode of SCHEDULE_MODES) {
      it(`every rule builds valid schedules no shorter than the proved lower bound (${mode}, ${instances.length} instances)`, async () => {
        for (const rule of RULE_NAMES) {
          const outcomes = await playEpisodes(instances, () => rulePolicy(rule, 1), mode);
          outcomes.forEach((o, i) => {
            expect(o.instance).toBe(instances[i]);
            expect(validateSchedule(o.instance, o.schedule, o.makespan)).toEqual([]);
            expect(o.makespan).toBeGreaterThanOrEqual(bounds[o.instance.name].lowerBound);
          });
        }
      }, 300_000);
    }
  });
}
