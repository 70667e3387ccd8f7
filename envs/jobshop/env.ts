/**
 * The batched CPU reference of the job-shop environment.
 *
 * gymnax-style: `resetCopy`, `stepCopy`, `isDone`, `episodeMetric`, `endEpisode` and
 * `writeObservation` are plain functions over the explicit `State` (structure of arrays, mutated
 * in place, nothing allocated per step), one copy at a time; `JobShopEnv` only binds them to its
 * buffers, and src/core/batch-env.ts seeds, checks actions, loops over the copies, auto-resets and
 * keeps the episode statistics. kernels/jobshop.wgsl mirrors these functions one to one.
 *
 * Schedule generation: a decision picks a job; its next operation starts at the earliest time its
 * job and its machine allow, inserted into an idle gap of the machine when it fits. Each job's
 * candidate start is cached and recomputed only when its machine or its job changes: a step
 * re-places the chosen job and the jobs waiting for the same machine, each by a bisection and a
 * scan of that machine's intervals (O(jobs + waiting jobs x intervals on the machine)).
 */

import { fieldFailure } from '../../src/core/errors.js';
import { BatchEnv, type AllocatedState } from '../../src/core/batch-env.js';
import type { MetricSpec, Observation } from '../../src/core/vecenv.js';
import {
  CANDIDATE_FEATURES,
  GLOBAL_FEATURES,
  NUM_CANDIDATE_FEATURES,
  NUM_GLOBAL_FEATURES,
  writeCandidateFeatures,
  writeGlobalFeatures,
  writeRelativeFeatures,
} from './features.js';
import { checkRandomSource, drawInstance } from './generator.js';
import { checkInstance } from './instances.js';
import { allocateState } from './layout.js';
import {
  REWARD_MODES,
  SCHEDULE_MODES,
  type Dims,
  type Instance,
  type InstanceSource,
  type JobShopConfig,
  type Operation,
  type Schedule,
  type State,
} from './types.js';

export const ENV_NAME = 'jobshop';

export const MAKESPAN: MetricSpec = { name: 'makespan', lowerIsBetter: true };

/**
 * Validates a config built in code (a JavaScript caller may leave fields out or misspell them);
 * `jobShopConfig` fills in the documented defaults.
 */
export function checkConfig(config: JobShopConfig): void {
  const fail = fieldFailure('jobshop config');
  if (!Number.isInteger(config.numEnvs) || config.numEnvs < 1)
    fail('numEnvs', 'a positive integer', config.numEnvs);
  if (!SCHEDULE_MODES.includes(config.mode))
    fail('mode', `one of ${SCHEDULE_MODES.join(', ')}`, config.mode);
  if (!REWARD_MODES.includes(config.reward))
    fail('reward', `one of ${REWARD_MODES.join(', ')}`, config.reward);
  const src = config.source as InstanceSource | undefined;
  const kind: string | undefined = src?.kind;
  if (src?.kind === 'random') checkRandomSource(src);
  else if (kind !== 'fixed') fail('source.kind', "'random' or 'fixed'", kind);
}

/** A config with the documented defaults: active schedules, dense rewards. */
export function jobShopConfig(
  c: Pick<JobShopConfig, 'numEnvs' | 'source'> & Partial<Pick<JobShopConfig, 'mode' | 'reward'>>,
): JobShopConfig {
  const config = {
    numEnvs: c.numEnvs,
    source: c.source,
    mode: c.mode ?? 'active',
    reward: c.reward ?? 'dense',
  };
  checkConfig(config);
  return config;
}

/** Array sizes for a config: the random size, or the largest of the fixed instances. */
export function deriveDims(config: JobShopConfig): Dims {
  checkConfig(config);
  const { numEnvs, source } = config;
  if (source.kind === 'random') {
    return {
      numEnvs,
      maxJobs: source.numJobs,
      maxOps: source.numMachines,
      maxMachines: source.numMachines,
      slotsPerMachine: source.numJobs,
    };
  }
  if (source.instances.length === 0)
    throw new RangeError('jobshop: a fixed source needs at least one instance');
  let maxJobs = 0;
  let maxOps = 0;
  let maxMachines = 0;
  let slotsPerMachine = 0;
  for (const inst of source.instances) {
    checkInstance(inst);
    maxJobs = Math.max(maxJobs, inst.numJobs);
    maxMachines = Math.max(maxMachines, inst.numMachines);
    const perMachine = new Int32Array(inst.numMachines);
    for (const ops of inst.jobs) {
      maxOps = Math.max(maxOps, ops.length);
      for (const op of ops) perMachine[op.machine]++;
    }
    for (const c of perMachine) slotsPerMachine = Math.max(slotsPerMachine, c);
  }
  return {
    numEnvs,
    maxJobs,
    maxOps: Math.max(maxOps, 1),
    maxMachines,
    slotsPerMachine: Math.max(slotsPerMachine, 1),
  };
}

/** Writes a fixed instance into copy e's instance arrays. */
function loadInstance(s: State, d: Dims, e: number, inst: Instance): void {
  s.numJobs[e] = inst.numJobs;
  s.numMachines[e] = inst.numMachines;
  const jobBase = e * d.maxJobs;
  for (let j = 0; j < d.maxJobs; j++) {
    const ops: readonly Operation[] = j < inst.numJobs ? inst.jobs[j] : [];
    const row = (jobBase + j) * d.maxOps;
    s.jobNumOps[jobBase + j] = ops.length;
    for (let o = 0; o < d.maxOps; o++) {
      s.opMachine[row + o] = o < ops.length ? ops[o].machine : 0;
      s.opDuration[row + o] = o < ops.length ? ops[o].duration : 0;
    }
  }
}

/**
 * Finds the earliest start of job j's next operation on its machine, inserting it into the first
 * idle gap that holds it, and stores the start and the insertion slot. Returns the job's bound
 * on the makespan (start + work left).
 */
export function placeCandidate(s: State, d: Dims, e: number, j: number): number {
  const job = e * d.maxJobs + j;
  const m = s.candMachine[job];
  if (m < 0) return s.jobReady[job];
  const p = s.opDuration[job * d.maxOps + s.jobNextOp[job]];
  const ready = s.jobReady[job];
  // A zero-length operation occupies no machine time: it runs as soon as its job is ready and is
  // never entered in the machine's interval list (slot -1).
  if (p === 0) {
    s.candStart[job] = ready;
    s.candSlot[job] = -1;
    return ready + s.jobWorkLeft[job];
  }
  const mach = e * d.maxMachines + m;
  const base = mach * d.slotsPerMachine;
  const count = s.machCount[mach];
  // Intervals do not overlap, so their ends are sorted: skip by bisection to the first interval
  // that ends after the job is ready.
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.machEnd[base + mid] <= ready) lo = mid + 1;
    else hi = mid;
  }
  let start = ready;
  let slot = lo;
  while (slot < count) {
    if (start + p <= s.machStart[base + slot]) break;
    const end = s.machEnd[base + slot];
    if (end > start) start = end;
    slot++;
  }
  s.candStart[job] = start;
  s.candSlot[job] = slot;
  return start + s.jobWorkLeft[job];
}

/** Starts a new episode in copy e: next instance, empty schedule and candidates. */
export function resetCopy(s: State, d: Dims, config: JobShopConfig, e: number): void {
  const src = config.source;
  if (src.kind === 'random') {
    s.numJobs[e] = src.numJobs;
    s.numMachines[e] = src.numMachines;
    for (let j = 0; j < d.maxJobs; j++) s.jobNumOps[e * d.maxJobs + j] = src.numMachines;
    drawInstance(s.rng, e, src, s.opMachine, s.opDuration, e * d.maxJobs * d.maxOps, d.maxOps);
    s.instanceIndex[e] = -1;
  } else {
    const n = src.instances.length;
    const idx = s.episode[e] === 0 ? e % n : (s.instanceIndex[e] + (d.numEnvs % n)) % n;
    loadInstance(s, d, e, src.instances[idx]);
    s.instanceIndex[e] = idx;
  }
  s.episode[e]++;

  const jobBase = e * d.maxJobs;
  const machBase = e * d.maxMachines;
  s.opStart.fill(-1, jobBase * d.maxOps, (jobBase + d.maxJobs) * d.maxOps);
  s.machCount.fill(0, machBase, machBase + d.maxMachines);
  s.machWorkLeft.fill(0, machBase, machBase + d.maxMachines);
  s.machBusy.fill(0, machBase, machBase + d.maxMachines);
  let opsTotal = 0;
  let bound = 0;
  for (let j = 0; j < d.maxJobs; j++) {
    const job = jobBase + j;
    const row = job * d.maxOps;
    const n = s.jobNumOps[job];
    let work = 0;
    for (let o = 0; o < n; o++) {
      work += s.opDuration[row + o];
      s.machWorkLeft[machBase + s.opMachine[row + o]] += s.opDuration[row + o];
    }
    opsTotal += n;
    s.jobNextOp[job] = 0;
    s.jobReady[job] = 0;
    s.jobWorkLeft[job] = work;
    s.candMachine[job] = n > 0 ? s.opMachine[row] : -1;
    s.candStart[job] = 0;
    s.candSlot[job] = 0;
    if (work > bound) bound = work;
  }
  s.opsLeft[e] = opsTotal;
  s.opsTotal[e] = opsTotal;
  s.lowerBound[e] = bound;
  s.initialLowerBound[e] = bound;
  s.workDone[e] = 0;
}

/**
 * Schedules the next operation of job `a` in copy e and returns the reward. The action must
 * already be known to be legal.
 */
export function stepCopy(s: State, d: Dims, config: JobShopConfig, e: number, a: number): number {
  const job = e * d.maxJobs + a;
  const o = s.jobNextOp[job];
  const opIdx = job * d.maxOps + o;
  const p = s.opDuration[opIdx];
  const m = s.candMachine[job];
  const start = s.candStart[job];
  const slot = s.candSlot[job];
  const end = start + p;

  // Insert the interval into the machine's sorted list (zero-length operations are not entered).
  const mach = e * d.maxMachines + m;
  if (p > 0) {
    const base = mach * d.slotsPerMachine;
    const count = s.machCount[mach];
    for (let i = count; i > slot; i--) {
      s.machStart[base + i] = s.machStart[base + i - 1];
      s.machEnd[base + i] = s.machEnd[base + i - 1];
    }
    s.machStart[base + slot] = start;
    s.machEnd[base + slot] = end;
    s.machCount[mach] = count + 1;
  }
  s.machWorkLeft[mach] -= p;
  s.machBusy[mach] += p;

  s.opStart[opIdx] = start;
  s.jobNextOp[job] = o + 1;
  s.jobReady[job] = end;
  s.jobWorkLeft[job] -= p;
  s.candMachine[job] = o + 1 < s.jobNumOps[job] ? s.opMachine[opIdx + 1] : -1;
  s.opsLeft[e]--;
  s.workDone[e] += p;

  // Only the chosen job and the jobs waiting for machine m can have a new start, and starts only
  // move later, so the bound is the old bound or one of the recomputed job bounds.
  const previousBound = s.lowerBound[e];
  let bound = previousBound;
  const jobBase = e * d.maxJobs;
  const numJobs = s.numJobs[e];
  for (let k = 0; k < numJobs; k++) {
    const other = jobBase + k;
    if (k !== a && (s.candMachine[other] !== m || p === 0)) continue;
    if (k !== a) {
      // A job waiting for m keeps its start unless the new interval overlaps it: the start was
      // the earliest that fitted and the machine only lost free time. Only its slot moves, when
      // the new interval comes before it. (A rescan costs the machine's intervals after the
      // job's ready time: thousands on a 2000-job instance, for each waiting job.)
      const q = s.opDuration[other * d.maxOps + s.jobNextOp[other]];
      const from = s.candStart[other];
      if (q === 0 || from + q <= start) continue;
      if (from >= end) {
        s.candSlot[other]++;
        continue;
      }
    }
    const b = placeCandidate(s, d, e, k);
    if (b > bound) bound = b;
  }
  s.lowerBound[e] = bound;

  // Rewards are written as differences so that a zero reward is +0, never -0.
  if (isDone(s, e)) {
    const makespan = episodeMetric(s, d, e);
    return config.reward === 'dense' ? previousBound - makespan : 0 - makespan;
  }
  return config.reward === 'dense' ? previousBound - bound : 0;
}

/** Whether copy e's schedule is complete. */
export function isDone(s: State, e: number): boolean {
  return s.opsLeft[e] === 0;
}

/** The makespan of copy e's schedule: the latest end of any job. */
export function episodeMetric(s: State, d: Dims, e: number): number {
  let makespan = 0;
  for (let k = 0; k < s.numJobs[e]; k++)
    makespan = Math.max(makespan, s.jobReady[e * d.maxJobs + k]);
  return makespan;
}

/** Keeps copy e's finished schedule and its instance index across the auto-reset. */
export function endEpisode(s: State, d: Dims, e: number): void {
  const jobBase = e * d.maxJobs;
  for (let i = jobBase * d.maxOps; i < (jobBase + d.maxJobs) * d.maxOps; i++)
    s.finalStart[i] = s.opStart[i];
  s.finalInstanceIndex[e] = s.instanceIndex[e];
}

/**
 * What an observation buffer was last written against, per copy: the earliest legal start and
 * the lower bound that its candidates' relative features hold (JobShopEnv keeps one for its
 * `obs`; a caller writing into another buffer passes none).
 */
export interface WrittenAgainst {
  readonly earliest: Int32Array;
  readonly bound: Int32Array;
}

/**
 * Writes copy e's mask, candidate features and global features from its state.
 *
 * After a step that scheduled job `chosen`, only that job and the jobs waiting for the machine of
 * the operation it just scheduled have new job or machine features; the other candidates get
 * only their two state-relative features rewritten, and not even those when `written` shows that
 * `obs` holds them against the same earliest start and bound. `chosen = -1` rewrites everything
 * (after a reset).
 */
export function writeObservation(
  s: State,
  d: Dims,
  config: JobShopConfig,
  obs: Observation,
  e: number,
  chosen = -1,
  written?: WrittenAgainst,
): void {
  const K = d.maxJobs;
  const F = NUM_CANDIDATE_FEATURES;
  const jobBase = e * K;
  const machBase = e * d.maxMachines;
  const numJobs = s.numJobs[e];
  const mask = obs.mask;
  const cand = obs.cand;
  const chosenJob = jobBase + chosen;
  const machine = chosen < 0 ? -1 : s.opMachine[chosenJob * d.maxOps + s.jobNextOp[chosenJob] - 1];

  // Legal set. In the Giffler-Thompson modes, the pivot operation fixes the machine M* and the
  // time t*: its completion c* (conflict) or its start s* (nondelay).
  const mode = config.mode;
  let pivotJob = -1;
  let pivotMachine = -1;
  let pivotTime = 0;
  if (mode !== 'active') {
    for (let j = 0; j < numJobs; j++) {
      const job = jobBase + j;
      if (s.candMachine[job] < 0) continue;
      let t = s.candStart[job];
      if (mode === 'conflict') t += s.opDuration[job * d.maxOps + s.jobNextOp[job]];
      if (pivotJob < 0 || t < pivotTime) {
        pivotTime = t;
        pivotJob = j;
        pivotMachine = s.candMachine[job];
      }
    }
  }
  let legal = 0;
  let earliest = 0x7fffffff;
  for (let j = 0; j < K; j++) {
    const job = jobBase + j;
    const m = s.candMachine[job];
    let ok = j < numJobs && m >= 0;
    if (ok && pivotJob >= 0) {
      const start = s.candStart[job];
      ok =
        m === pivotMachine &&
        (mode === 'conflict' ? start < pivotTime || j === pivotJob : start === pivotTime);
    }
    mask[job] = ok ? 1 : 0;
    if (ok) {
      legal++;
      if (s.candStart[job] < earliest) earliest = s.candStart[job];
    }
  }

  const bound = s.lowerBound[e];
  // The untouched candidates' two relative features need no rewrite either when the earliest
  // legal start and the bound are those `obs` was last written against (in most steps of a
  // large instance: 95% of FIFO's at 2000x50, where the rewrite was half of a step).
  const relativeUnchanged =
    chosen >= 0 &&
    written !== undefined &&
    written.earliest[e] === earliest &&
    written.bound[e] === bound;
  if (written !== undefined) {
    written.earliest[e] = earliest;
    written.bound[e] = bound;
  }
  for (let j = 0; j < K; j++) {
    const job = jobBase + j;
    const m = s.candMachine[job];
    const off = job * F;
    if (m < 0 || j >= numJobs) {
      if (chosen < 0 || j === chosen) cand.fill(0, off, off + F);
      continue;
    }
    if (chosen >= 0 && j !== chosen && m !== machine) {
      if (!relativeUnchanged)
        writeRelativeFeatures(cand, off, s.candStart[job], earliest, s.jobWorkLeft[job], bound);
      continue;
    }
    const mach = machBase + m;
    const count = s.machCount[mach];
    const lastEnd = count > 0 ? s.machEnd[mach * d.slotsPerMachine + count - 1] : 0;
    const o = s.jobNextOp[job];
    writeCandidateFeatures(
      cand,
      off,
      s.opDuration[job * d.maxOps + o],
      s.candStart[job],
      earliest,
      s.jobReady[job],
      lastEnd,
      s.jobWorkLeft[job],
      s.jobNumOps[job] - o,
      s.jobNumOps[job],
      s.machWorkLeft[mach],
      s.machBusy[mach],
      bound,
    );
  }
  writeGlobalFeatures(
    obs.glob,
    e * NUM_GLOBAL_FEATURES,
    s.opsLeft[e],
    s.opsTotal[e],
    legal,
    numJobs,
    s.workDone[e],
    s.numMachines[e],
    bound,
    s.initialLowerBound[e],
  );
}

export class JobShopEnv extends BatchEnv<State> {
  readonly config: JobShopConfig;
  readonly dims: Dims;
  readonly metric = MAKESPAN;
  /** What `obs` was last written against (see writeObservation). */
  private readonly written: WrittenAgainst;

  constructor(config: JobShopConfig) {
    const dims = deriveDims(config);
    const spec = {
      maxCandidates: dims.maxJobs,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    super(ENV_NAME, spec, allocateState(dims));
    this.config = config;
    this.dims = dims;
    this.written = {
      earliest: new Int32Array(config.numEnvs).fill(-1),
      bound: new Int32Array(config.numEnvs).fill(-1),
    };
  }

  protected allocate(): AllocatedState<State> {
    return allocateState(this.dims);
  }
  protected resetCopy(e: number): void {
    resetCopy(this.state, this.dims, this.config, e);
  }
  protected stepCopy(e: number, a: number): number {
    return stepCopy(this.state, this.dims, this.config, e, a);
  }
  protected isDone(e: number): boolean {
    return isDone(this.state, e);
  }
  protected episodeMetric(e: number): number {
    return episodeMetric(this.state, this.dims, e);
  }
  protected metricValue(makespan: number): number {
    return makespan;
  }
  protected override endEpisode(e: number): void {
    endEpisode(this.state, this.dims, e);
  }
  protected writeObservation(e: number, action: number): void {
    writeObservation(this.state, this.dims, this.config, this.obs, e, action, this.written);
  }

  /** The instance copy e is playing now. */
  instance(e: number): Instance {
    return readInstance(this.state, this.dims, this.config, e);
  }

  /** The schedule of copy e's current episode so far (-1 where unscheduled). */
  schedule(e: number): Schedule {
    return readSchedule(this.state, this.dims, e);
  }

  /** The last finished schedule of copy e (fixed sources only), with the index of its instance. */
  finalSchedule(e: number): { instanceIndex: number; schedule: Schedule } {
    return readFinalSchedule(this.state, this.dims, this.config, e);
  }
}

/** The operations of copy e's current instance, read back from the state. */
export function readJobs(s: State, d: Dims, e: number): Operation[][] {
  const jobs: Operation[][] = [];
  for (let j = 0; j < s.numJobs[e]; j++) {
    const row = (e * d.maxJobs + j) * d.maxOps;
    const ops: Operation[] = [];
    for (let o = 0; o < s.jobNumOps[e * d.maxJobs + j]; o++) {
      ops.push({ machine: s.opMachine[row + o], duration: s.opDuration[row + o] });
    }
    jobs.push(ops);
  }
  return jobs;
}

/** The instance copy e is playing now. */
export function readInstance(s: State, d: Dims, config: JobShopConfig, e: number): Instance {
  const idx = s.instanceIndex[e];
  const name =
    idx >= 0 && config.source.kind === 'fixed'
      ? config.source.instances[idx].name
      : `random-e${e}-ep${s.episode[e]}`;
  return { name, numJobs: s.numJobs[e], numMachines: s.numMachines[e], jobs: readJobs(s, d, e) };
}

/** Start and end rows of `jobs` from the start times in `starts` at copy e's slots. */
function scheduleOf(starts: Int32Array, d: Dims, e: number, jobs: Instance['jobs']): Schedule {
  const start: number[][] = [];
  const end: number[][] = [];
  jobs.forEach((ops, j) => {
    const row = (e * d.maxJobs + j) * d.maxOps;
    start.push(ops.map((_, o) => starts[row + o]));
    end.push(ops.map((op, o) => (starts[row + o] < 0 ? -1 : starts[row + o] + op.duration)));
  });
  return { start, end };
}

/** The schedule of copy e's current episode so far (-1 where unscheduled). */
export function readSchedule(s: State, d: Dims, e: number): Schedule {
  return scheduleOf(s.opStart, d, e, readJobs(s, d, e));
}

/**
 * The schedule of copy e's last finished episode, kept across the auto-reset, and the index of
 * its fixed instance. Only for fixed sources: a random instance is gone once the copy resets.
 */
export function readFinalSchedule(
  s: State,
  d: Dims,
  config: JobShopConfig,
  e: number,
): { instanceIndex: number; schedule: Schedule } {
  if (config.source.kind !== 'fixed') {
    throw new Error(
      'jobshop: finalSchedule needs a fixed instance source (a random instance is redrawn at reset)',
    );
  }
  const instanceIndex = s.finalInstanceIndex[e];
  if (instanceIndex < 0) throw new Error(`jobshop: copy ${e} has not finished an episode yet`);
  return {
    instanceIndex,
    schedule: scheduleOf(s.finalStart, d, e, config.source.instances[instanceIndex].jobs),
  };
}
