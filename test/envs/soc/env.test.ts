import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { seedStreams } from '../../../src/core/rng.js';
import { randomLegalActions } from '../../../src/core/vecenv.js';
import { SOC_BASELINES, socBaseline } from '../../../envs/soc/baselines.js';
import { ds3Job, ds3Soc } from '../../../envs/soc/ds3.js';
import { SocEnv, type SocConfig } from '../../../envs/soc/env.js';
import { CANDIDATE_FEATURES, TIME_SCALE } from '../../../envs/soc/features.js';
import { validateStream } from '../../../envs/soc/validate.js';

const soc = ds3Soc('ds3-16pe-2016');
const jobs = [ds3Job('wifi_tx', soc), ds3Job('wifi_rx', soc), ds3Job('range_detection', soc)];

function config(patch: Partial<SocConfig>): SocConfig {
  return {
    numEnvs: 4,
    platform: soc.platform,
    jobs,
    mix: [1, 1, 1],
    meanInterArrival: 50,
    jobsPerEpisode: 12,
    noise: 0,
    maxCandidates: 32,
    ...patch,
  };
}

/** Plays a policy until every copy has finished one episode; returns each copy's first result. */
function play(
  env: SocEnv,
  policy: ReturnType<typeof socBaseline>,
  seed: number,
): { latency: number[]; ret: number[] } {
  env.reset(seed);
  const actions = new Int32Array(env.numEnvs);
  const latency = new Array<number>(env.numEnvs).fill(NaN);
  const ret = new Array<number>(env.numEnvs).fill(NaN);
  while (latency.some(Number.isNaN)) {
    policy.act(env, actions);
    const r = env.step(actions);
    for (let e = 0; e < env.numEnvs; e++) {
      if (r.terminated[e] === 0 || !Number.isNaN(latency[e])) continue;
      latency[e] = r.episodes.metric[e];
      ret[e] = r.episodes.return[e];
      expect(validateStream(env.config.jobs, soc.platform, env.finishedJobs[e])).toEqual([]);
      expect(env.finishedJobs[e]).toHaveLength(env.config.jobsPerEpisode);
    }
  }
  return { latency, ret };
}

describe('SoC job streams', () => {
  it("reproduces DS3's single-job latencies with its ETF, stepping as DS3 does", () => {
    const published = [69, 301, 177]; // DS3 paper, Table 5, microseconds
    jobs.forEach((job, i) => {
      const env = new SocEnv(
        config({ numEnvs: 1, jobs: [job], mix: [1], jobsPerEpisode: 1, meanInterArrival: 1e9 }),
      );
      const { latency } = play(env, socBaseline('etf'), 1);
      expect(
        Math.abs(latency[0] - published[i]) / published[i],
        `${job.name}: ${latency[0]}`,
      ).toBeLessThanOrEqual(0.05);
    });
  });

  it('builds valid schedules with every baseline, at several loads and noise levels, and returns minus the summed latency', () => {
    for (const noise of [0, 0.3]) {
      for (const meanInterArrival of [200, 25]) {
        for (const b of SOC_BASELINES) {
          const env = new SocEnv(config({ noise, meanInterArrival }));
          const { latency, ret } = play(env, socBaseline(b, 2), 7);
          // The return is summed in f32, rewards exactly minus latency integrals.
          latency.forEach((l, e) =>
            expect(Math.abs(ret[e] / ((-l * 12) / TIME_SCALE) - 1)).toBeLessThan(1e-5),
          );
        }
      }
    }
  });

  it('prefers informed heuristics to random under load', () => {
    const env = new SocEnv(config({ meanInterArrival: 25 }));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(play(env, socBaseline('heft'), 3).latency)).toBeLessThan(
      mean(play(env, socBaseline('random', 1), 3).latency) / 2,
    );
  });

  it('mixes loads when given a list of mean gaps: one gap per episode, drawn from the seed', () => {
    const heft = socBaseline('heft', 0);
    // A one-gap list is the single gap: no extra draw, so the same streams as before mixes.
    expect(play(new SocEnv(config({ meanInterArrival: [50] })), heft, 3)).toEqual(
      play(new SocEnv(config({ meanInterArrival: 50 })), heft, 3),
    );
    const env = new SocEnv(config({ numEnvs: 16, meanInterArrival: [10, 1000] }));
    play(env, heft, 3);
    // Eleven gaps of mean 10 span about 110 us, of mean 1000 about 11 ms: each episode is one.
    const spans = env.finishedJobs.map((jobs) => Math.max(...jobs.map((j) => j.arrival)));
    const light = spans.filter((t) => t > 2000).length;
    const heavy = spans.filter((t) => t < 600).length;
    expect(light + heavy).toBe(16);
    expect(light).toBeGreaterThan(2);
    expect(heavy).toBeGreaterThan(2);
  });

  it('mixes noise levels the same way: noiseless episodes keep the tables, noisy ones stray', () => {
    const env = new SocEnv(config({ numEnvs: 16, noise: [0, 0.3] }));
    play(env, socBaseline('heft', 0), 3);
    const tpl = env.config.jobs;
    // Whether every task of the episode took its table time (to the tick) on its processor.
    const exact = env.finishedJobs.map((jobs) =>
      jobs.every((j) =>
        j.schedule.proc.every((p, t) => {
          const took = j.schedule.finish[t] - j.schedule.start[t];
          return Math.abs(took - tpl[j.template].exec[t][p]) <= 1e-3;
        }),
      ),
    );
    expect(exact.filter(Boolean).length).toBeGreaterThan(2);
    expect(exact.filter((x) => !x).length).toBeGreaterThan(2);
  });

  it('records only the restarted episode of copies that startGroups cut short', () => {
    const env = new SocEnv(config({}));
    env.reset(4);
    const actions = new Int32Array(env.numEnvs);
    const policy = socBaseline('heft');
    // Well into the first episode: jobs finished that the restart must drop.
    for (let t = 0; t < 60; t++) {
      policy.act(env, actions);
      env.step(actions);
    }
    env.startGroups(2);
    const done = new Array<boolean>(env.numEnvs).fill(false);
    while (done.includes(false)) {
      policy.act(env, actions);
      const r = env.step(actions);
      for (let e = 0; e < env.numEnvs; e++) {
        if (r.terminated[e] === 0 || done[e]) continue;
        done[e] = true;
        expect(env.finishedJobs[e], `copy ${e}`).toHaveLength(env.config.jobsPerEpisode);
        expect(validateStream(env.config.jobs, soc.platform, env.finishedJobs[e])).toEqual([]);
      }
    }
  });

  it('is deterministic from its seed and writes well-formed observations', () => {
    const a = play(new SocEnv(config({ noise: 0.1 })), socBaseline('random', 5), 11);
    expect(play(new SocEnv(config({ noise: 0.1 })), socBaseline('random', 5), 11)).toEqual(a);
    const env = new SocEnv(config({}));
    env.reset(2);
    const rng = new Uint32Array(4);
    seedStreams(rng, 1);
    const actions = new Int32Array(4);
    const F = CANDIDATE_FEATURES.length;
    for (let t = 0; t < 200; t++) {
      for (let e = 0; e < 4; e++) {
        const legal = env.obs.mask.subarray(e * 32, (e + 1) * 32).reduce((n, m) => n + m, 0);
        expect(legal).toBe(env.state.numCandidates[e]);
        expect(legal).toBeGreaterThan(0);
      }
      for (const v of env.obs.cand) expect(Number.isFinite(v)).toBe(true);
      for (let i = 0; i < env.obs.cand.length; i += F)
        expect(env.obs.cand[i + 6]).toBeLessThanOrEqual(1);
      randomLegalActions(env.obs.mask, 32, rng, actions);
      env.step(actions);
    }
    expect(() => env.step(Int32Array.of(31, 31, 31, 31))).toThrow(/not a legal candidate/);
  });
});

describe('schedrl eval and bench --env soc', () => {
  it('compares the baselines across loads and noise levels, validating every schedule', async () => {
    let out = '';
    const code = await runCli(
      [
        'eval',
        '--env',
        'soc',
        '--gap',
        '200,25',
        '--noise',
        '0,0.3',
        '--episodes',
        '2',
        '--jobs-per-episode',
        '6',
      ],
      {
        stdout: (t) => (out += t),
        stderr: () => undefined,
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/### latency \(us\): ds3-16pe, 6 DS3 jobs/);
    expect(out).toMatch(/\| 25 us, noise 30%\s+\|\s+25 \| 30%\s+\|\s+[\d.]+ \|/);
    expect(out).toMatch(/mean latency \(us\) per group[\s\S]*\| noise 30% \|\s+2 \|/);
    expect(out).toMatch(/### completed jobs per ms/);
    let err = '';
    expect(
      await runCli(['eval', '--env', 'soc', '--jobs', 'wifi_6g'], {
        stdout: () => undefined,
        stderr: (t) => (err += t),
      }),
    ).toBe(2);
    expect(err).toMatch(/unknown DS3 job 'wifi_6g'/);
  });

  it('draws the comparison as an SVG chart with schedrl compare', async () => {
    const chart = join(mkdtempSync(join(tmpdir(), 'schedrl-soc-')), 'latency.svg');
    const argv = [
      'compare',
      '--env',
      'soc',
      '--gap',
      '100,25',
      '--noise',
      '0',
      '--episodes',
      '1',
      '--jobs-per-episode',
      '4',
      '--policy',
      'heft,etf',
      '--chart',
      chart,
    ];
    expect(await runCli(argv, { stdout: () => undefined, stderr: () => undefined })).toBe(0);
    const svg = readFileSync(chart, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('>heft</text>');
    expect(svg).toContain('>noise 0%</text>');
  });

  it('draws one validated episode per PE with schedrl eval --view', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'schedrl-soc-')), 'gantt.svg');
    const argv = ['eval', '--env', 'soc', '--gap', '25', '--noise', '0.3', '--episodes', '1'];
    const view = ['--jobs-per-episode', '4', '--policy', 'heft', '--view', file];
    expect(
      await runCli([...argv, ...view], { stdout: () => undefined, stderr: () => undefined }),
    ).toBe(0);
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('25 us, noise 30%: heft');
    expect(svg).toContain('>A15');
    let err = '';
    const onKernel = ['--backend', 'webgpu'];
    expect(
      await runCli([...argv, ...view, ...onKernel], {
        stdout: () => undefined,
        stderr: (t) => (err += t),
      }),
    ).not.toBe(0);
  });

  it('reports decisions per second as JSON', async () => {
    let out = '';
    expect(
      await runCli(
        ['bench', '--env', 'soc', '--batches', '2', '--seconds', '0.05', '--windows', '1'],
        { stdout: (t) => (out += t), stderr: () => undefined },
      ),
    ).toBe(0);
    expect(
      (JSON.parse(out) as { results: { decisionsPerSecond: number }[] }).results[0]
        .decisionsPerSecond,
    ).toBeGreaterThan(0);
  });
});

describe('the stream validator', () => {
  it('catches what a broken simulation would do: wrong durations, early starts, shared processors', () => {
    const env = new SocEnv(config({ numEnvs: 1, noise: 0.3, meanInterArrival: 10 }));
    const { latency } = play(env, socBaseline('etf'), 4);
    expect(latency[0]).toBeGreaterThan(0);
    const jobs = env.finishedJobs[0];
    const check = (patched: typeof jobs): string[] =>
      validateStream(env.config.jobs, soc.platform, patched);
    expect(check(jobs)).toEqual([]);
    const edit = (
      j: number,
      f: (s: { start: number[]; finish: number[]; proc: number[] }) => void,
    ) =>
      jobs.map((job, i) => {
        if (i !== j) return job;
        const schedule = {
          start: [...job.schedule.start],
          finish: [...job.schedule.finish],
          proc: [...job.schedule.proc],
        };
        f(schedule);
        return { ...job, schedule };
      });
    // A task that ran 1 us longer than its (noisy) duration.
    expect(check(edit(0, (s) => (s.finish[0] += 1))).join()).toMatch(/task 0 runs/);
    // A job started before it arrived.
    const late = jobs.findIndex((job) => job.arrival > 0);
    const shift = (s: { start: number[]; finish: number[] }): void => {
      const d = jobs[late].arrival + 1;
      s.start.forEach((_, t) => ((s.start[t] -= d), (s.finish[t] -= d)));
    };
    expect(check(edit(late, shift)).join()).toMatch(/starts before the job arrived/);
    // Two jobs' tasks on one processor at once.
    const a = jobs[0];
    const clash = edit(1, (s) => {
      s.proc[0] = a.schedule.proc[0];
      const d = s.finish[0] - s.start[0];
      s.start[0] = a.schedule.start[0];
      s.finish[0] = s.start[0] + d;
    });
    expect(check(clash).join()).toMatch(/processor \d+: job \d task 0 overlaps job \d task 0/);
  });
});
