/**
 * The host half of every environment's CPU reference, written once: seeding, the legality check,
 * the loop over copies, same-step auto-reset and the statistics of finished episodes. An
 * environment supplies plain gymnax-style functions over its explicit state, one copy at a time
 * (see envs/jobshop/env.ts): reset a copy, step it and return the reward, say whether its episode
 * is over and what its metric was, and write its observation. kernels/batch.wgsl is the same loop
 * on the device, calling the kernel's functions of the same names, so the two backends share the
 * episode bookkeeping below word for word.
 *
 * Every state carries BATCH_FIELDS (its `batch` buffer): the copy's random stream and the running
 * return and length of its episode. The return is summed in f32 on both backends, in step order,
 * so it is bit-identical everywhere (integer rewards stay exact while partial sums are below 2^24).
 */

import type { BufferLayout, BufferSpec } from '../gpu/layout.js';
import { seedStreams } from './rng.js';
import {
  allocateObservation,
  allocateStepResult,
  assertLegalActions,
  type MetricSpec,
  type Observation,
  type ObservationSpec,
  type StepResult,
  type VecEnv,
} from './vecenv.js';

/** The buffer every environment's state layout includes under the name `batch`. */
export const BATCH_FIELDS = {
  type: 'u32',
  fields: {
    /** [E] RNG stream per copy, continued across auto-resets. */
    rng: 'E',
    /** [E] decisions taken so far in the current episode. */
    episodeLength: 'E',
    /** [E] return so far in the current episode, f32 bits (summed in f32 on both backends). */
    episodeReturn: 'E',
  },
} as const satisfies BufferSpec;

/** The fields of BATCH_FIELDS, which the shared base reads and writes. */
export interface BatchState {
  readonly rng: Uint32Array;
  readonly episodeLength: Uint32Array;
  readonly episodeReturn: Uint32Array;
}

/** A state and the buffers it lives in, as an environment's layout.ts allocates them. */
export interface AllocatedState<S extends BatchState> {
  readonly state: S;
  readonly layout: Readonly<Record<string, BufferLayout>>;
}

const f32 = Math.fround;

export abstract class BatchEnv<S extends BatchState> implements VecEnv {
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  abstract readonly metric: MetricSpec;
  readonly state: S;
  readonly obs: Observation;
  protected readonly result: StepResult;
  private readonly buffers: Readonly<Record<string, BufferLayout>>;
  /** state.episodeReturn read as the f32 it holds. */
  private readonly episodeReturn: Float32Array;
  private seeded = false;

  protected constructor(
    protected readonly name: string,
    spec: ObservationSpec,
    allocated: AllocatedState<S>,
  ) {
    this.state = allocated.state;
    this.buffers = allocated.layout;
    this.numEnvs = allocated.state.rng.length;
    this.spec = spec;
    this.obs = allocateObservation(this.numEnvs, spec);
    this.result = allocateStepResult(this.numEnvs);
    const r = allocated.state.episodeReturn;
    this.episodeReturn = new Float32Array(r.buffer, r.byteOffset, r.length);
  }

  /** A freshly allocated state (what a reset starts from, as the kernel's host uploads it). */
  protected abstract allocate(): AllocatedState<S>;
  /** Starts a new episode in copy e: draws its instance from `state.rng`, empties its schedule. */
  protected abstract resetCopy(e: number): void;
  /** Applies the legal action `a` to copy e and returns the reward. */
  protected abstract stepCopy(e: number, a: number): number;
  /** Whether copy e's episode is over (asked right after stepCopy). */
  protected abstract isDone(e: number): boolean;
  /**
   * The finished episode's metric as an exact count (a non-negative integer below 2^53, exact in a double; the
   * kernel returns it in two u32 words, as the
   * kernel's `episode_metric` returns it in two words); `metricValue` turns it into the metric.
   */
  protected abstract episodeMetric(e: number): number;
  /** The reported metric of an episode whose `episodeMetric` was `count` (both backends). */
  protected abstract metricValue(count: number): number;
  /** Writes copy e's observation; `action` is the action just applied, -1 after a reset. */
  protected abstract writeObservation(e: number, action: number): void;
  /**
   * Forgets what copy e kept of an episode that startGroups cuts short (the SoC's record of the
   * jobs it finished); nothing by default. The last finished episode's keepings stay.
   */
  protected abandonEpisode(e: number): void {
    void e;
  }
  /** Keeps what must outlive copy e's auto-reset (the finished schedule); nothing by default. */
  protected endEpisode(e: number): void {
    void e;
  }

  reset(seed: number): Observation {
    const fresh = this.allocate().layout;
    for (const [name, b] of Object.entries(this.buffers)) b.data.set(fresh[name].data);
    seedStreams(this.state.rng, seed >>> 0);
    for (let e = 0; e < this.numEnvs; e++) this.beginEpisode(e);
    this.seeded = true;
    return this.obs;
  }

  /**
   * Restarts the copies in groups of `groupSize` clones. Group j (copies j * groupSize onwards)
   * plays the next instance of one of its own copies, j * groupSize + (j mod groupSize), as that
   * copy's auto-reset would draw it, and its other copies become exact clones of it (state,
   * random stream, observation). The source sits at a different offset in each group so that an
   * environment dealing a fixed list by copy index in turns (the job shop's mixed pools alternate
   * P sizes) gives consecutive groups different kinds of instance whenever groupSize + 1 and P
   * have no common factor, where every group's first copy would always give the same kind. Being
   * in its own group, the source is never overwritten and carries its stream to the next call.
   * Self-labeling (src/train/self-label.ts) samples `groupSize` solutions of each instance this
   * way. Clones stay in step while their episodes end together; in the job shop, where every
   * episode of an instance has the same number of decisions, they do for good.
   */
  startGroups(groupSize: number): Observation {
    if (!this.seeded) throw new Error(`${this.name}: call reset(seed) before startGroups()`);
    if (!Number.isSafeInteger(groupSize) || groupSize < 1 || this.numEnvs % groupSize !== 0)
      throw new RangeError(
        `${this.name}: startGroups(${groupSize}): expected a group size that divides the ${this.numEnvs} copies`,
      );
    for (let first = 0, j = 0; first < this.numEnvs; first += groupSize, j++) {
      const source = first + (j % groupSize);
      this.abandonEpisode(source);
      this.beginEpisode(source);
      for (let e = first; e < first + groupSize; e++) {
        if (e === source) continue;
        this.abandonEpisode(e);
        this.cloneCopy(source, e);
      }
    }
    return this.obs;
  }

  /**
   * Copies copy `from`'s part of every per-copy field onto copy `to`, then writes `to`'s
   * observation afresh from that state, as after a reset: an environment's own per-copy caches
   * outside the layout (the job shop remembers what each observation was written against) are
   * set by the write, never inherited from `to`'s cut-off episode.
   */
  private cloneCopy(from: number, to: number): void {
    const E = this.numEnvs;
    for (const buffer of Object.values(this.buffers))
      for (const [name, field] of Object.entries(buffer.fields)) {
        if (!field.perCopy) continue;
        const n = field.length / E;
        buffer.views[name].copyWithin(to * n, from * n, (from + 1) * n);
      }
    this.writeObservation(to, -1);
  }

  step(actions: Int32Array): StepResult {
    if (!this.seeded) throw new Error(`${this.name}: call reset(seed) before step()`);
    assertLegalActions(this.name, this.obs.mask, this.spec.maxCandidates, actions);
    const out = this.result;
    const s = this.state;
    for (let e = 0; e < this.numEnvs; e++) {
      const a = actions[e];
      const reward = f32(this.stepCopy(e, a));
      const ret = f32(this.episodeReturn[e] + reward);
      const length = s.episodeLength[e] + 1;
      out.reward[e] = reward;
      out.terminated[e] = 0;
      if (this.isDone(e)) {
        out.terminated[e] = 1;
        out.episodes.return[e] = ret;
        out.episodes.length[e] = length;
        out.episodes.metric[e] = this.metricValue(this.episodeMetric(e));
        this.endEpisode(e);
        this.beginEpisode(e);
      } else {
        this.episodeReturn[e] = ret;
        s.episodeLength[e] = length;
        this.writeObservation(e, a);
      }
    }
    return out;
  }

  /** Zeroes copy e's episode statistics, resets it and writes its first observation. */
  private beginEpisode(e: number): void {
    this.state.episodeLength[e] = 0;
    this.episodeReturn[e] = 0;
    this.resetCopy(e);
    this.writeObservation(e, -1);
  }
}
