/**
 * The checks every registered environment must pass (test/conformance.test.ts runs them over the
 * registry). Each takes an entry and fails through vitest's expect, so that a test can also run
 * one against a deliberately broken environment and see it fail.
 *
 * They use only the registry entry and what docs/design.md promises of every state: a
 * `state` object of typed arrays whose `rng` holds each copy's stream (seeded as
 * hash(seed ^ hash(e + 1)) and continued across auto-resets).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { CandidateScorer } from '../../src/agents/network.js';
import { decide } from '../../src/agents/policy.js';
import { useTfBackend } from '../../src/agents/tfjs.js';
import { runCli } from '../../src/cli/main.js';
import { BatchEnv } from '../../src/core/batch-env.js';
import type { AnyEnvEntry, KernelEnv } from '../../src/core/registry.js';
import { hash, seedStreams } from '../../src/core/rng.js';
import {
  countLegal,
  randomLegalActions,
  type Observation,
  type StepResult,
  type VecEnv,
} from '../../src/core/vecenv.js';
import { exportModule } from '../../src/export/export.js';
import type { GpuContext } from '../../src/gpu/device.js';
import type { BackendSession } from '../../src/gpu/session.js';
import { playBatch } from '../../src/eval/play.js';
import { randomCheckpoint } from './checkpoints.js';
import { expectIllegalActionRefused, expectParity } from './parity.js';

/** A small batch of the environment's default training distribution. */
export function defaultConfig(entry: AnyEnvEntry, numEnvs: number): unknown {
  return entry.config(entry.parseOptions({}), numEnvs);
}

interface Sizes {
  readonly n: number;
  readonly k: number;
  readonly f: number;
  readonly g: number;
}

function sizes(env: VecEnv | KernelEnv): Sizes {
  return {
    n: env.numEnvs,
    k: env.spec.maxCandidates,
    f: env.spec.candidateFeatures.length,
    g: env.spec.globalFeatures.length,
  };
}

/**
 * Uniformly random legal actions for `env`'s current observation, one per copy, from streams of
 * their own seeded by `seed`; each call fills and returns the same array.
 */
function randomActions(
  env: { readonly numEnvs: number; readonly obs: Observation; readonly spec: VecEnv['spec'] },
  seed: number,
): () => Int32Array {
  const rng = new Uint32Array(env.numEnvs);
  seedStreams(rng, seed);
  const actions = new Int32Array(env.numEnvs);
  return () => {
    randomLegalActions(env.obs.mask, env.spec.maxCandidates, rng, actions);
    return actions;
  };
}

/** The observation holds its declared shapes, finite values of sane size, and a legal candidate per copy. */
export function expectWellFormed(obs: Observation, s: Sizes, when: string): void {
  expect(obs.cand.length, `cand length ${when}`).toBe(s.n * s.k * s.f);
  expect(obs.mask.length, `mask length ${when}`).toBe(s.n * s.k);
  expect(obs.glob.length, `glob length ${when}`).toBe(s.n * s.g);
  for (const [name, values] of [
    ['cand', obs.cand],
    ['glob', obs.glob],
  ] as const) {
    for (let i = 0; i < values.length; i++) {
      // Features are divided by fixed scales: anything this large is garbage, not a feature.
      if (!(Math.abs(values[i]) <= 1e6))
        expect.fail(`${name}[${i}] = ${values[i]} ${when}: expected a finite feature below 1e6`);
    }
  }
  for (let e = 0; e < s.n; e++) {
    for (let j = 0; j < s.k; j++) {
      const m = obs.mask[e * s.k + j];
      if (m !== 0 && m !== 1) expect.fail(`mask[${e}, ${j}] = ${m} ${when}: expected 0 or 1`);
    }
    if (countLegal(obs.mask, e * s.k, s.k) === 0)
      expect.fail(`copy ${e} has no legal candidate ${when}`);
  }
}

function row(values: ArrayLike<number>, e: number, width: number): number[] {
  return Array.from({ length: width }, (_, i) => values[e * width + i]);
}

/**
 * Random legal episodes until every copy has finished `episodes` of them: well-formed
 * observations at every step, finite rewards, and episode statistics that add up (the reported
 * length counts the steps since the copy's last auto-reset, the return sums their rewards).
 */
export function expectRandomEpisodes(entry: AnyEnvEntry, numEnvs = 4, episodes = 2): void {
  const env = entry.create.cpu(defaultConfig(entry, numEnvs));
  const s = sizes(env);
  expectWellFormed(env.reset(7), s, 'after reset(7)');
  const nextActions = randomActions(env, 8);
  const finished = new Int32Array(s.n);
  const length = new Int32Array(s.n);
  const ret = new Float64Array(s.n);
  for (let t = 0; Math.min(...finished) < episodes; t++) {
    if (t > 200_000) expect.fail(`${entry.name}: episodes did not end within 200000 steps`);
    const actions = nextActions();
    const r = env.step(actions);
    expectWellFormed(env.obs, s, `after step ${t}`);
    for (let e = 0; e < s.n; e++) {
      if (!Number.isFinite(r.reward[e]))
        expect.fail(`reward of copy ${e} at step ${t} is ${r.reward[e]}`);
      length[e]++;
      ret[e] += r.reward[e];
      if (r.terminated[e] === 0 && r.truncated[e] === 0) continue;
      expect(r.episodes.length[e], `episode length of copy ${e} at step ${t}`).toBe(length[e]);
      expect(r.episodes.return[e], `episode return of copy ${e} at step ${t}`).toBeCloseTo(
        ret[e],
        1,
      );
      expect(Number.isFinite(r.episodes.metric[e]), `metric of copy ${e}`).toBe(true);
      finished[e]++;
      length[e] = 0;
      ret[e] = 0;
    }
  }
}

/**
 * startGroups (self-labeling's sampling): mid-episode copies restart in groups, every copy of a
 * group a clone of its first, and clones given the leader's actions play its episode exactly:
 * the same observations, rewards, ends and metric.
 */
export function expectGroupsPlayAlike(entry: AnyEnvEntry, groupSize = 3, groups = 2): void {
  const env = entry.create.cpu(defaultConfig(entry, groupSize * groups));
  if (!(env instanceof BatchEnv)) expect.fail(`${entry.name}: its CPU reference is not a BatchEnv`);
  env.reset(5);
  const random = randomActions(env, 6);
  for (let t = 0; t < 7; t++) env.step(random());
  expect(() => env.startGroups(groupSize + 1)).toThrow(/divides the 6 copies/);
  env.startGroups(groupSize);
  const s = sizes(env);
  const row = (values: ArrayLike<number>, width: number, e: number): number[] =>
    Array.from({ length: width }, (_, i) => values[e * width + i]);
  const leaderOf = (e: number): number => e - (e % groupSize);
  const expectAlike = (when: string, r?: StepResult): void => {
    for (let e = 0; e < s.n; e++) {
      const l = leaderOf(e);
      if (l === e) continue;
      const what = `copy ${e} against ${l} ${when}`;
      expect(row(env.obs.cand, s.k * s.f, e), `cand of ${what}`).toEqual(
        row(env.obs.cand, s.k * s.f, l),
      );
      expect(row(env.obs.glob, s.g, e), `glob of ${what}`).toEqual(row(env.obs.glob, s.g, l));
      expect(row(env.obs.mask, s.k, e), `mask of ${what}`).toEqual(row(env.obs.mask, s.k, l));
      if (r === undefined) continue;
      expect(r.reward[e], `reward of ${what}`).toBe(r.reward[l]);
      expect(r.terminated[e], `end of ${what}`).toBe(r.terminated[l]);
      if (r.terminated[e] === 1)
        expect(r.episodes.metric[e], `metric of ${what}`).toBe(r.episodes.metric[l]);
    }
  };
  expectAlike('after startGroups');
  // Different groups, and the next call, draw other instances: seen in the groups' random
  // streams, which a random instance draw (every default config's) advances.
  const streams = (): number[] =>
    Array.from({ length: groups }, (_, j) => env.state.rng[j * groupSize]);
  const first = streams();
  expect(new Set(first).size, 'streams of the groups').toBe(groups);
  const actions = new Int32Array(s.n);
  for (let t = 0, ended = 0; ended < groups; t++) {
    if (t > 200_000) expect.fail(`${entry.name}: the grouped episodes did not end`);
    const chosen = random();
    for (let e = 0; e < s.n; e++) actions[e] = chosen[leaderOf(e)];
    const r = env.step(actions);
    expectAlike(`after step ${t}`, r);
    for (let l = 0; l < s.n; l += groupSize) ended += r.terminated[l];
  }
  env.startGroups(groupSize);
  for (const [j, stream] of streams().entries())
    expect(stream, `stream of group ${j} after the second startGroups`).not.toBe(first[j]);
}

/** The same seed and actions give the same trajectory; another seed another one. */
export function expectDeterministic(entry: AnyEnvEntry, steps = 300): void {
  const play = (seed: number): number[][] => {
    const env = entry.create.cpu(defaultConfig(entry, 3));
    env.reset(seed);
    const nextActions = randomActions(env, 5);
    const trace: number[][] = [Array.from(env.obs.cand), Array.from(env.obs.mask)];
    for (let t = 0; t < steps; t++) {
      const actions = nextActions();
      const r = env.step(actions);
      trace.push(Array.from(r.reward), Array.from(env.obs.cand), Array.from(env.obs.glob));
    }
    return trace;
  };
  const a = play(11);
  expect(play(11)).toEqual(a);
  expect(play(12)).not.toEqual(a);
}

const INV_MULTIPLIER = inverse(747796405);
const INV_OUTPUT = inverse(277803737);

/** The inverse of an odd number modulo 2^32 (Newton's iteration doubles the correct bits). */
function inverse(a: number): number {
  let x = a;
  for (let i = 0; i < 5; i++) x = Math.imul(x, (2 - Math.imul(a, x)) >>> 0) >>> 0;
  return x >>> 0;
}

/** The x with hash(x) = h: src/core/rng.ts's generator step and output permutation undone. */
export function unhash(h: number): number {
  const word = (h ^ (h >>> 22)) >>> 0;
  const mixed = Math.imul(word, INV_OUTPUT) >>> 0;
  const shift = (mixed >>> 28) + 4;
  let state = mixed;
  for (let i = 0; i < 8; i++) state = (mixed ^ (state >>> shift)) >>> 0;
  return Math.imul((state - 2891336453) >>> 0, INV_MULTIPLIER) >>> 0;
}

/** The seed whose reset starts copy e's stream at `stream`. */
export function seedOfStream(stream: number, e: number): number {
  return (unhash(stream) ^ hash(e + 1)) >>> 0;
}

function streamsOf(env: VecEnv): Uint32Array {
  const state = (env as { state?: { rng?: unknown } }).state;
  if (!(state?.rng instanceof Uint32Array))
    throw new Error('the environment must keep each copy stream in state.rng (Uint32Array)');
  return state.rng;
}

/**
 * Same-step auto-reset equals a fresh reset: when a copy's episode ends, its next episode (the
 * first observation and then every reward, observation and the episode's statistics under the
 * same actions) is the one a freshly created batch plays after `reset` with the seed that starts
 * the copy's stream where the ended episode left it. Playing the whole next episode catches state
 * that an auto-reset forgets to clear even where the first observation does not show it.
 */
export function expectAutoResetEqualsReset(entry: AnyEnvEntry, episodes = 3): void {
  const config = defaultConfig(entry, 1);
  const env = entry.create.cpu(config);
  env.reset(21);
  const nextActions = randomActions(env, 22);
  let fresh: VecEnv | undefined;
  let ended = 0;
  for (let t = 0; ended < episodes; t++) {
    if (t > 400_000) expect.fail(`${entry.name}: episodes did not end within 400000 steps`);
    const stream = streamsOf(env)[0];
    const actions = nextActions();
    const r: StepResult = env.step(actions);
    if (fresh !== undefined) {
      const f = fresh.step(actions);
      const when = `step ${t}, ${ended} episodes after the first auto-reset was checked`;
      expect(f.reward[0], `reward at ${when}`).toBe(r.reward[0]);
      expect(f.terminated[0], `terminated at ${when}`).toBe(r.terminated[0]);
      if (r.terminated[0] === 1) {
        expect(f.episodes.metric[0], `metric at ${when}`).toBe(r.episodes.metric[0]);
        expect(f.episodes.length[0], `length at ${when}`).toBe(r.episodes.length[0]);
        expect(f.episodes.return[0], `return at ${when}`).toBe(r.episodes.return[0]);
      } else expectSameObservation(env, fresh, when);
    }
    if (r.terminated[0] === 1) {
      ended++;
      // The auto-reset copy against a fresh batch started where its stream stood.
      fresh = entry.create.cpu(config);
      fresh.reset(seedOfStream(stream, 0));
      expectSameObservation(env, fresh, `the auto-reset after episode ${ended}`);
    }
  }
}

function expectSameObservation(a: VecEnv, b: VecEnv, when: string): void {
  expect(Array.from(a.obs.mask), `mask at ${when}`).toEqual(Array.from(b.obs.mask));
  expect(Array.from(a.obs.cand), `cand at ${when}`).toEqual(Array.from(b.obs.cand));
  expect(Array.from(a.obs.glob), `glob at ${when}`).toEqual(Array.from(b.obs.glob));
}

/** A batch with one illegal action is refused, naming the copy, and no copy moves. */
export function expectIllegalActionRefusedOnCpu(entry: AnyEnvEntry): void {
  const env = entry.create.cpu(defaultConfig(entry, 3));
  const s = sizes(env);
  env.reset(3);
  const nextActions = randomActions(env, 4);
  const actions = nextActions();
  const masked = row(env.obs.mask, 1, s.k).indexOf(0);
  const snapshot = (): number[][] => [Array.from(env.obs.cand), Array.from(env.obs.mask)];
  const before = snapshot();
  const bad = Int32Array.from(actions);
  bad[1] = masked >= 0 ? masked : s.k;
  expect(() => env.step(bad)).toThrow(/env 1 is not a legal candidate/);
  bad[1] = -1;
  expect(() => env.step(bad)).toThrow(/not a legal candidate/);
  expect(snapshot()).toEqual(before);
  // The refused batch left nothing behind: the legal actions still step every copy.
  expect(() => env.step(actions)).not.toThrow();
}

/** The WGSL kernel twin steps as the CPU reference does (parity.ts's loop), and refuses illegal actions. */
export async function expectKernelParity(
  entry: AnyEnvEntry,
  gpu: GpuContext,
  numEnvs = 5,
  steps?: number,
): Promise<void> {
  const config = defaultConfig(entry, numEnvs);
  // Long enough to cross an auto-reset: the CPU reference says when the first episode ends.
  steps ??= stepsToFirstEpisodeEnd(entry.create.cpu(config), 31) + 40;
  type Stateful = { state: object };
  const cpu = entry.create.cpu(config) as VecEnv & Stateful;
  const kernel = (await entry.create.webgpu(config, gpu)) as KernelEnv & {
    state: object;
    syncState(): Promise<object>;
    seedRandomActions(seed: number): void;
    randomActionsOnDevice(): void;
    readActions(): Promise<Int32Array>;
    stepOnDevice(): void;
  };
  const episodes = await expectParity(cpu, kernel, 31, steps);
  expect(episodes, 'the parity run crosses auto-resets').toBeGreaterThan(0);

  const refusing = await entry.create.webgpu(config, gpu);
  try {
    await refusing.reset(4);
    const s = sizes(refusing);
    const nextActions = randomActions(refusing, 4);
    const actions = nextActions();
    const masked = row(refusing.obs.mask, 0, s.k).indexOf(0);
    actions[0] = masked >= 0 ? masked : s.k;
    await expectIllegalActionRefused(
      refusing as KernelEnv & { state: object; syncState(): Promise<object> } as never,
      actions,
      0,
      (state: object) =>
        Object.values(state).flatMap((v) =>
          ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : [],
        ),
    );
  } finally {
    refusing.close();
  }
}

/** Steps of parity.ts's action stream (seed + 1000) until some copy's episode ends. */
function stepsToFirstEpisodeEnd(env: VecEnv, seed: number): number {
  env.reset(seed);
  const nextActions = randomActions(env, seed + 1000);
  for (let t = 1; t < 200_000; t++) {
    const actions = nextActions();
    if (env.step(actions).terminated.some((d) => d === 1)) return t;
  }
  throw new Error('no episode ended within 200000 steps');
}

interface ExportedDispatch {
  dispatch(cand: ArrayLike<number>, glob: ArrayLike<number>, mask?: ArrayLike<number>): number;
}

/** The exported dispatch module decides as the tfjs policy does greedily, on random states. */
export async function expectExportMatchesTfjs(entry: AnyEnvEntry, steps = 150): Promise<void> {
  const checkpoint = randomCheckpoint(
    { name: entry.name, options: entry.parseOptions({}) },
    entry.features.candidate,
    entry.features.global,
    3,
    16,
    entry.features.scales,
  );
  const { js } = exportModule(checkpoint, entry.features, 'conformance');
  const dir = mkdtempSync(join(tmpdir(), `schedrl-conformance-${entry.name}-`));
  writeFileSync(join(dir, 'dispatch.mjs'), js);
  const mod = (await import(pathToFileURL(join(dir, 'dispatch.mjs')).href)) as ExportedDispatch;
  const tf = await useTfBackend('cpu');
  const net = new CandidateScorer(tf, checkpoint.architecture, checkpoint.weights);
  try {
    const env = entry.create.cpu(defaultConfig(entry, 4));
    const s = sizes(env);
    env.reset(9);
    const nextActions = randomActions(env, 10);
    for (let t = 0; t < steps; t++) {
      const greedy = (await decide(tf, net, env.obs, s.n, null)).actions;
      for (let e = 0; e < s.n; e++) {
        const exported = mod.dispatch(
          env.obs.cand.subarray(e * s.k * s.f, (e + 1) * s.k * s.f),
          env.obs.glob.subarray(e * s.g, (e + 1) * s.g),
          env.obs.mask.subarray(e * s.k, (e + 1) * s.k),
        );
        if (exported !== greedy[e])
          expect.fail(
            `step ${t}, copy ${e}: exported dispatch chose ${exported}, tfjs ${greedy[e]}`,
          );
      }
      const actions = nextActions();
      env.step(actions);
    }
  } finally {
    net.dispose();
  }
}

interface BenchJson {
  env: string;
  command: string;
  machine: { cpu: string };
  results: {
    case: string;
    batch: number;
    variant: string;
    decisionsPerSecond: number | null;
    samples: number[];
  }[];
  ratios?: { variant: string; overCpu: number }[];
}

/** `schedrl bench --env NAME` prints JSON of the documented shape, on one or both backends. */
export async function expectBenchJson(entry: AnyEnvEntry, webgpu: boolean): Promise<void> {
  let out = '';
  let err = '';
  const code = await runCli(
    [
      'bench',
      '--env',
      entry.name,
      '--batches',
      '2',
      '--seconds',
      '0.05',
      '--windows',
      '1',
      ...(webgpu ? ['--backend', 'webgpu'] : []),
    ],
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
  );
  expect(code, err).toBe(0);
  const json = JSON.parse(out) as BenchJson;
  expect(json.env).toBe(entry.name);
  expect(json.command).toBe('bench');
  expect(json.machine.cpu).toBeTypeOf('string');
  const variants = webgpu ? ['cpu', 'webgpu', 'webgpu+readback'] : ['cpu'];
  expect(json.results.length).toBeGreaterThan(0);
  expect(new Set(json.results.map((r) => r.variant))).toEqual(new Set(variants));
  for (const r of json.results) {
    expect(r.batch).toBe(2);
    expect(r.case).toBeTypeOf('string');
    expect(r.samples).toHaveLength(1);
    expect(r.decisionsPerSecond).toBeGreaterThan(0);
  }
  if (webgpu) expect(json.ratios?.map((x) => x.variant)).toContain('webgpu');
}

/** unhash undoes hash on a spread of values (the auto-reset check depends on it). */
export function hashInverseHolds(): boolean {
  for (let i = 0; i < 10_000; i++) {
    const x = Math.imul(i, 2654435761) >>> 0;
    if (unhash(hash(x)) !== x) return false;
  }
  return true;
}

/**
 * The environment's first `count` baselines play the same episodes on the kernel as on the CPU
 * reference (they read the kernel's state, synced before each decision), validated on both.
 */
export async function expectBaselinesAgreeAcrossBackends(
  entry: AnyEnvEntry,
  gpu: GpuContext,
  count = 2,
): Promise<void> {
  for (const name of entry.baselines.names.slice(0, count)) {
    const base = defaultConfig(entry, 2);
    const config = entry.baselines.config?.(base, name) ?? base;
    const play = async (session: BackendSession): Promise<number[]> =>
      (
        await playBatch(entry, config, entry.baselines.policy(name, 1), session, {
          seed: 13,
          readsState: true,
        })
      ).episodes.map((x) => x.metric);
    const cpu = await play({ backend: 'cpu', gpu: undefined });
    expect(await play({ backend: 'webgpu', gpu }), `${name} on webgpu`).toEqual(cpu);
  }
}

/** Flags every command shares: an environment's own options must not reuse them. */
const SHARED_FLAGS = [
  'env',
  'out',
  'help',
  'suite',
  'policy',
  'samples',
  'seed',
  'summary',
  'chart',
  'view',
  'view-cell',
  'backend',
  'gpu',
  'tf-backend',
  'batches',
  'seconds',
  'windows',
];

/** The environment's flags leave the shared ones alone (they would silently override them). */
export function expectOwnFlags(entry: AnyEnvEntry): void {
  const own = [
    ...Object.keys(entry.options),
    ...Object.keys(entry.evaluation.options),
    ...Object.keys(entry.bench.options),
  ];
  expect(own.filter((name) => SHARED_FLAGS.includes(name))).toEqual([]);
}

/**
 * The default suite's first batch as eval plays it, with the first baseline on the CPU reference:
 * every episode validated (a record exists to check), a picture of one, the suite's cells
 * indexed by its batches, and, where the entry can replay episodes, copies that replay them.
 */
export async function expectSuitePlays(entry: AnyEnvEntry): Promise<void> {
  const suite = entry.evaluation.suite(Object.keys(entry.evaluation.suites)[0], {});
  expect(suite.cells.length).toBeGreaterThan(0);
  expect(new Set(suite.cells.map((c) => c.name)).size, 'cell names are unique').toBe(
    suite.cells.length,
  );
  for (const b of suite.batches)
    for (const c of b.cells) expect(c >= 0 && c < suite.cells.length).toBe(true);
  const batch = suite.batches[0];
  const name = entry.baselines.names[0];
  const config = entry.baselines.config?.(batch.config, name) ?? batch.config;
  const cpu = { backend: 'cpu', gpu: undefined } as const;
  let svg = '';
  const played = await playBatch(entry, config, entry.baselines.policy(name, 0), cpu, {
    seed: 0,
    onEpisode: (env, e) => {
      const issues = entry.evaluation.validate(env, config, e, NaN);
      // With a NaN metric a validator that checks the reported metric must object.
      expect(issues, `the validator of copy ${e} checks the reported metric`).not.toEqual([]);
      if (e === 0) svg = entry.view.draw(env, config, e, 'conformance');
    },
  });
  expect(played.validated, 'every episode was validated on the CPU').toBe(true);
  expect(played.episodes).toHaveLength(batch.cells.length);
  expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  if (entry.evaluation.replicate !== undefined) {
    const twice = entry.evaluation.replicate(config, 2);
    const replayed = await playBatch(entry, twice, entry.baselines.policy(name, 0), cpu, {
      seed: 0,
    });
    const metrics = replayed.episodes.map((x) => x.metric);
    expect(
      metrics.filter((_, i) => i % 2 === 0),
      'replayed copies',
    ).toEqual(metrics.filter((_, i) => i % 2 === 1));
    expect(metrics.filter((_, i) => i % 2 === 0)).toEqual(played.episodes.map((x) => x.metric));
  }
}
