import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BASELINE_DISCIPLINE,
  OFFLOAD_STUDY_BASELINES,
  baselineConfig,
} from '../../../envs/offload/baselines.js';
import { offload } from '../../../envs/offload/entry.js';
import { OffloadEnv, cloudCandidate, deadline, expectedEdge } from '../../../envs/offload/env.js';
import { HELD, RUNNING } from '../../../envs/offload/layout.js';
import { loadModels, modelTable } from '../../../envs/offload/models.js';
import { finishedTasks, qoeUtility, type TaskRecord } from '../../../envs/offload/records.js';
import {
  DEFAULT_SCENARIO,
  offloadConfig,
  readScenarioFile,
  scenarioFromFlags,
} from '../../../envs/offload/scenario.js';
import {
  DEFAULT_DISCIPLINE,
  type OffloadConfig,
  type Scenario,
} from '../../../envs/offload/types.js';
import { validateEpisode } from '../../../envs/offload/validate.js';
import { InputError } from '../../../src/core/errors.js';
import { mean } from '../../../src/core/table.js';
import { playBatch } from '../../../src/eval/play.js';
import { cli } from '../../support/cli.js';

const CPU = { backend: 'cpu', gpu: undefined } as const;

/** One edge, one drone, one segment, no noise, the table's cloud latency. */
const QUIET: Scenario = {
  ...DEFAULT_SCENARIO,
  edges: 1,
  drones: 1,
  segments: 1,
  drift: 0,
  maxSlowdown: 1,
  jitter: 0,
  edgeNoise: 0,
  neighbours: 0,
};

async function play(config: OffloadConfig, name: string, seed = 1) {
  const c = baselineConfig(config, name);
  const records: TaskRecord[][] = [];
  const played = await playBatch(offload, c, offload.baselines.policy(name, 0), CPU, {
    seed,
    onEpisode: (env, e) => records.push(finishedTasks(env.state, c, e)),
  });
  return { metrics: played.episodes.map((x) => x.metric), records, extras: played.episodes };
}

describe('offload model table', () => {
  it("holds the study's six models and three loads", () => {
    const row = (name: string) => {
      const m = modelTable().models.find((x) => x.name === name)!;
      return [m.edgeMs, m.cloudMs, m.deadlineMs, m.benefit, m.cloudCost, m.edgeCost];
    };
    expect(row('HV')).toEqual([174, 398, 650, 125, 25, 1]);
    expect(row('MD')).toEqual([142, 589, 850, 75, 15, 1]);
    expect(row('BP')).toEqual([244, 542, 900, 40, 43, 2]);
    expect(row('DEV')).toEqual([172, 429, 750, 100, 26, 1]);
    expect(row('CD')).toEqual([563, 878, 1000, 175, 152, 4]);
    expect(row('DEO')).toEqual([739, 832, 950, 250, 210, 6]);
    expect(loadModels('light').map((m) => m.name)).toEqual(['HV', 'MD']);
    expect(loadModels('medium').map((m) => m.name)).toEqual(['HV', 'MD', 'BP', 'DEV']);
    expect(loadModels('heavy')).toHaveLength(6);
  });
});

describe('offload simulation, known results', () => {
  it('runs a light segment on the edge in deadline order: 124 + 74 over two tasks', async () => {
    const { metrics } = await play(offloadConfig({ ...QUIET, load: 'light' }, 2), 'edf');
    expect(metrics).toEqual([99, 99]);
  });

  it('sends a light segment to the cloud: (125 - 25) + (75 - 15) over two tasks', async () => {
    const { metrics } = await play(offloadConfig({ ...QUIET, load: 'light' }, 1), 'cloud');
    expect(metrics).toEqual([80]);
  });

  it('queues a heavy segment by deadline on one edge: the last two miss, charged their costs', async () => {
    // HV runs at once; then DEV (750), MD (850), BP (900) in time, DEO (950) and CD (1000) late:
    // 124 + 99 + 74 + 38 - 6 - 4 over six tasks.
    const { metrics, records } = await play(offloadConfig({ ...QUIET, load: 'heavy' }, 1), 'edf');
    expect(metrics[0]).toBeCloseTo(325 / 6, 12);
    const order = [...records[0]].sort((a, b) => a.start - b.start).map((r) => r.model);
    expect(order.map((m) => loadModels('heavy')[m].name)).toEqual([
      'HV',
      'DEV',
      'MD',
      'BP',
      'DEO',
      'CD',
    ]);
  });

  it('migrates instead of running late: DEMS mechanics never start an edge task expected to miss', () => {
    const config = offloadConfig({ ...DEFAULT_SCENARIO, segments: 3 }, 4, BASELINE_DISCIPLINE.dems);
    const env = new OffloadEnv(config);
    env.reset(5);
    const actions = new Int32Array(4);
    const s = env.state;
    const N = env.sim.d.tasks;
    let checked = 0;
    for (let t = 0; t < N; t++) {
      env.step(actions); // everything to the own edge: migration does the rest
      for (let e = 0; e < 4; e++)
        for (let i = 0; i < s.next[e]; i++) {
          const x = e * N + i;
          if (s.taskStatus[x] !== RUNNING || s.taskStart[x] !== s.now[e]) continue;
          const expected = expectedEdge(env.tables, env.sim, i, s.taskPlace[x]);
          expect(s.taskStart[x] + expected).toBeLessThanOrEqual(
            deadline(s, env.tables, env.sim.d, e, i),
          );
          checked++;
        }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe("offload: the study's headline shape", () => {
  it('DEMS earns far more than EDF edge-only at heavy load', async () => {
    const config = offloadConfig({ ...DEFAULT_SCENARIO, drift: 0, maxSlowdown: 1, jitter: 0.1 }, 4);
    const dems = mean((await play(config, 'dems')).metrics);
    const edf = mean((await play(config, 'edf')).metrics);
    expect(dems).toBeGreaterThan(3 * edf);
  });

  it('DEMS-A beats DEMS when cloud latency drifts', async () => {
    const config = offloadConfig(DEFAULT_SCENARIO, 4);
    const demsA = mean((await play(config, 'dems-a')).metrics);
    const dems = mean((await play(config, 'dems')).metrics);
    expect(demsA).toBeGreaterThan(dems + 10);
  });
});

describe('offload baselines without holding (-direct)', () => {
  it("differ from DEMS and DEMS-A only in holding: the learned policy's mechanics", () => {
    for (const [direct, study] of [
      ['dems-direct', 'dems'],
      ['dems-a-direct', 'dems-a'],
    ] as const)
      expect(BASELINE_DISCIPLINE[direct], direct).toEqual({
        ...BASELINE_DISCIPLINE[study],
        steal: false,
      });
    expect(BASELINE_DISCIPLINE['dems-a-direct']).toEqual(DEFAULT_DISCIPLINE);
  });

  it("dems-a-direct places every task as dems-a's rule would in the same state, and holds none", async () => {
    const config = baselineConfig(
      offloadConfig({ ...DEFAULT_SCENARIO, segments: 3 }, 4),
      'dems-a-direct',
    );
    const env = new OffloadEnv(config);
    env.reset(3);
    const direct = offload.baselines.policy('dems-a-direct', 0);
    const demsA = offload.baselines.policy('dems-a', 0);
    const actions = new Int32Array(4);
    const theirs = new Int32Array(4);
    const s = env.state;
    const N = env.sim.d.tasks;
    let cloud = 0;
    let held = 0;
    for (let t = 0; t < N; t++) {
      await direct.act(env, actions);
      await demsA.act(env, theirs);
      expect(actions).toEqual(theirs);
      for (let e = 0; e < 4; e++) if (actions[e] === cloudCandidate(env.sim.d)) cloud++;
      env.step(actions);
      held += s.taskStatus.filter((x) => x === HELD).length;
    }
    expect(held).toBe(0);
    // Cloud placements happened, so holding had something to hold.
    expect(cloud).toBeGreaterThan(20);
  });

  it('dems-a holds cloud-bound tasks in the same scenario (the difference is real)', async () => {
    const config = baselineConfig(offloadConfig({ ...DEFAULT_SCENARIO, segments: 3 }, 4), 'dems-a');
    const env = new OffloadEnv(config);
    env.reset(3);
    const demsA = offload.baselines.policy('dems-a', 0);
    const actions = new Int32Array(4);
    let held = 0;
    for (let t = 0; t < env.sim.d.tasks; t++) {
      await demsA.act(env, actions);
      env.step(actions);
      held += env.state.taskStatus.filter((x) => x === HELD).length;
    }
    expect(held).toBeGreaterThan(0);
  });

  it("are listed, but training's validation measures against the study's baselines only", () => {
    expect(offload.baselines.names).toContain('dems-a-direct');
    expect(offload.baselines.names).toContain('dems-direct');
    expect(offload.training.references).toEqual(OFFLOAD_STUDY_BASELINES);
    expect(OFFLOAD_STUDY_BASELINES).toContain('dems-a');
    expect(OFFLOAD_STUDY_BASELINES.filter((n) => n.endsWith('-direct'))).toEqual([]);
  });
});

describe('offload baselines through eval', () => {
  it('each baseline plays with its own discipline (edge-only EDF stays edge-only)', async () => {
    const r = await cli(
      'eval',
      '--env',
      'offload',
      '--load',
      'heavy',
      '--network',
      'stable',
      '--episodes',
      '2',
      '--policy',
      'edf,dems',
    );
    expect(r.code, r.err).toBe(0);
    const cloud =
      /### cloud %[^\n]*\n\n[^\n]*\n[^\n]*\n\| heavy, stable +\| +([\d.]+) \| +([\d.]+) \|/.exec(
        r.out,
      );
    expect(cloud, r.out).not.toBeNull();
    // Under the learned policy's discipline, migration would send EDF's late tasks to the cloud.
    expect(Number(cloud![1])).toBe(0);
    expect(Number(cloud![2])).toBeGreaterThan(20);
  });
});

describe('offload validator', () => {
  const config = offloadConfig({ ...QUIET, load: 'heavy' }, 1);
  const valid = async () => {
    const { records, metrics } = await play(config, 'edf');
    return { records: records[0], metric: metrics[0] };
  };

  it('accepts a played episode and recomputes its utility', async () => {
    const { records, metric } = await valid();
    expect(validateEpisode(records, config, metric)).toEqual([]);
    expect(validateEpisode(records, config, metric + 1)[0]).toMatch(/reported utility per task/);
  });

  it('catches a missing task, an overlap on an edge and a run of the wrong length', async () => {
    const { records, metric } = await valid();
    expect(validateEpisode(records.slice(1), config, metric).join()).toMatch(
      /5 task records, expected 6/,
    );
    const sorted = [...records].sort((a, b) => a.start - b.start);
    const overlap = records.map((r) =>
      r === sorted[1] ? { ...r, start: r.start - 10, finish: r.finish - 10 } : r,
    );
    expect(validateEpisode(overlap, config, metric).join()).toMatch(/edge 0 runs task \d+ from/);
    const long = records.map((r) => (r === sorted[0] ? { ...r, finish: r.finish + 100 } : r));
    expect(validateEpisode(long, config, NaN).join()).toMatch(/ran \d+ ms on edge 0, expected 174/);
  });

  it('counts a QoE bonus per window and model that meets its target', async () => {
    const { records } = await valid();
    // One window: HV, DEV, MD, BP in time (bonuses 100, 120, 130, 150); DEO and CD missed.
    expect(qoeUtility(records, config)).toBe(100 + 120 + 130 + 150);
  });
});

describe('offload scenarios', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'schedrl-offload-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a scenario file, with flags over it', () => {
    const file = write('ok.json', '{\n  "load": "medium",\n  "edges": 6,\n  "drift": 0.2\n}\n');
    expect(readScenarioFile(file)).toEqual({ load: 'medium', edges: 6, drift: 0.2 });
    const s = scenarioFromFlags({ scenario: file, edges: '3' });
    expect([s.load, s.edges, s.drift]).toEqual(['medium', 3, 0.2]);
  });

  it('refuses bad scenario files naming the file, line and field', () => {
    const cases: [string, RegExp][] = [
      ['{\n  "edges": 0\n}', /bad1\.json:2 \(edges\): an integer in 1\.\.25/],
      ['{\n  "load": "huge"\n}', /:2 \(load\): one of light, medium, heavy/],
      ['{\n  "edges": 2,\n  "fleet": 3\n}', /:3 \(fleet\): a known scenario field/],
      ['{\n  "drones": 2.5\n}', /\(drones\): an integer in 1\.\.80/],
      ['{ "edges": 2,, }', /valid JSON/],
      ['[1, 2]', /a JSON object of scenario fields/],
    ];
    cases.forEach(([text, message], k) => {
      const file = write(`bad${k + 1}.json`, text);
      expect(() => readScenarioFile(file)).toThrow(InputError);
      expect(() => readScenarioFile(file)).toThrow(message);
    });
  });

  it('bench and eval fail on a bad scenario file with the message and exit code 1', async () => {
    const file = write('bad-bench.json', '{\n  "segments": "many"\n}\n');
    const r = await cli('bench', '--env', 'offload', '--scenario', file, '--batches', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad-bench\.json:2 \(segments\): an integer in 1\.\.120/);
    const missing = await cli('eval', '--env', 'offload', '--scenario', join(tmp, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.json: expected a readable scenario file/);
  });
});
