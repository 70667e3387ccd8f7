import { describe, expect, it } from 'vitest';
import { exampleGraph } from './fixtures.js';
import { randomDag } from '../../../envs/soc/generator.js';
import { adjacency, topologicalOrder } from '../../../envs/soc/graph.js';
import { DS3_JOBS, ds3Job, ds3Soc } from '../../../envs/soc/ds3.js';
import { cpop, etf, heft, makespanOf, peft, upwardRank } from '../../../envs/soc/static.js';
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

describe('random layered DAGs (Topcuoglu parameters)', () => {
  const params = {
    tasks: 40,
    processors: 4,
    shape: 1,
    outDegree: 3,
    ccr: 1,
    heterogeneity: 1,
    meanCost: 20,
  };

  it('are deterministic from the seed, acyclic, and connected level to level', () => {
    const a = randomDag(params, 5);
    expect(randomDag(params, 5)).toEqual(a);
    expect(randomDag(params, 6)).not.toEqual(a);
    expect(a.graph.numTasks).toBe(40);
    expect(topologicalOrder(a.graph)).toHaveLength(40);
    for (const e of a.graph.edges) expect(e.from).toBeLessThan(e.to);
    for (const row of a.graph.exec)
      for (const w of row) expect(Number.isInteger(w) && w >= 1).toBe(true);
  });

  it('get valid HEFT, CPOP and PEFT schedules no shorter than the zero-communication critical path', () => {
    for (let seed = 0; seed < 25; seed++) {
      const { graph, platform } = randomDag(
        {
          ...params,
          tasks: 10 + seed * 3,
          ccr: [0.1, 1, 5][seed % 3],
          shape: [0.5, 1, 2][seed % 3],
        },
        seed,
      );
      // Lower bound: the longest path with every task at its fastest and free transfers.
      const { preds } = adjacency(graph);
      const finish = new Array<number>(graph.numTasks).fill(0);
      for (const t of topologicalOrder(graph))
        finish[t] = Math.max(0, ...preds[t].map(([q]) => finish[q])) + Math.min(...graph.exec[t]);
      const bound = Math.max(...finish);
      for (const [name, s] of [
        ['heft', heft(graph, platform)],
        ['cpop', cpop(graph, platform)],
        ['peft', peft(graph, platform)],
      ] as const) {
        expect(validateDagSchedule(graph, platform, s), `${name} seed ${seed}`).toEqual([]);
        expect(makespanOf(s)).toBeGreaterThanOrEqual(bound);
      }
    }
  });
});

describe('DS3 workloads on the DS3 SoC', () => {
  // Single-job latencies of DS3's ETF scheduler, Table 5 of the DS3 paper (microseconds).
  const published = { wifi_tx: 69, wifi_rx: 301, range_detection: 177 } as const;
  for (const which of ['ds3-16pe-2016', 'ds3-16pe'] as const) {
    it(`ETF reproduces DS3's single-job latencies within 5% (${which})`, () => {
      const soc = ds3Soc(which);
      for (const [job, latency] of Object.entries(published)) {
        const graph = ds3Job(job as keyof typeof published, soc);
        const s = etf(graph, soc.platform);
        expect(validateDagSchedule(graph, soc.platform, s), job).toEqual([]);
        const ours = makespanOf(s);
        expect(
          Math.abs(ours - latency) / latency,
          `${job}: ours ${ours}, DS3 ${latency}`,
        ).toBeLessThanOrEqual(0.05);
      }
    });
  }

  it('loads every bundled job with valid HEFT schedules', () => {
    const soc = ds3Soc();
    for (const job of DS3_JOBS) {
      if (job === 'pulse_doppler') continue; // its task types have times only on the 2016 SoC
      const graph = ds3Job(job, soc);
      expect(validateDagSchedule(graph, soc.platform, heft(graph, soc.platform)), job).toEqual([]);
    }
    const old = ds3Soc('ds3-16pe-2016');
    const pulse = ds3Job('pulse_doppler', old);
    expect(pulse.numTasks).toBe(451);
    expect(validateDagSchedule(pulse, old.platform, heft(pulse, old.platform))).toEqual([]);
  });
});
