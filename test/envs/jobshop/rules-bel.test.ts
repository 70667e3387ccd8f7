import { describe, expect, it } from 'vitest';
import { playEpisodes } from '../../../envs/jobshop/play.js';
import { bundledBounds, bundledNames, loadBundled } from '../../../envs/jobshop/instances.js';
import { RULE_NAMES, rulePolicy } from '../../../envs/jobshop/rules.js';
import { SCHEDULE_MODES } from '../../../envs/jobshop/types.js';
import { validateSchedule } from '../../../envs/jobshop/validate.js';

// Boveroux et al.'s industrial instances: ragged, re-entrant, up to 968 jobs.
const bounds = bundledBounds();
const bel = bundledNames().filter((n) => bounds[n].family === 'bel');

describe('dispatching rules on the re-entrant bel instances', () => {
  const instances = bel.map(loadBundled);
  it('has ragged and re-entrant jobs to test', () => {
    const ragged = instances.some((inst) => inst.jobs.some((ops) => ops.length < inst.numMachines));
    const reentrant = instances.some((inst) =>
      inst.jobs.some((ops) => new Set(ops.map((o) => o.machine)).size < ops.length),
    );
    expect(ragged && reentrant).toBe(true);
  });
  for (const mode of SCHEDULE_MODES) {
    it(`every rule builds valid schedules no shorter than the proved lower bound (${mode})`, async () => {
      for (const rule of RULE_NAMES) {
        for (const o of await playEpisodes(instances, () => rulePolicy(rule, 1), mode)) {
          expect(validateSchedule(o.instance, o.schedule, o.makespan)).toEqual([]);
          expect(o.makespan).toBeGreaterThanOrEqual(bounds[o.instance.name].lowerBound);
        }
      }
    }, 300_000);
  }
});
