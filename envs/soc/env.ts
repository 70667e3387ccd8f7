/**
 * Streams of DAG jobs on a heterogeneous SoC: the batched CPU reference (kernels/soc.wgsl is its
 * twin, function for function).
 *
 * Each copy plays episodes of `jobsPerEpisode` jobs arriving as a Poisson stream (mean gap
 * `meanInterArrival`; the first job at time 0), each job drawn from `jobs` with the `mix`
 * probabilities. At most `maxJobsInFlight` jobs hold a slot at once; later arrivals wait for one
 * in arrival order, and their latency runs while they wait. Whenever tasks of admitted jobs are
 * ready (every predecessor finished), the agent assigns one (ready task, processor) pair: the
 * task starts when its processor is free and its inputs have arrived, and the processor is
 * reserved until it ends, as DS3's schedulers do. When no task is ready, time jumps to the next
 * arrival or completion. A task's execution time is the table's times 1 + noise x z, at least a
 * tenth of the table's, with z a normal deviate of its own (workload.ts).
 *
 * Candidates: every ready task with every processor that can run it; beyond K, the K with the
 * highest upward rank are offered (ties: earliest finish, then job, task and processor index).
 * Reward: minus the time that passed times the jobs in the system (arrived, unfinished), over
 * TIME_SCALE, so the return is minus the summed job latency over TIME_SCALE. Metric: the mean
 * job latency of the episode, in table units.
 *
 * gymnax-style, as envs/jobshop/env.ts: plain functions over the explicit `SocState` (integer ticks
 * in typed arrays, layout.ts) and the workload's read-only tables, one copy at a time; `SocEnv`
 * only owns the buffers and the top-K scratch, and src/core/batch-env.ts loops over the copies.
 * kernels/soc.wgsl mirrors these functions one to one. `step` and `reset` allocate nothing but
 * the schedules recorded for validation.
 */

import { BatchEnv, type AllocatedState } from '../../src/core/batch-env.js';
import { advance as rngAdvance, hash, nextU32, permute as rngPermute } from '../../src/core/rng.js';
import type { MetricSpec, Observation, ObservationSpec } from '../../src/core/vecenv.js';
import {
  CANDIDATE_FEATURES,
  CANDIDATE_INPUTS,
  GLOBAL_FEATURES,
  GLOBAL_INPUTS,
  TIME_SCALE,
  writeSocCandidateFeatures,
  writeSocGlobalFeatures,
} from './features.js';
import {
  DONE,
  FREE_SLOT,
  READY,
  RUNNING,
  WAITING,
  allocateSocState,
  socDims,
  type SocDims,
  type SocState,
} from './layout.js';
import type { DagSchedule } from './types.js';
import {
  CANNOT_RUN,
  NOISE_MEAN,
  TICKS_PER_UNIT,
  compileWorkload,
  type StreamSpec,
  type Workload,
} from './workload.js';

export const ENV_NAME = 'soc';
/** The most candidates a decision can offer (enough for every ready pair of DS3 streams). */
export const MAX_CANDIDATES = 256;
export const MEAN_LATENCY: MetricSpec = { name: 'latency', lowerIsBetter: true };

export interface SocConfig extends StreamSpec {
  readonly numEnvs: number;
  /** K: candidates offered per decision. */
  readonly maxCandidates: number;
  /** Keep each finished job's schedule (finishedJobs) for validation; training turns it off. */
  readonly recordSchedules?: boolean;
}

/** A finished job's schedule in table units, for validation and charts. */
export interface FinishedJob {
  readonly template: number;
  readonly arrival: number;
  readonly schedule: DagSchedule;
  readonly duration: number[];
}

/** Where finished jobs of one copy are recorded (host only), or undefined when not recording. */
export type JobRecord = FinishedJob[] | undefined;

/** The K best candidates so far, best first: scratch owned by the env, one copy at a time. */
export interface TopK {
  readonly rank: Float32Array;
  readonly finish: Uint32Array;
  readonly job: Uint32Array;
  readonly packed: Uint32Array;
}

export function allocateTopK(k: number): TopK {
  return {
    rank: new Float32Array(k),
    finish: new Uint32Array(k),
    job: new Uint32Array(k),
    packed: new Uint32Array(k),
  };
}

const f32 = Math.fround;

/** f32 ticks -> reward units: 1 / (TIME_SCALE table units). */
export const REWARD_SCALE = f32(1 / (TIME_SCALE * TICKS_PER_UNIT));
const TWO_32 = 2 ** 32;

/**
 * -cost x REWARD_SCALE in f32, from a 64-bit cost held as words (hi, lo) as the kernel holds it.
 * Each piece converts to f32 exactly (below 2^24) and is added in the same order on both
 * backends, so the reward is bit-identical; a step that takes no time gives +0, not -0.
 */
export function costReward(cost: number): number {
  if (cost === 0) return 0;
  const hi = Math.floor(cost / TWO_32);
  const lo = cost - hi * TWO_32;
  const upper = f32(f32(f32(hi) * TWO_32) + f32(Math.floor(lo / 65536) * 65536));
  return -f32(f32(upper + (lo % 65536)) * REWARD_SCALE);
}

/** The metric of an episode whose jobs' latencies summed to `ticks`: the mean, in table units. */
export function meanLatency(ticks: number, jobsPerEpisode: number): number {
  return ticks / jobsPerEpisode / TICKS_PER_UNIT;
}

/** One inter-arrival gap in ticks from a u32 draw: the quantile table, interpolated, at `gapScale`. */
export function arrivalGap(w: Workload, u: number, gapScale = w.gapScales[0]): number {
  const i = u >>> 22;
  const frac = (u >>> 12) & 1023;
  const k = w.expKnots;
  const q = k[i] + (((k[i + 1] - k[i]) * frac) >>> 10);
  return Math.floor(f32(q * gapScale));
}

/**
 * Which of a mix's `n` values (loads or noise levels) an episode plays: in a mix, the one a draw
 * picks; a single value takes no draw, so that its streams are the ones they were before mixes.
 */
function drawFromMix(s: SocState, e: number, n: number): number {
  return n === 1 ? 0 : nextU32(s.rng, e) % n;
}

/** The noise scale of copy e's episode. */
export function episodeNoiseScale(s: SocState, w: Workload, e: number): number {
  return w.noiseScales[s.episodeNoise[e]];
}

/** The template of a job from a u32 draw. */
export function drawTemplate(w: Workload, u: number): number {
  const v = u >>> 8;
  let k = 0;
  while (k < w.numTemplates - 1 && v >= w.mixThreshold[k]) k++;
  return k;
}

/**
 * Actual ticks of a task whose table time is `exec`, for job `job` of the episode keyed `key` at
 * the episode's noise scale: an Irwin-Hall deviate keyed by (episode, job, task), the same on
 * every backend and for every scheduler. The stream lives in a local, as in the kernel.
 */
export function noisyDuration(
  noiseScale: number,
  key: number,
  job: number,
  task: number,
  exec: number,
): number {
  if (noiseScale === 0) return exec;
  let stream = hash((hash((key ^ hash(job + 1)) >>> 0) ^ (task + 1)) >>> 0);
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    stream = rngAdvance(stream);
    sum += rngPermute(stream) >>> 20;
  }
  const delta = Math.floor(f32(exec * f32((sum - NOISE_MEAN) * noiseScale)));
  return Math.max(exec + delta, Math.floor(exec / 10));
}

/** Draws the episode's arrivals and job templates from the copy's stream; empties the SoC. */
export function startEpisode(s: SocState, w: Workload, d: SocDims, e: number): void {
  const { jobsPerEpisode: N, slots: S, numProcs: P } = d;
  s.now[e] = 0;
  s.arrived[e] = 0;
  s.admitted[e] = 0;
  s.finished[e] = 0;
  s.readyTasks[e] = 0;
  s.latencyLo[e] = 0;
  s.latencyHi[e] = 0;
  s.episodeKey[e] = nextU32(s.rng, e);
  const gapScale = w.gapScales[drawFromMix(s, e, w.gapScales.length)];
  s.episodeNoise[e] = drawFromMix(s, e, w.noiseScales.length);
  let time = 0;
  for (let i = 0; i < N; i++) {
    if (i > 0) time += arrivalGap(w, nextU32(s.rng, e), gapScale);
    s.jobArrival[e * N + i] = time;
    s.jobTemplate[e * N + i] = drawTemplate(w, nextU32(s.rng, e));
  }
  s.peFree.fill(0, e * P, (e + 1) * P);
  s.pePlanned.fill(0, e * P, (e + 1) * P);
  s.slotJob.fill(FREE_SLOT, e * S, (e + 1) * S);
}

/** Gives job `job` (arrived) slot `slot`: its entry tasks are ready. */
export function admit(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  slot: number,
  job: number,
): void {
  const { jobsPerEpisode: N, slots: S, maxTasks: T } = d;
  const tpl = s.jobTemplate[e * N + job];
  const n = w.templateTasks[tpl];
  const base = w.templateBase[tpl];
  const ss = e * S + slot;
  s.slotJob[ss] = job;
  s.slotTasksLeft[ss] = n;
  s.slotLastFinish[ss] = s.jobArrival[e * N + job];
  for (let t = 0; t < T; t++) {
    const i = ss * T + t;
    const preds = t < n ? w.predStart[base + t + 1] - w.predStart[base + t] : 0;
    s.taskPredsLeft[i] = preds;
    s.taskStatus[i] = t >= n ? DONE : preds === 0 ? READY : WAITING;
    s.taskProc[i] = 0;
    s.taskStart[i] = 0;
    s.taskFinish[i] = 0;
    if (t < n && preds === 0) s.readyTasks[e]++;
  }
}

/** Task t of slot `slot` has finished: its successors may become ready, its job may end. */
export function complete(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  slot: number,
  t: number,
  record: JobRecord,
): void {
  const { jobsPerEpisode: N, slots: S, maxTasks: T, numProcs: P } = d;
  const ss = e * S + slot;
  const job = s.slotJob[ss];
  const gt = w.templateBase[s.jobTemplate[e * N + job]] + t;
  const finish = s.taskFinish[ss * T + t];
  s.taskStatus[ss * T + t] = DONE;
  s.slotLastFinish[ss] = Math.max(s.slotLastFinish[ss], finish);
  // A PE seen idle is free now, whatever its plan said: schedulers observe that much.
  const pe = e * P + s.taskProc[ss * T + t];
  if (s.peFree[pe] === finish) s.pePlanned[pe] = Math.min(s.pePlanned[pe], s.now[e]);
  for (let i = w.succStart[gt]; i < w.succStart[gt + 1]; i++) {
    const succ = ss * T + w.succTask[i];
    if (--s.taskPredsLeft[succ] === 0) {
      s.taskStatus[succ] = READY;
      s.readyTasks[e]++;
    }
  }
  if (--s.slotTasksLeft[ss] > 0) return;
  const latency = s.slotLastFinish[ss] - s.jobArrival[e * N + job];
  const lo = s.latencyLo[e] + latency;
  s.latencyLo[e] = lo >>> 0;
  if (lo >= TWO_32) s.latencyHi[e]++;
  s.finished[e]++;
  if (record !== undefined) record.push(finishedJob(s, w, d, e, slot, job));
  s.slotJob[ss] = FREE_SLOT;
}

/**
 * Moves time until some task is ready or the episode is over: arrivals, completions and
 * admissions at `now`, else a jump to the next event. Returns the latency integral (ticks x
 * jobs) that passed, as an exact double.
 */
export function advance(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  record: JobRecord,
): number {
  const { jobsPerEpisode: N, slots: S, maxTasks: T } = d;
  let cost = 0;
  for (;;) {
    const now = s.now[e];
    while (s.arrived[e] < N && s.jobArrival[e * N + s.arrived[e]] <= now) s.arrived[e]++;
    // Completions due now; the earliest later one is the next event unless an arrival comes
    // first (jobs admitted below have nothing running yet).
    let next = s.arrived[e] < N ? s.jobArrival[e * N + s.arrived[e]] : 0xffffffff;
    for (let slot = 0; slot < S; slot++) {
      const job = s.slotJob[e * S + slot];
      if (job === FREE_SLOT) continue;
      const n = w.templateTasks[s.jobTemplate[e * N + job]];
      for (let t = 0; t < n; t++) {
        const i = (e * S + slot) * T + t;
        if (s.taskStatus[i] !== RUNNING) continue;
        if (s.taskFinish[i] <= now) complete(s, w, d, e, slot, t, record);
        else next = Math.min(next, s.taskFinish[i]);
      }
    }
    for (let slot = 0; slot < S && s.admitted[e] < s.arrived[e]; slot++) {
      if (s.slotJob[e * S + slot] !== FREE_SLOT) continue;
      admit(s, w, d, e, slot, s.admitted[e]);
      s.admitted[e]++;
    }
    if (s.readyTasks[e] > 0 || s.finished[e] === N) return cost;
    if (next === 0xffffffff)
      throw new Error(`${ENV_NAME}: copy ${e} has unfinished jobs but no event ahead`);
    cost += (next - now) * (s.arrived[e] - s.finished[e]);
    s.now[e] = next;
  }
}

/** When the inputs of task t of slot `slot` can all be on processor p (never before now). */
export function dataReady(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  slot: number,
  t: number,
  p: number,
): number {
  const { jobsPerEpisode: N, slots: S, maxTasks: T, numProcs: P } = d;
  const ss = e * S + slot;
  const gt = w.templateBase[s.jobTemplate[e * N + s.slotJob[ss]]] + t;
  let ready = s.now[e];
  for (let i = w.predStart[gt]; i < w.predStart[gt + 1]; i++) {
    const q = ss * T + w.predTask[i];
    const arrival =
      s.taskFinish[q] + w.transfer[i * w.numClasses + w.procClass[s.taskProc[q] * P + p]];
    if (arrival > ready) ready = arrival;
  }
  return ready;
}

/** What the dynamic baselines read of a batch, on either backend (a kernel's state synced). */
export interface SocBatch {
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  readonly obs: Observation;
  readonly state: SocState;
  readonly workload: Workload;
  readonly dims: SocDims;
}

/** The planning view of offered candidate k of copy e, in table units: what the heuristics rank by. */
export interface CandidateInfo {
  /** Table execution time on the candidate's processor. */
  readonly exec: number;
  /** Planned finish: max(inputs ready, processor's planned free time) + exec. */
  readonly finish: number;
  readonly rank: number;
  readonly arrival: number;
  readonly job: number;
  readonly task: number;
  readonly proc: number;
}

export function candidateInfo(b: SocBatch, e: number, k: number): CandidateInfo {
  const { state: s, workload: w, dims: d } = b;
  const { slot, job, t, p, gt } = candidateAt(s, w, d, e, k);
  const exec = w.exec[gt * d.numProcs + p];
  const start = Math.max(dataReady(s, w, d, e, slot, t, p), s.pePlanned[e * d.numProcs + p]);
  return {
    exec: exec / TICKS_PER_UNIT,
    finish: (start + exec) / TICKS_PER_UNIT,
    rank: w.rank[gt] / TICKS_PER_UNIT,
    arrival: s.jobArrival[e * d.jobsPerEpisode + job] / TICKS_PER_UNIT,
    job,
    task: t,
    proc: p,
  };
}

/** Offered candidate k of copy e: its job slot, task, processor, job, template and global task. */
export function candidateAt(s: SocState, w: Workload, d: SocDims, e: number, k: number) {
  const packed = s.candidate[e * d.maxCandidates + k];
  const slot = packed >>> 24;
  const job = s.slotJob[e * d.slots + slot];
  const t = (packed >>> 8) & 0xffff;
  const tpl = s.jobTemplate[e * d.jobsPerEpisode + job];
  return { slot, job, t, p: packed & 0xff, tpl, gt: w.templateBase[tpl] + t };
}

/** Starts a new episode in copy e: its arrivals, then time up to the first decision. */
export function resetCopy(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  record: JobRecord,
): void {
  startEpisode(s, w, d, e);
  advance(s, w, d, e, record);
}

/** Assigns candidate `a` of copy e, then advances; returns the reward. */
export function stepCopy(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  a: number,
  record: JobRecord,
): number {
  const { slots: S, maxTasks: T, numProcs: P } = d;
  const { slot, job, t, p, gt } = candidateAt(s, w, d, e, a);
  const ss = e * S + slot;
  const exec = w.exec[gt * P + p];
  const ready = dataReady(s, w, d, e, slot, t, p);
  const start = Math.max(ready, s.peFree[e * P + p]);
  s.pePlanned[e * P + p] = Math.max(ready, s.pePlanned[e * P + p]) + exec;
  const finish = start + noisyDuration(episodeNoiseScale(s, w, e), s.episodeKey[e], job, t, exec);
  const i = ss * T + t;
  s.taskStatus[i] = RUNNING;
  s.taskProc[i] = p;
  s.taskStart[i] = start;
  s.taskFinish[i] = finish;
  s.peFree[e * P + p] = finish;
  s.readyTasks[e]--;
  return costReward(advance(s, w, d, e, record));
}

/** Whether every job of copy e's episode has finished. */
export function isDone(s: SocState, d: SocDims, e: number): boolean {
  return s.finished[e] === d.jobsPerEpisode;
}

/** The summed latency of copy e's jobs, in ticks (meanLatency makes it the metric). */
export function episodeMetric(s: SocState, e: number): number {
  return s.latencyHi[e] * TWO_32 + s.latencyLo[e];
}

/** Whether candidate (rank, finish, job, packed) ranks before entry k of the top K. */
function better(
  top: TopK,
  k: number,
  rank: number,
  finish: number,
  job: number,
  packed: number,
): boolean {
  if (rank !== top.rank[k]) return rank > top.rank[k];
  if (finish !== top.finish[k]) return finish < top.finish[k];
  if (job !== top.job[k]) return job < top.job[k];
  return packed < top.packed[k];
}

/** Keeps candidate (rank, finish, job, packed) if it is among the K best so far. */
export function keep(
  top: TopK,
  count: number,
  rank: number,
  finish: number,
  job: number,
  packed: number,
): number {
  const K = top.rank.length;
  let k = Math.min(count, K - 1);
  if (count >= K && !better(top, k, rank, finish, job, packed)) return count;
  while (k > 0 && better(top, k - 1, rank, finish, job, packed)) {
    top.rank[k] = top.rank[k - 1];
    top.finish[k] = top.finish[k - 1];
    top.job[k] = top.job[k - 1];
    top.packed[k] = top.packed[k - 1];
    k--;
  }
  top.rank[k] = rank;
  top.finish[k] = finish;
  top.job[k] = job;
  top.packed[k] = packed;
  return Math.min(count + 1, K);
}

/** The highest upward rank among the not yet started tasks of a slot's job, in ticks. */
export function pathLeft(s: SocState, w: Workload, d: SocDims, e: number, slot: number): number {
  const { jobsPerEpisode: N, slots: S, maxTasks: T } = d;
  const ss = e * S + slot;
  const tpl = s.jobTemplate[e * N + s.slotJob[ss]];
  let most = 0;
  for (let t = 0; t < w.templateTasks[tpl]; t++) {
    const status = s.taskStatus[ss * T + t];
    if (status === READY || status === WAITING)
      most = Math.max(most, w.rank[w.templateBase[tpl] + t]);
  }
  return most;
}

/** Chooses copy e's K candidates and writes their features, the mask and the global features. */
export function writeObservation(
  s: SocState,
  w: Workload,
  d: SocDims,
  obs: Observation,
  top: TopK,
  e: number,
): void {
  const { jobsPerEpisode: N, slots: S, maxTasks: T, numProcs: P, maxCandidates: K } = d;
  let count = 0;
  for (let slot = 0; slot < S; slot++) {
    const job = s.slotJob[e * S + slot];
    if (job === FREE_SLOT) continue;
    const base = w.templateBase[s.jobTemplate[e * N + job]];
    const n = w.templateTasks[s.jobTemplate[e * N + job]];
    for (let t = 0; t < n; t++) {
      if (s.taskStatus[(e * S + slot) * T + t] !== READY) continue;
      const rank = w.rank[base + t];
      for (let p = 0; p < P; p++) {
        const exec = w.exec[(base + t) * P + p];
        if (exec === CANNOT_RUN) continue;
        const start = Math.max(dataReady(s, w, d, e, slot, t, p), s.pePlanned[e * P + p]);
        count = keep(top, count, rank, start + exec, job, ((slot << 24) | (t << 8) | p) >>> 0);
      }
    }
  }
  s.numCandidates[e] = count;
  const F = CANDIDATE_FEATURES.length;
  obs.mask.fill(0, e * K, (e + 1) * K);
  obs.cand.fill(0, e * K * F, (e + 1) * K * F);
  s.candidate.fill(0, e * K, (e + 1) * K);
  for (let k = 0; k < count; k++) {
    s.candidate[e * K + k] = top.packed[k];
    obs.mask[e * K + k] = 1;
    candidateFeatureInputs(s, w, d, e, k, writeSocCandidateFeatures, obs.cand, (e * K + k) * F);
  }
  globalFeatureInputs(s, d, e, writeSocGlobalFeatures, obs.glob, e * GLOBAL_FEATURES.length);
}

/** The raw inputs a feature writer takes after (out, offset), as a labelled tuple. */
type InputsOf<W> = W extends (out: Float32Array, offset: number, ...inputs: infer I) => void
  ? I
  : never;
/** Receives the raw inputs of one candidate's features (or of the global features), in order. */
type InputSink<Out, W> = (out: Out, offset: number, ...inputs: InputsOf<W>) => void;

/**
 * Calls `write(out, offset, ...inputs)` with the raw inputs of offered candidate k's features in
 * copy e, in table units and in the order of CANDIDATE_INPUTS. The one place they are computed:
 * the observation passes the feature writer, candidateInputs a copy. Allocates nothing.
 */
export function candidateFeatureInputs<Out>(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  k: number,
  write: InputSink<Out, typeof writeSocCandidateFeatures>,
  out: Out,
  offset: number,
): void {
  const { jobsPerEpisode: N, slots: S, numProcs: P } = d;
  const { slot, job, t, p, tpl, gt } = candidateAt(s, w, d, e, k);
  const ss = e * S + slot;
  const u = (ticks: number): number => ticks / TICKS_PER_UNIT;
  write(
    out,
    offset,
    u(w.exec[gt * P + p]),
    u(w.fastest[gt]),
    u(s.now[e]),
    u(dataReady(s, w, d, e, slot, t, p)),
    u(s.pePlanned[e * P + p]),
    u(w.rank[gt]),
    u(s.jobArrival[e * N + job]),
    s.slotTasksLeft[ss],
    w.templateTasks[tpl],
    u(pathLeft(s, w, d, e, slot)),
    s.peFree[e * P + p] > s.now[e] ? 1 : 0,
  );
}

/** As candidateFeatureInputs, for copy e's global features (GLOBAL_INPUTS). */
export function globalFeatureInputs<Out>(
  s: SocState,
  d: SocDims,
  e: number,
  write: InputSink<Out, typeof writeSocGlobalFeatures>,
  out: Out,
  offset: number,
): void {
  const { jobsPerEpisode: N, numProcs: P } = d;
  let idle = 0;
  for (let p = 0; p < P; p++) if (s.peFree[e * P + p] <= s.now[e]) idle++;
  write(out, offset, s.arrived[e] - s.finished[e], s.readyTasks[e], idle, P, N - s.arrived[e], N);
}

/** A feature writer's inputs as a record named by its declared input list (features.ts). */
function inputRecord(
  inputs: readonly { readonly name: string }[],
  fill: (out: Float64Array) => void,
): Record<string, number> {
  const values = new Float64Array(inputs.length);
  fill(values);
  return Object.fromEntries(inputs.map((input, i) => [input.name, values[i]]));
}

const copyInputs = (out: Float64Array, offset: number, ...inputs: number[]): void =>
  out.set(inputs, offset);

/**
 * The raw inputs of offered candidate k's features in copy e, in table units, named as the
 * exported dispatch module's `candidateInputs` (what a real scheduler passes to `dispatchState`).
 */
export function candidateInputs(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  k: number,
): Record<string, number> {
  return inputRecord(CANDIDATE_INPUTS, (x) =>
    candidateFeatureInputs(s, w, d, e, k, copyInputs, x, 0),
  );
}

/** The raw inputs of copy e's global features, named as the exported module's `stateInputs`. */
export function stateInputs(s: SocState, d: SocDims, e: number): Record<string, number> {
  return inputRecord(GLOBAL_INPUTS, (x) => globalFeatureInputs(s, d, e, copyInputs, x, 0));
}

/** The schedule of the job in slot `slot` of copy e, just finished, in table units. */
export function finishedJob(
  s: SocState,
  w: Workload,
  d: SocDims,
  e: number,
  slot: number,
  job: number,
): FinishedJob {
  const { jobsPerEpisode: N, slots: S, maxTasks: T, numProcs: P } = d;
  const tpl = s.jobTemplate[e * N + job];
  const n = w.templateTasks[tpl];
  const at = (field: Uint32Array): number[] =>
    Array.from({ length: n }, (_, t) => field[(e * S + slot) * T + t]);
  const proc = at(s.taskProc);
  // What each task should have taken by the noise model, computed afresh, so that a validator
  // comparing it with finish - start checks the simulation rather than itself.
  const noise = episodeNoiseScale(s, w, e);
  const duration = proc.map((p, t) =>
    noisyDuration(noise, s.episodeKey[e], job, t, w.exec[(w.templateBase[tpl] + t) * P + p]),
  );
  return {
    template: tpl,
    arrival: s.jobArrival[e * N + job] / TICKS_PER_UNIT,
    schedule: {
      proc,
      start: at(s.taskStart).map((x) => x / TICKS_PER_UNIT),
      finish: at(s.taskFinish).map((x) => x / TICKS_PER_UNIT),
    },
    duration: duration.map((x) => x / TICKS_PER_UNIT),
  };
}

export class SocEnv extends BatchEnv<SocState> {
  readonly metric = MEAN_LATENCY;
  readonly config: SocConfig;
  readonly workload: Workload;
  readonly dims: SocDims;
  /** Each copy's last finished episode, job by job (in order of completion), for validation. */
  readonly finishedJobs: FinishedJob[][];
  /** Each copy's jobs finished so far in the current episode, or undefined when not recording. */
  private readonly current: JobRecord[];
  private readonly top: TopK;

  constructor(config: SocConfig) {
    const K = config.maxCandidates;
    if (!(Number.isInteger(K) && K >= 1 && K <= MAX_CANDIDATES))
      throw new RangeError(
        `${ENV_NAME}: maxCandidates must be an integer in 1..${MAX_CANDIDATES}, got ${K}`,
      );
    if (!(Number.isInteger(config.numEnvs) && config.numEnvs >= 1))
      throw new RangeError(`${ENV_NAME}: numEnvs must be a positive integer`);
    const workload = compileWorkload(config);
    const dims = socDims(workload, config.numEnvs, K);
    const spec = {
      maxCandidates: K,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    super(ENV_NAME, spec, allocateSocState(dims));
    this.config = config;
    this.workload = workload;
    this.dims = dims;
    this.finishedJobs = Array.from({ length: config.numEnvs }, () => []);
    this.current = Array.from({ length: config.numEnvs }, () => this.newRecord());
    this.top = allocateTopK(K);
  }

  override reset(seed: number): Observation {
    for (let e = 0; e < this.numEnvs; e++) {
      this.current[e] = this.newRecord();
      this.finishedJobs[e] = [];
    }
    return super.reset(seed);
  }

  protected allocate(): AllocatedState<SocState> {
    return allocateSocState(this.dims);
  }
  protected resetCopy(e: number): void {
    resetCopy(this.state, this.workload, this.dims, e, this.current[e]);
  }
  protected stepCopy(e: number, a: number): number {
    return stepCopy(this.state, this.workload, this.dims, e, a, this.current[e]);
  }
  protected isDone(e: number): boolean {
    return isDone(this.state, this.dims, e);
  }
  protected episodeMetric(e: number): number {
    return episodeMetric(this.state, e);
  }
  protected metricValue(ticks: number): number {
    return meanLatency(ticks, this.dims.jobsPerEpisode);
  }
  protected override abandonEpisode(e: number): void {
    this.current[e] = this.newRecord();
  }
  protected override endEpisode(e: number): void {
    this.finishedJobs[e] = this.current[e] ?? [];
    this.current[e] = this.newRecord();
  }
  protected writeObservation(e: number): void {
    writeObservation(this.state, this.workload, this.dims, this.obs, this.top, e);
  }

  private newRecord(): JobRecord {
    return (this.config.recordSchedules ?? true) ? [] : undefined;
  }

  /** The raw inputs of candidate k's features in copy e (see the function candidateInputs). */
  candidateInputs(e: number, k: number): Record<string, number> {
    return candidateInputs(this.state, this.workload, this.dims, e, k);
  }

  /** The raw inputs of copy e's global features, named as the exported module's `stateInputs`. */
  stateInputs(e: number): Record<string, number> {
    return stateInputs(this.state, this.dims, e);
  }
}
