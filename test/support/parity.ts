import { expect } from 'vitest';
import { seedStreams } from '../../src/core/rng.js';
import { randomLegalActions, type Observation, type StepResult } from '../../src/core/vecenv.js';

/** Float features agree to 1e-5 relative (absolute below 1), docs/design.md's parity tolerance. */
export function expectClose(cpu: Float32Array, gpuValues: Float32Array, what: string): void {
  expect(gpuValues.length).toBe(cpu.length);
  for (let i = 0; i < cpu.length; i++) {
    const tol = 1e-5 * Math.max(1, Math.abs(cpu[i]));
    if (!(Math.abs(cpu[i] - gpuValues[i]) <= tol)) {
      expect.fail(`${what}[${i}]: cpu ${cpu[i]} vs webgpu ${gpuValues[i]}`);
    }
  }
}

/** Rewards, flags and finished episodes' statistics are identical. */
export function expectSameStep(c: StepResult, g: StepResult, t: number): void {
  expect(Array.from(g.reward), `reward at step ${t}`).toEqual(Array.from(c.reward));
  expect(Array.from(g.terminated), `terminated at step ${t}`).toEqual(Array.from(c.terminated));
  for (let e = 0; e < c.terminated.length; e++) {
    if (c.terminated[e] === 0) continue;
    expect([g.episodes.return[e], g.episodes.length[e], g.episodes.metric[e]]).toEqual([
      c.episodes.return[e],
      c.episodes.length[e],
      c.episodes.metric[e],
    ]);
  }
}

type Field = Int32Array | Uint32Array | Float32Array;

/** Every state field (a typed array) is identical, element by element. */
export function expectSameState<S extends object>(cpu: S, gpu: S, when: string): void {
  const other = gpu as Readonly<Record<string, Field>>;
  for (const [name, a] of Object.entries(cpu) as [string, Field][]) {
    const b = other[name];
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], b[i]))
        expect.fail(`${when}: state.${name}[${i}] cpu ${a[i]} vs webgpu ${b[i]}`);
    }
  }
}

interface HostEnv<S> {
  readonly obs: Observation;
  readonly spec: { readonly maxCandidates: number };
  readonly state: S;
  reset(seed: number): unknown;
  step(actions: Int32Array): StepResult;
}

interface DeviceEnv<S> {
  readonly numEnvs: number;
  close(): void;
  readonly state: S;
  readonly obs: Observation;
  reset(seed: number): Promise<unknown>;
  step(actions: Int32Array): Promise<StepResult>;
  seedRandomActions(seed: number): void;
  randomActionsOnDevice(): void;
  readActions(): Promise<Int32Array>;
  stepOnDevice(): void;
  syncState(): Promise<S>;
}

/**
 * The random_actions kernel draws what randomLegalActions draws from the same streams, step after
 * step, and the states stay identical (both envs already reset with the same seed).
 */
export async function expectDeviceRandomActions<S extends object>(
  cpu: HostEnv<S>,
  g: DeviceEnv<S>,
  steps: number,
): Promise<void> {
  const streams = new Uint32Array(g.numEnvs);
  seedStreams(streams, 77);
  g.seedRandomActions(77);
  const actions = new Int32Array(g.numEnvs);
  for (let t = 0; t < steps; t++) {
    randomLegalActions(cpu.obs.mask, cpu.spec.maxCandidates, streams, actions);
    g.randomActionsOnDevice();
    expect(Array.from(await g.readActions()), `actions at step ${t}`).toEqual(Array.from(actions));
    cpu.step(actions);
    g.stepOnDevice();
  }
  await g.syncState();
  expectSameState(cpu.state, g.state, `after ${steps} on-device steps`);
}

/**
 * Resets both backends with `seed` and plays random legal actions for `steps` steps, comparing
 * observations, step results and (every `stateEvery` steps and at the end) the whole state.
 * Returns the episodes finished, so that a caller can check the run crossed auto-resets. The
 * device environment is closed at the end, whatever happens.
 */
export async function expectParity<S extends object>(
  cpu: HostEnv<S>,
  g: DeviceEnv<S>,
  seed: number,
  steps: number,
  stateEvery = 53,
): Promise<number> {
  try {
    cpu.reset(seed);
    await g.reset(seed);
    await g.syncState();
    expectSameState(cpu.state, g.state, `reset(${seed})`);
    const rng = new Uint32Array(g.numEnvs);
    seedStreams(rng, seed + 1000);
    const actions = new Int32Array(g.numEnvs);
    let episodes = 0;
    for (let t = 0; t < steps; t++) {
      expect(Array.from(g.obs.mask), `mask before step ${t}`).toEqual(Array.from(cpu.obs.mask));
      expectClose(cpu.obs.cand, g.obs.cand, `cand before step ${t}`);
      expectClose(cpu.obs.glob, g.obs.glob, `glob before step ${t}`);
      randomLegalActions(cpu.obs.mask, cpu.spec.maxCandidates, rng, actions);
      const c = cpu.step(actions);
      const r = await g.step(actions);
      expectSameStep(c, r, t);
      for (const d of c.terminated) episodes += d;
      if (t % stateEvery === 0) {
        await g.syncState();
        expectSameState(cpu.state, g.state, `after step ${t}`);
      }
    }
    await g.syncState();
    expectSameState(cpu.state, g.state, 'at the end');
    return episodes;
  } finally {
    g.close();
  }
}

/**
 * A step whose `actions` hold one illegal action (at copy `bad`) is refused, naming the copy, and
 * so is an index outside the candidates; `snapshot` (read from the synced state) is unchanged.
 */
export async function expectIllegalActionRefused<S extends object>(
  g: DeviceEnv<S>,
  actions: Int32Array,
  bad: number,
  snapshot: (state: S) => ArrayLike<number>,
): Promise<void> {
  await g.syncState();
  const before = Array.from(snapshot(g.state));
  await expect(g.step(actions)).rejects.toThrow(
    new RegExp(`env ${bad} is not a legal candidate.*no copy was stepped`),
  );
  actions[bad] = 99_999;
  await expect(g.step(actions)).rejects.toThrow(/not a legal candidate/);
  await g.syncState();
  expect(Array.from(snapshot(g.state))).toEqual(before);
}
