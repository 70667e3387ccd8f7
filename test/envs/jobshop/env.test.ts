import { describe, expect, it } from 'vitest';
import { Rng, seedStreams } from '../../../src/core/rng.js';
import { allocateObservation, randomLegalActions } from '../../../src/core/vecenv.js';
import {
  JobShopEnv,
  jobShopConfig,
  placeCandidate,
  writeObservation,
} from '../../../envs/jobshop/env.js';
import { jobshop } from '../../../envs/jobshop/entry.js';
import { playEpisodes } from '../../../envs/jobshop/play.js';
import { POOL_PER_SIZE } from '../../../envs/jobshop/suites.js';
import { CANDIDATE_FEATURES, GLOBAL_FEATURES } from '../../../envs/jobshop/features.js';
import { randomInstance, randomSource } from '../../../envs/jobshop/generator.js';
import { RULE_NAMES, rulePolicy } from '../../../envs/jobshop/rules.js';
import {
  SCHEDULE_MODES,
  type Instance,
  type JobShopConfig,
  type Schedule,
  type ScheduleMode,
} from '../../../envs/jobshop/types.js';
import { describeIssue, validateSchedule } from '../../../envs/jobshop/validate.js';
import {
  RAGGED,
  RAGGED_OPTIMUM,
  REENTRANT,
  REENTRANT_OPTIMUM,
  TINY_3X3,
  TINY_3X3_OPTIMUM,
  ZERO_LENGTH,
  ZERO_LENGTH_OPTIMUM,
} from './fixtures.js';

const fixed = (
  instances: readonly Instance[],
  mode: ScheduleMode = 'active',
  numEnvs = instances.length,
): JobShopConfig => ({
  numEnvs,
  source: { kind: 'fixed', instances },
  mode,
  reward: 'dense',
});

/** Plays every action sequence of a tiny instance from scratch and returns the best makespan. */
function bestOverAllDecisions(inst: Instance, mode: ScheduleMode): number {
  const env = new JobShopEnv(fixed([inst], mode));
  let best = Infinity;
  const actions = new Int32Array(1);
  const replay = (prefix: readonly number[]): void => {
    env.reset(0);
    for (const a of prefix) {
      actions[0] = a;
      const r = env.step(actions);
      if (r.terminated[0] === 1) {
        best = Math.min(best, r.episodes.metric[0]);
        return;
      }
    }
    const legal = [...env.obs.mask].flatMap((m, j) => (m === 1 ? [j] : []));
    for (const a of legal) replay([...prefix, a]);
  };
  replay([]);
  return best;
}

describe('jobshop environment: known optima', () => {
  for (const [name, inst, optimum] of [
    ['3x3', TINY_3X3, TINY_3X3_OPTIMUM],
    ['ragged', RAGGED, RAGGED_OPTIMUM],
    ['re-entrant', REENTRANT, REENTRANT_OPTIMUM],
  ] as const) {
    it(`reaches the optimum ${optimum} of the ${name} instance, and nothing below it, in active and conflict modes`, () => {
      // Both modes can build every active schedule, and some active schedule is optimal.
      expect(bestOverAllDecisions(inst, 'active')).toBe(optimum);
      expect(bestOverAllDecisions(inst, 'conflict')).toBe(optimum);
      // Non-delay schedules are a subset: never better than the optimum.
      expect(bestOverAllDecisions(inst, 'nondelay')).toBeGreaterThanOrEqual(optimum);
    });
  }
});

describe('jobshop environment: episodes', () => {
  it('returns initial lower bound - makespan with dense rewards, -makespan with sparse ones', () => {
    for (const reward of ['dense', 'sparse'] as const) {
      const env = new JobShopEnv({
        numEnvs: 8,
        source: randomSource(6, 6),
        mode: 'active',
        reward,
      });
      env.reset(3);
      const initial = Int32Array.from(env.state.lowerBound);
      const rng = new Uint32Array(8);
      seedStreams(rng, 1);
      const actions = new Int32Array(8);
      const sums = new Float64Array(8);
      let finished = 0;
      for (let t = 0; t < 36; t++) {
        randomLegalActions(env.obs.mask, env.dims.maxJobs, rng, actions);
        const r = env.step(actions);
        for (let e = 0; e < 8; e++) {
          sums[e] += r.reward[e];
          if (reward === 'dense') expect(r.reward[e]).toBeLessThanOrEqual(0);
          if (reward === 'sparse' && r.terminated[e] === 0) expect(r.reward[e]).toBe(0);
          if (r.terminated[e] === 1) {
            finished++;
            const makespan = r.episodes.metric[e];
            expect(r.episodes.length[e]).toBe(36);
            expect(r.episodes.return[e]).toBeCloseTo(sums[e], 6);
            expect(r.episodes.return[e]).toBe(
              reward === 'dense' ? initial[e] - makespan : -makespan,
            );
          }
        }
      }
      expect(finished).toBe(8);
    }
  });

  it('keeps the lower bound non-decreasing, below the final makespan, and equal to it at the end', () => {
    const env = new JobShopEnv({
      numEnvs: 4,
      source: randomSource(10, 5),
      mode: 'active',
      reward: 'dense',
    });
    env.reset(11);
    const rng = new Uint32Array(4);
    seedStreams(rng, 5);
    const actions = new Int32Array(4);
    const history: number[][] = [[], [], [], []];
    for (let t = 0; t < 50; t++) {
      for (let e = 0; e < 4; e++) history[e].push(env.state.lowerBound[e]);
      randomLegalActions(env.obs.mask, env.dims.maxJobs, rng, actions);
      const r = env.step(actions);
      for (let e = 0; e < 4; e++) {
        if (r.terminated[e] === 1) {
          const h = history[e];
          for (let i = 1; i < h.length; i++) expect(h[i]).toBeGreaterThanOrEqual(h[i - 1]);
          for (const b of h) expect(b).toBeLessThanOrEqual(r.episodes.metric[e]);
        }
      }
    }
  });

  it('auto-resets in the same step: the new first observation equals a fresh reset', () => {
    const inst = [TINY_3X3];
    const env = new JobShopEnv(fixed(inst));
    const fresh = new JobShopEnv(fixed(inst));
    env.reset(0);
    fresh.reset(0);
    const actions = new Int32Array(1);
    let r;
    do {
      actions[0] = env.obs.mask.indexOf(1);
      r = env.step(actions);
    } while (r.terminated[0] === 0);
    expect(Array.from(env.obs.mask)).toEqual(Array.from(fresh.obs.mask));
    expect(Array.from(env.obs.cand)).toEqual(Array.from(fresh.obs.cand));
    expect(Array.from(env.obs.glob)).toEqual(Array.from(fresh.obs.glob));
    expect(env.state.opsLeft[0]).toBe(9);
    // The finished schedule survives the reset and is valid.
    const { instanceIndex, schedule } = env.finalSchedule(0);
    expect(instanceIndex).toBe(0);
    expect(validateSchedule(TINY_3X3, schedule, r.episodes.metric[0])).toEqual([]);
  });

  it('throws on a masked action and leaves every copy untouched', () => {
    const env = new JobShopEnv({
      numEnvs: 2,
      source: randomSource(4, 4),
      mode: 'conflict',
      reward: 'dense',
    });
    env.reset(0);
    const illegal = env.obs.mask.subarray(4, 8).indexOf(0);
    expect(illegal).toBeGreaterThanOrEqual(0); // conflict mode masks someone on a 4x4 at the start
    const before = Array.from(env.state.opStart);
    const actions = Int32Array.of(env.obs.mask.indexOf(1), illegal);
    expect(() => env.step(actions)).toThrow(/action \d+ of env 1 is not a legal candidate/);
    expect(() => env.step(Int32Array.of(0, 99))).toThrow(/not a legal candidate/);
    expect(() => env.step(Int32Array.of(0))).toThrow(/expected 2 actions/);
    expect(Array.from(env.state.opStart)).toEqual(before);
  });

  it('refuses to step before reset and rejects bad configs', () => {
    expect(() =>
      new JobShopEnv({
        numEnvs: 1,
        source: randomSource(3, 3),
        mode: 'active',
        reward: 'dense',
      }).step(Int32Array.of(0)),
    ).toThrow(/reset/);
    expect(
      () =>
        new JobShopEnv({ numEnvs: 0, source: randomSource(3, 3), mode: 'active', reward: 'dense' }),
    ).toThrow(/numEnvs/);
    expect(() => randomSource(0, 3)).toThrow(/numJobs/);
    expect(() => randomSource(3, 3, 10, 5)).toThrow(/minDuration/);
    const bad: Instance = {
      name: 'bad',
      numJobs: 1,
      numMachines: 2,
      jobs: [[{ machine: 2, duration: 1 }]],
    };
    expect(() => new JobShopEnv(fixed([bad]))).toThrow(/jobs\[0\]\[0\]\.machine/);
  });
});

describe('jobshop environment: determinism', () => {
  const play = (
    numEnvs: number,
    seed: number,
    steps: number,
  ): { rewards: number[]; starts: number[] } => {
    const env = new JobShopEnv({
      numEnvs,
      source: randomSource(8, 6),
      mode: 'active',
      reward: 'dense',
    });
    env.reset(seed);
    const rng = new Uint32Array(numEnvs);
    seedStreams(rng, 99);
    const actions = new Int32Array(numEnvs);
    const rewards: number[] = [];
    for (let t = 0; t < steps; t++) {
      randomLegalActions(env.obs.mask, env.dims.maxJobs, rng, actions);
      rewards.push(env.step(actions).reward[0]);
    }
    return { rewards, starts: Array.from(env.state.opStart.subarray(0, 48)) };
  };

  it('gives the same trajectory for the same seed, and copy 0 does not depend on the batch size', () => {
    // 120 steps cross two auto-resets (48 decisions per episode).
    expect(play(3, 42, 120)).toEqual(play(3, 42, 120));
    expect(play(1, 42, 120)).toEqual(play(5, 42, 120));
    expect(play(1, 42, 120)).not.toEqual(play(1, 43, 120));
  });

  it('plays the documented instance: reset(seed) copy i starts with randomInstance(source, seed, i)', () => {
    const source = randomSource(5, 4);
    const env = new JobShopEnv({ numEnvs: 3, source, mode: 'active', reward: 'dense' });
    env.reset(7);
    for (let e = 0; e < 3; e++)
      expect(env.instance(e).jobs).toEqual(randomInstance(source, 7, e).jobs);
    expect(env.instance(0).jobs).not.toEqual(env.instance(1).jobs);
  });

  it('draws Taillard-style instances: every job visits every machine once, durations in range', () => {
    const inst = randomInstance(randomSource(20, 7, 1, 99), 5);
    for (const ops of inst.jobs) {
      expect(ops.map((o) => o.machine).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      for (const o of ops) expect(o.duration >= 1 && o.duration <= 99).toBe(true);
    }
  });
});

describe('jobshop environment: observations', () => {
  const K_F = CANDIDATE_FEATURES.length;
  const G = GLOBAL_FEATURES.length;

  it('writes well-formed observations whose incremental updates equal a full rewrite', () => {
    const configs: JobShopConfig[] = [
      ...SCHEDULE_MODES.map((mode) => ({
        numEnvs: 4,
        source: randomSource(7, 5),
        mode,
        reward: 'dense' as const,
      })),
      fixed([TINY_3X3, RAGGED, REENTRANT], 'active', 5),
      fixed([TINY_3X3, RAGGED, REENTRANT], 'conflict', 5),
    ];
    for (const config of configs) {
      const env = new JobShopEnv(config);
      const { maxJobs: K } = env.dims;
      env.reset(1);
      const rng = new Uint32Array(config.numEnvs);
      seedStreams(rng, 3);
      const actions = new Int32Array(config.numEnvs);
      const scratch = allocateObservation(config.numEnvs, env.spec);
      for (let t = 0; t < 80; t++) {
        expect(env.obs.cand.length).toBe(config.numEnvs * K * K_F);
        expect(env.obs.glob.length).toBe(config.numEnvs * G);
        for (let e = 0; e < config.numEnvs; e++) {
          const numJobs = env.state.numJobs[e];
          let legal = 0;
          for (let j = 0; j < K; j++) {
            const m = env.obs.mask[e * K + j];
            legal += m;
            if (j >= numJobs) expect(m).toBe(0);
            const f = env.obs.cand.subarray((e * K + j) * K_F, (e * K + j + 1) * K_F);
            for (const v of f) expect(Number.isFinite(v)).toBe(true);
            if (m === 1) {
              expect(f[0]).toBeGreaterThanOrEqual(0); // duration
              expect(f[1]).toBeGreaterThanOrEqual(0); // start_delay
              expect(f[2]).toBeGreaterThanOrEqual(0); // wait
              expect(f[6] >= 0 && f[6] < 1).toBe(true); // job_progress
              expect(f[9]).toBeGreaterThanOrEqual(0); // slack
            }
          }
          expect(legal).toBeGreaterThan(0);
          const g = env.obs.glob.subarray(e * G, (e + 1) * G);
          expect(g[0] >= 0 && g[0] < 1).toBe(true);
          expect(g[1] > 0 && g[1] <= 1).toBe(true);
          expect(g[2] >= 0 && g[2] <= 1).toBe(true);
          writeObservation(env.state, env.dims, config, scratch, e);
        }
        expect(Array.from(env.obs.mask)).toEqual(Array.from(scratch.mask));
        expect(Array.from(env.obs.cand)).toEqual(Array.from(scratch.cand));
        expect(Array.from(env.obs.glob)).toEqual(Array.from(scratch.glob));
        randomLegalActions(env.obs.mask, K, rng, actions);
        env.step(actions);
      }
    }
  });

  /**
   * Earliest start of each job's next operation, computed from the partial schedule alone (no
   * cached state): the first idle gap of the machine, after the job's previous operation, that
   * holds the operation.
   */
  const earliestStarts = (inst: Instance, schedule: Schedule): (number | null)[] =>
    inst.jobs.map((ops, j) => {
      const o = schedule.start[j].findIndex((t) => t < 0);
      if (o < 0) return null;
      const ready = o === 0 ? 0 : schedule.end[j][o - 1];
      const { machine, duration } = ops[o];
      const busy = inst.jobs
        .flatMap((other, k) =>
          other.map((op, i) => ({ op, s: schedule.start[k][i], e: schedule.end[k][i] })),
        )
        .filter((x) => x.op.machine === machine && x.s >= 0 && x.e > x.s)
        .sort((x, y) => x.s - y.s);
      if (duration === 0) return ready;
      let t = ready;
      for (const x of busy) {
        if (t + duration <= x.s) break;
        t = Math.max(t, x.e);
      }
      return t;
    });

  for (const mode of ['conflict', 'nondelay'] as const) {
    it(`offers exactly the Giffler-Thompson ${mode} set, recomputed from the schedule alone`, () => {
      const env = new JobShopEnv(jobShopConfig({ numEnvs: 2, source: randomSource(6, 6), mode }));
      env.reset(4);
      const rng = new Uint32Array(2);
      seedStreams(rng, 8);
      const actions = new Int32Array(2);
      for (let t = 0; t < 70; t++) {
        for (let e = 0; e < 2; e++) {
          const inst = env.instance(e);
          const starts = earliestStarts(inst, env.schedule(e));
          let pivot = -1;
          let key = Infinity;
          starts.forEach((st, j) => {
            if (st === null) return;
            const o = env.schedule(e).start[j].findIndex((x) => x < 0);
            const k = mode === 'conflict' ? st + inst.jobs[j][o].duration : st;
            if (k < key) [pivot, key] = [j, k];
          });
          const machineOf = (j: number): number =>
            inst.jobs[j][env.schedule(e).start[j].findIndex((x) => x < 0)].machine;
          const expected = starts.map((st, j) =>
            st !== null &&
            machineOf(j) === machineOf(pivot) &&
            (mode === 'conflict' ? st < key || j === pivot : st === key)
              ? 1
              : 0,
          );
          expect(Array.from(env.obs.mask.subarray(e * 6, e * 6 + 6))).toEqual(expected);
        }
        randomLegalActions(env.obs.mask, 6, rng, actions);
        env.step(actions);
      }
    });
  }
});

describe('jobshop environment: incremental placement', () => {
  it('keeps every waiting job where a rescan of its machine would put it', () => {
    // stepCopy moves the slot of a waiting job that the new interval precedes and rescans only
    // the jobs it overlaps; a full rescan after every step must agree. Machines revisited within
    // a job, zero-length operations and long gaps (active mode inserts into them) all occur.
    const rng = new Rng(5);
    const instances: Instance[] = Array.from({ length: 6 }, (_, i) => ({
      name: `gappy-${i}`,
      numJobs: 12,
      numMachines: 3,
      jobs: Array.from({ length: 12 }, () =>
        Array.from({ length: rng.int(2, 6) }, () => ({
          machine: rng.int(0, 2),
          duration: rng.unit() < 0.1 ? 0 : rng.int(1, rng.unit() < 0.3 ? 60 : 6),
        })),
      ),
    }));
    for (const mode of SCHEDULE_MODES) {
      const env = new JobShopEnv(fixed(instances, mode));
      const s = env.state;
      const { maxJobs: K } = env.dims;
      env.reset(2);
      const streams = new Uint32Array(instances.length);
      seedStreams(streams, 9);
      const actions = new Int32Array(instances.length);
      let checked = 0;
      for (let t = 0; t < 300; t++) {
        randomLegalActions(env.obs.mask, K, streams, actions);
        env.step(actions);
        for (let e = 0; e < instances.length; e++)
          for (let j = 0; j < s.numJobs[e]; j++) {
            const job = e * K + j;
            if (s.candMachine[job] < 0) continue;
            const [start, slot] = [s.candStart[job], s.candSlot[job]];
            placeCandidate(s, env.dims, e, j);
            // A zero-length operation enters no machine's list, so its slot is never read.
            const used = s.opDuration[job * env.dims.maxOps + s.jobNextOp[job]] > 0;
            expect([s.candStart[job], used ? s.candSlot[job] : slot]).toEqual([start, slot]);
            checked++;
          }
      }
      expect(checked).toBeGreaterThan(1000);
    }
  });
});

describe('jobshop environment: zero durations, configs, and mixed-size batches', () => {
  it('lets a zero-length operation occupy no machine time, so the optimum stays reachable', async () => {
    const inst = ZERO_LENGTH;
    expect(bestOverAllDecisions(inst, 'active')).toBe(ZERO_LENGTH_OPTIMUM);
    expect(bestOverAllDecisions(inst, 'conflict')).toBe(ZERO_LENGTH_OPTIMUM);
    const outcome = (await playEpisodes([inst], () => rulePolicy('lpt'), 'active'))[0];
    expect(validateSchedule(inst, outcome.schedule, outcome.makespan)).toEqual([]);
  });

  it('fills in the documented defaults and rejects bad configs naming the field', () => {
    const c = jobShopConfig({ numEnvs: 2, source: randomSource(3, 3) });
    expect([c.mode, c.reward]).toEqual(['active', 'dense']);
    const bad = (patch: Record<string, unknown>): JobShopConfig =>
      ({ ...c, ...patch }) as JobShopConfig;
    expect(() => new JobShopEnv(bad({ mode: undefined }))).toThrow(
      /jobshop config \(mode\): expected one of active, conflict, nondelay/,
    );
    expect(() => new JobShopEnv(bad({ mode: 'fast' }))).toThrow(/\(mode\)/);
    expect(() => new JobShopEnv(bad({ reward: 'shaped' }))).toThrow(/\(reward\)/);
    expect(() => new JobShopEnv(bad({ source: { kind: 'files' } }))).toThrow(/\(source\.kind\)/);
    const swapped = { kind: 'random', numJobs: 3, numMachines: 3, minDuration: 5, maxDuration: 1 };
    expect(() => new JobShopEnv(bad({ source: swapped }))).toThrow(
      /maxDuration must be an integer >= minDuration/,
    );
    expect(() => randomSource(100, 100, 1, 1_000_000)).toThrow(/fits in 2147483647/);
  });

  it('cycles copies through a list of instances of different sizes', () => {
    const instances = [TINY_3X3, RAGGED, randomInstance(randomSource(5, 4), 9, 0, 'r5x4')];
    const env = new JobShopEnv(jobShopConfig({ numEnvs: 2, source: { kind: 'fixed', instances } }));
    env.reset(0);
    const played: string[][] = [[env.instance(0).name], [env.instance(1).name]];
    const policy = rulePolicy('mwkr');
    const actions = new Int32Array(2);
    let finished = 0;
    while (finished < 8) {
      policy.act(env, actions);
      const r = env.step(actions);
      for (let e = 0; e < 2; e++) {
        if (r.terminated[e] === 0) continue;
        finished++;
        const { instanceIndex, schedule } = env.finalSchedule(e);
        expect(instances[instanceIndex].name).toBe(played[e][played[e].length - 1]);
        expect(validateSchedule(instances[instanceIndex], schedule, r.episodes.metric[e])).toEqual(
          [],
        );
        played[e].push(env.instance(e).name);
      }
    }
    // Copy i plays instances[(i + k * numEnvs) % 3] in its k-th episode.
    expect(played[0].slice(0, 4)).toEqual(['tiny3x3', 'r5x4', 'ragged', 'tiny3x3']);
    expect(played[1].slice(0, 4)).toEqual(['ragged', 'tiny3x3', 'r5x4', 'ragged']);
  });

  it('trains on a mixed pool when --size lists several sizes, and validates on the same mix', () => {
    const single = jobshop.config(jobshop.parseOptions({ size: '6x6' }), 4);
    expect(single.source).toEqual(randomSource(6, 6));

    const options = jobshop.parseOptions({ size: '6x6, 10x5' });
    const mixed = jobshop.config(options, 4);
    expect(mixed.numEnvs).toBe(4);
    if (mixed.source.kind !== 'fixed') throw new Error('expected a fixed pool');
    const pool = mixed.source.instances;
    expect(pool).toHaveLength(2 * POOL_PER_SIZE);
    // The sizes alternate, so every batch of copies mixes them.
    expect(pool.slice(0, 4).map((x) => `${x.numJobs}x${x.numMachines}`)).toEqual([
      '6x6',
      '10x5',
      '6x6',
      '10x5',
    ]);
    expect(new Set(pool.map((x) => x.name)).size).toBe(pool.length);
    const env = new JobShopEnv(mixed);
    expect([env.dims.maxJobs, env.dims.maxMachines]).toEqual([10, 6]);

    const { config: validation } = jobshop.training.validation(options, 5);
    if (validation.source.kind !== 'fixed') throw new Error('expected fixed validation instances');
    const names = validation.source.instances.map((x) => x.name);
    expect(names).toEqual(['val-6x6-0', 'val-10x5-1', 'val-6x6-2', 'val-10x5-3', 'val-6x6-4']);
    // Validation instances are not in the training pool.
    const train = new Set(pool.map((x) => JSON.stringify(x.jobs)));
    for (const x of validation.source.instances)
      expect(train.has(JSON.stringify(x.jobs))).toBe(false);

    expect(() => jobshop.parseOptions({ size: '6x6,big' })).toThrow(
      /--size: expected sizes like 15x15, got 'big'/,
    );
    // Recorded as read: spaces, case and empty items go, a repeated size is one size.
    expect(jobshop.parseOptions({ size: ' 6x6, 10X5,' }).size).toBe('6x6,10x5');
    const repeated = jobshop.parseOptions({ size: '6x6,6x6' });
    expect(repeated.size).toBe('6x6');
    expect(jobshop.config(repeated, 2).source).toEqual(randomSource(6, 6));
    expect(() => jobshop.training.validation(options, 1)).toThrow(
      /--eval-instances 1 is fewer than the 2 validation sizes \(--eval-size, else --size\)/,
    );
  });

  it('gives self-labeling groups on a mixed pool every size, and new instances each time', () => {
    const env = new JobShopEnv(jobshop.config(jobshop.parseOptions({ size: '6x6,10x5' }), 8));
    env.reset(3);
    const sizesOfGroups = (): string[] =>
      [0, 4].map((e) => `${env.state.numJobs[e]}x${env.state.numMachines[e]}`);
    const played: string[] = [];
    for (let round = 0; round < 3; round++) {
      env.startGroups(4);
      // Groups of 4 copies take the next instances of copies 0 and 5: one of each size.
      expect(sizesOfGroups()).toEqual(['6x6', '10x5']);
      for (let e = 0; e < 8; e++)
        expect(env.state.instanceIndex[e]).toBe(env.state.instanceIndex[e < 4 ? 0 : 4]);
      played.push(String(env.state.instanceIndex[0]), String(env.state.instanceIndex[4]));
    }
    expect(new Set(played).size).toBe(6);
  });

  it('writes cloned copies the observation a full rewrite gives, step after step', () => {
    // The incremental observation keeps, per copy, what it was last written against: clones must
    // not inherit that of their own cut-off episode (seen once in a few thousand steps before).
    let checked = 0;
    for (const size of ['3x3', '6x6'])
      for (let seed = 1; seed <= 40; seed++) {
        const env = new JobShopEnv(jobshop.config(jobshop.parseOptions({ size }), 8));
        env.reset(seed);
        const rng = new Uint32Array(8);
        seedStreams(rng, seed);
        const actions = new Int32Array(8);
        const fresh = allocateObservation(8, env.spec);
        for (let round = 0; round < 8; round++) {
          for (let t = 0; t < (seed + round) % 7; t++) {
            randomLegalActions(env.obs.mask, env.spec.maxCandidates, rng, actions);
            env.step(actions);
          }
          env.startGroups(4);
          for (let t = 0; t < 3; t++) {
            randomLegalActions(env.obs.mask, env.spec.maxCandidates, rng, actions);
            for (let e = 0; e < 8; e++) actions[e] = actions[e - (e % 4)];
            env.step(actions);
            for (let e = 0; e < 8; e++)
              writeObservation(env.state, env.dims, env.config, fresh, e, -1);
            expect(
              Array.from(env.obs.cand),
              `${size} seed ${seed} round ${round} step ${t}`,
            ).toEqual(Array.from(fresh.cand));
            checked++;
          }
        }
      }
    expect(checked).toBe(2 * 40 * 8 * 3);
  });

  it('validates on --eval-size where given, recorded only then, and ranks a mixed validation by ratio', () => {
    // Without --eval-size nothing new is recorded: a run records what it did before.
    expect(jobshop.parseOptions({ size: '6x6' })).toEqual({ size: '6x6', mode: 'active' });
    const options = jobshop.parseOptions({ size: '6x6', 'eval-size': ' 15x15, 20X5,15x15' });
    expect(options).toEqual({ size: '6x6', mode: 'active', 'eval-size': '15x15,20x5' });
    // Training is unchanged; validation plays the other sizes.
    expect(jobshop.config(options, 2).source).toEqual(randomSource(6, 6));
    const { config } = jobshop.training.validation(options, 3);
    if (config.source.kind !== 'fixed') throw new Error('expected fixed validation instances');
    expect(config.source.instances.map((x) => x.name)).toEqual([
      'val-15x15-0',
      'val-20x5-1',
      'val-15x15-2',
    ]);
    // One training size but two validation sizes: ranked by the scale-free ratio.
    expect(jobshop.training.selection?.(options)).toBeDefined();
    expect(
      jobshop.training.selection?.(
        jobshop.parseOptions({ size: '6x6,10x10', 'eval-size': '15x15' }),
      ),
    ).toBeUndefined();
    expect(() => jobshop.parseOptions({ size: '6x6', 'eval-size': '15' })).toThrow(
      /--eval-size: expected sizes like 15x15, got '15'/,
    );
    expect(() => jobshop.parseOptions({ size: '6x6', 'eval-size': ' , ' })).toThrow(
      /--eval-size: expected sizes like 15x15/,
    );
  });
});

describe('jobshop environment: every rule builds valid schedules', () => {
  for (const mode of SCHEDULE_MODES) {
    it(`validates every rule's schedules on random ragged batches (${mode})`, () => {
      const instances = [
        TINY_3X3,
        RAGGED,
        REENTRANT,
        randomInstance(randomSource(12, 6), 1),
        randomInstance(randomSource(6, 12), 2),
      ];
      for (const rule of RULE_NAMES) {
        const env = new JobShopEnv(fixed(instances, mode));
        const policy = rulePolicy(rule, 5);
        const actions = new Int32Array(env.numEnvs);
        env.reset(0);
        const seen = new Set<number>();
        while (seen.size < instances.length) {
          policy.act(env, actions);
          const r = env.step(actions);
          for (let e = 0; e < env.numEnvs; e++) {
            if (r.terminated[e] === 0 || seen.has(e)) continue;
            seen.add(e);
            const { instanceIndex, schedule } = env.finalSchedule(e);
            const issues = validateSchedule(
              instances[instanceIndex],
              schedule,
              r.episodes.metric[e],
            );
            expect(
              issues.map(describeIssue),
              `${rule} on ${instances[instanceIndex].name}`,
            ).toEqual([]);
          }
        }
      }
    });
  }
});
