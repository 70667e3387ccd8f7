import { describe, expect, it } from 'vitest';
import { exampleGraph } from '../../../envs/soc/examples.js';
import { cpop, heft, makespanOf, peft, upwardRank } from '../../../envs/soc/static.js';
import { validateDagSchedule } from '../../../envs/soc/validate.js';

describe('static DAG schedulers on their papers’ example graphs', () => {
  const topcuoglu = exampleGraph('topcuoglu2002');
  const arabnejad = exampleGraph('arabnejad2014');

  it("HEFT's makespan on Topcuoglu's graph is 80, with the paper's upward ranks", () => {
    const rank = upwardRank(topcuoglu.graph, topcuoglu.platform);
    // Table 1 of the paper (rounded there to 3 decimals).
    expect(rank.map((r) => Math.round(r * 1000) / 1000)).toEqual([
      108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667,
    ]);
    const s = heft(topcuoglu.graph, topcuoglu.platform);
    expect(validateDagSchedule(topcuoglu.graph, topcuoglu.platform, s)).toEqual([]);
    expect(makespanOf(s)).toBe(80);
  });

  it("CPOP's makespan on Topcuoglu's graph is 86", () => {
    const s = cpop(topcuoglu.graph, topcuoglu.platform);
    expect(validateDagSchedule(topcuoglu.graph, topcuoglu.platform, s)).toEqual([]);
    expect(makespanOf(s)).toBe(86);
  });

  it("PEFT's makespan on its paper's graph is 122", () => {
    const s = peft(arabnejad.graph, arabnejad.platform);
    expect(validateDagSchedule(arabnejad.graph, arabnejad.platform, s)).toEqual([]);
    expect(makespanOf(s)).toBe(122);
  });

  it('rejects schedules that break precedence, transfer delays or processor exclusivity', () => {
    const { graph, platform } = topcuoglu;
    const good = heft(graph, platform);
    const shifted = {
      ...good,
      start: good.start.map((t, i) => (i === 9 ? t - 1 : t)),
      finish: good.finish.map((t, i) => (i === 9 ? t - 1 : t)),
    };
    expect(validateDagSchedule(graph, platform, shifted).join('\n')).toMatch(
      /task 9 starts at .* before its input/,
    );
    // Task 1 moved onto task 0's processor at time 0: overlaps task 0 and starts before its input.
    const p0 = good.proc[0];
    const clash = {
      proc: good.proc.map((p, i) => (i === 1 ? p0 : p)),
      start: good.start.map((t, i) => (i === 1 ? 0 : t)),
      finish: good.finish.map((t, i) => (i === 1 ? graph.exec[1][p0] : t)),
    };
    const issues = validateDagSchedule(graph, platform, clash).join('\n');
    expect(issues).toMatch(/overlaps/);
    expect(issues).toMatch(/task 1 starts at 0 before its input from task 0/);
    const wrongTime = { ...good, finish: good.finish.map((t, i) => (i === 0 ? t + 1 : t)) };
    expect(validateDagSchedule(graph, platform, wrongTime).join('\n')).toMatch(/task 0 runs/);
  });
});
