/**
 * A stream configuration compiled into the flat integer tables that both step backends read: the
 * TypeScript reference (env.ts) and kernels/soc.wgsl get the same numbers, so they cannot plan
 * with different transfer times or ranks.
 *
 * Time is integer ticks, TICKS_PER_UNIT to a unit of the tables (nanoseconds for DS3's
 * microseconds), so that event times, rewards and latencies are exact on both backends. Every
 * random quantity is drawn with integer arithmetic and at most one rounded f32 multiply:
 * - inter-arrival gaps invert the exponential distribution by a table of EXP_KNOTS quantiles with
 *   linear interpolation (its mean is within 0.1% of the requested mean; tested);
 * - execution-time noise is Irwin-Hall: twelve 12-bit uniforms summed, a normal deviate clipped
 *   to six standard deviations, keyed by (episode, job, task) so that a task's deviation does not
 *   depend on which scheduler runs or on the order of its decisions.
 */

import { InputError } from '../../src/core/errors.js';
import { adjacency, topologicalOrder, transferTime } from './graph.js';
import { upwardRank } from './static.js';
import type { Platform, TaskGraph } from './types.js';

/** Ticks per time unit of the tables (1000: nanoseconds when DS3's tables are in microseconds). */
export const TICKS_PER_UNIT = 1000;
/** Execution time of a task on a processor that cannot run it. */
export const CANNOT_RUN = 0xffffffff;
/** Quantiles of the exponential distribution used to draw inter-arrival gaps. */
export const EXP_KNOTS = 1024;
/** Fixed-point scale of those quantiles. */
export const EXP_ONE = 65536;
/** The Irwin-Hall sum of twelve 12-bit uniforms has mean 12 * 4095 / 2 and a deviation of ~4096. */
export const NOISE_MEAN = 24570;
export const NOISE_UNIT = 4096;
/** Most mean gaps, or noise levels, one stream mixes. */
export const MAX_MIX = 64;
/** Job-mix thresholds compare against the top 24 bits of a draw. */
export const MIX_ONE = 1 << 24;

/** What a stream of jobs is: the platform, job templates, mix, load and noise. */
export interface StreamSpec {
  readonly platform: Platform;
  readonly jobs: readonly TaskGraph[];
  /** Probability of each template (normalized). */
  readonly mix: readonly number[];
  /**
   * Mean time between arrivals, in table units. A list mixes loads: each episode draws one of
   * its gaps, uniformly, so that one policy trains (or is judged) at every load it will meet.
   */
  readonly meanInterArrival: number | readonly number[];
  readonly jobsPerEpisode: number;
  /**
   * Relative standard deviation of execution times around the table. A list mixes noise levels
   * as meanInterArrival mixes loads: each episode draws one.
   */
  readonly noise: number | readonly number[];
  /** Jobs admitted at once (the rest wait, in arrival order, and their latency runs). */
  readonly maxJobsInFlight?: number;
}

export interface Workload {
  readonly numProcs: number;
  readonly numTemplates: number;
  /** Most tasks in one template: the task slots of a job. */
  readonly maxTasks: number;
  readonly numTasks: number;
  readonly numEdges: number;
  /** Distinct transfer rates between processor pairs. */
  readonly numClasses: number;
  readonly jobsPerEpisode: number;
  readonly slots: number;
  readonly templateTasks: Uint32Array;
  /** First global task index of each template. */
  readonly templateBase: Uint32Array;
  /** [task * numProcs + p]: execution ticks, CANNOT_RUN where p cannot run the task. */
  readonly exec: Uint32Array;
  /** Shortest execution ticks of each task over its processors. */
  readonly fastest: Uint32Array;
  /** Upward rank in ticks (HEFT's, with mean execution and transfer times), rounded to f32. */
  readonly rank: Float32Array;
  /** Predecessors of global task t: entries predStart[t] .. predStart[t + 1]. */
  readonly predStart: Uint32Array;
  /** The predecessor's index within its template. */
  readonly predTask: Uint32Array;
  /** Successors of global task t: entries succStart[t] .. succStart[t + 1]. */
  readonly succStart: Uint32Array;
  readonly succTask: Uint32Array;
  /** [p * numProcs + q]: transfer class from p to q. */
  readonly procClass: Uint32Array;
  /** [predecessor entry * numClasses + class]: transfer ticks of that edge's data. */
  readonly transfer: Uint32Array;
  /** Cumulative mix over MIX_ONE: template k is drawn when the top 24 bits < mixThreshold[k]. */
  readonly mixThreshold: Uint32Array;
  /** EXP_KNOTS + 1 fixed-point quantiles of Exp(1), the last one closing the tail. */
  readonly expKnots: Uint32Array;
  /** Per mean gap of the spec: ticks per fixed-point unit of a gap, gap ticks / EXP_ONE, as f32. */
  readonly gapScales: Float32Array;
  /** Per noise level of the spec: noise / NOISE_UNIT, as f32. */
  readonly noiseScales: Float32Array;
}

const f32 = Math.fround;

/** Table units to ticks; `up` rounds up (transfers: data never arrives earlier than the table says). */
function ticks(units: number, up = false): number {
  const x = units * TICKS_PER_UNIT;
  return up ? Math.ceil(x - 1e-6) : Math.round(x);
}

function expQuantiles(): Uint32Array {
  const knots = new Uint32Array(EXP_KNOTS + 1);
  for (let i = 0; i < EXP_KNOTS; i++) knots[i] = Math.round(-Math.log(1 - i / EXP_KNOTS) * EXP_ONE);
  // The last interval stands for the tail beyond 1 - 1/EXP_KNOTS, whose conditional mean is
  // ln(EXP_KNOTS) + 1; a straight line from ln(EXP_KNOTS) has that mean if it ends 2 higher.
  knots[EXP_KNOTS] = Math.round((Math.log(EXP_KNOTS) + 2) * EXP_ONE);
  return knots;
}

/** Checks a stream spec and compiles its tables; bad values throw InputError naming the field. */
export function compileWorkload(spec: StreamSpec, where = 'soc config'): Workload {
  const bad = (field: string, expected: string): never => {
    throw new InputError({ file: where, field }, expected);
  };
  const { platform, jobs } = spec;
  const P = platform.numProcs;
  if (!(P >= 1 && P <= 255)) bad('platform.numProcs', 'between 1 and 255 processors');
  if (jobs.length === 0 || jobs.length > 255) bad('jobs', 'between 1 and 255 job templates');
  if (spec.mix.length !== jobs.length) bad('mix', `one weight per job template (${jobs.length})`);
  if (!spec.mix.every((w) => Number.isFinite(w) && w >= 0) || !spec.mix.some((w) => w > 0))
    bad('mix', 'finite non-negative weights, at least one positive');
  const gaps =
    typeof spec.meanInterArrival === 'number' ? [spec.meanInterArrival] : spec.meanInterArrival;
  if (!(gaps.length >= 1 && gaps.length <= MAX_MIX))
    bad('meanInterArrival', `one mean gap or a list of 1 to ${MAX_MIX}`);
  if (!gaps.every((g) => Number.isFinite(g) && g > 0))
    bad('meanInterArrival', 'positive numbers of time units');
  if (!(Number.isInteger(spec.jobsPerEpisode) && spec.jobsPerEpisode >= 1))
    bad('jobsPerEpisode', 'a positive integer');
  const noises = typeof spec.noise === 'number' ? [spec.noise] : spec.noise;
  if (!(noises.length >= 1 && noises.length <= MAX_MIX))
    bad('noise', `one noise level or a list of 1 to ${MAX_MIX}`);
  if (!noises.every((x) => Number.isFinite(x) && x >= 0 && x <= 1))
    bad('noise', 'relative standard deviations between 0 and 1');
  const slots = spec.maxJobsInFlight ?? Math.min(spec.jobsPerEpisode, 32);
  if (!(Number.isInteger(slots) && slots >= 1 && slots <= 255))
    bad('maxJobsInFlight', 'an integer between 1 and 255');

  const numTasks = jobs.reduce((n, g) => n + g.numTasks, 0);
  const numEdges = jobs.reduce((n, g) => n + g.edges.length, 0);
  const maxTasks = Math.max(...jobs.map((g) => g.numTasks));
  if (maxTasks > 65535) bad('jobs', 'at most 65535 tasks per job');

  // Transfer classes: processor pairs with the same bandwidth move data equally fast.
  const classOf = new Map<number, number>();
  const procClass = new Uint32Array(P * P);
  const classBandwidth: number[] = [];
  const classPair: [number, number][] = [];
  for (let p = 0; p < P; p++)
    for (let q = 0; q < P; q++) {
      const bw = platform.bandwidth[p][q];
      if (!(bw > 0)) bad(`platform.bandwidth[${p}][${q}]`, 'a positive bandwidth');
      let c = classOf.get(bw);
      if (c === undefined) {
        c = classBandwidth.length;
        classOf.set(bw, c);
        classBandwidth.push(bw);
        classPair.push([p, q]);
      }
      procClass[p * P + q] = c;
    }
  const C = classBandwidth.length;

  const templateTasks = new Uint32Array(jobs.length);
  const templateBase = new Uint32Array(jobs.length);
  const exec = new Uint32Array(numTasks * P);
  const fastest = new Uint32Array(numTasks);
  const rank = new Float32Array(numTasks);
  const predStart = new Uint32Array(numTasks + 1);
  const predTask = new Uint32Array(numEdges);
  const succStart = new Uint32Array(numTasks + 1);
  const succTask = new Uint32Array(numEdges);
  const transfer = new Uint32Array(numEdges * C);
  let base = 0;
  let pe = 0;
  let se = 0;
  // The longest one job can take, alone on its slowest choices: bounds the simulated time.
  let longestJob = 0;
  jobs.forEach((g, k) => {
    const field = `jobs[${k}] (${g.name})`;
    if (!(Number.isInteger(g.numTasks) && g.numTasks >= 1))
      bad(`${field}.numTasks`, 'at least one task');
    if (g.exec.length !== g.numTasks || g.exec.some((row) => row.length !== P))
      bad(`${field}.exec`, `${g.numTasks} rows of ${P} execution times`);
    g.edges.forEach((edge, i) => {
      const inRange = (x: number): boolean => Number.isInteger(x) && x >= 0 && x < g.numTasks;
      if (
        !inRange(edge.from) ||
        !inRange(edge.to) ||
        !(edge.volume >= 0 && Number.isFinite(edge.volume))
      )
        bad(`${field}.edges[${i}]`, `tasks in 0..${g.numTasks - 1} and a finite volume >= 0`);
    });
    try {
      topologicalOrder(g);
    } catch {
      bad(`${field}.edges`, 'edges without a cycle');
    }
    const adj = adjacency(g);
    const ranks = upwardRank(g, platform);
    let serial = 0;
    templateTasks[k] = g.numTasks;
    templateBase[k] = base;
    for (let t = 0; t < g.numTasks; t++) {
      const gt = base + t;
      let best = CANNOT_RUN;
      let slowest = 0;
      for (let p = 0; p < P; p++) {
        const w = g.exec[t][p];
        if (!Number.isFinite(w)) {
          exec[gt * P + p] = CANNOT_RUN;
          continue;
        }
        if (w < 0) bad(`${field}.exec[${t}][${p}]`, 'a non-negative execution time');
        const x = ticks(w);
        if (x >= 1 << 24) bad(`${field}.exec[${t}][${p}]`, `at most ${(1 << 24) / TICKS_PER_UNIT}`);
        exec[gt * P + p] = x;
        best = Math.min(best, x);
        slowest = Math.max(slowest, x);
      }
      if (best === CANNOT_RUN) bad(`${field}.exec[${t}]`, 'at least one processor that runs it');
      fastest[gt] = best;
      rank[gt] = f32(ranks[t] * TICKS_PER_UNIT);
      serial += slowest;
      predStart[gt] = pe;
      for (const [q, volume] of adj.preds[t]) {
        predTask[pe] = q;
        let most = 0;
        for (let c = 0; c < C; c++) {
          const [a, b] = classPair[c];
          const x = ticks(transferTime(platform, volume, a, b), true);
          transfer[pe * C + c] = x;
          most = Math.max(most, x);
        }
        serial += most;
        pe++;
      }
      succStart[gt] = se;
      for (const [s] of adj.succs[t]) succTask[se++] = s;
    }
    longestJob = Math.max(longestJob, serial);
    base += g.numTasks;
  });
  predStart[numTasks] = pe;
  succStart[numTasks] = se;

  const total = spec.mix.reduce((a, b) => a + b, 0);
  const mixThreshold = new Uint32Array(jobs.length);
  let acc = 0;
  spec.mix.forEach((w, k) => {
    acc += w / total;
    mixThreshold[k] = k === jobs.length - 1 ? MIX_ONE : Math.round(acc * MIX_ONE);
  });

  const gapTicks = Math.max(...gaps) * TICKS_PER_UNIT;
  // Times are u32 ticks, so an episode must end before they wrap. Gaps are at most ~9 means,
  // noise stretches a task at most 1 + 6 x noise, and no job waits longer than every job before
  // it running alone, one after another, on its slowest processors. (Latency sums and rewards
  // are accumulated in 64 bits, so they do not limit the episode.)
  const bound =
    (spec.jobsPerEpisode - 1) * 9 * gapTicks +
    spec.jobsPerEpisode * (1 + 6 * Math.max(...noises)) * longestJob;
  if (bound >= 2 ** 32)
    bad(
      'jobsPerEpisode',
      `fewer jobs per episode or shorter gaps: an episode could outlast 2^32 ticks (${2 ** 32 / TICKS_PER_UNIT} units)`,
    );
  return {
    numProcs: P,
    numTemplates: jobs.length,
    maxTasks,
    numTasks,
    numEdges,
    numClasses: C,
    jobsPerEpisode: spec.jobsPerEpisode,
    slots,
    templateTasks,
    templateBase,
    exec,
    fastest,
    rank,
    predStart,
    predTask,
    succStart,
    succTask,
    procClass,
    transfer,
    mixThreshold,
    expKnots: expQuantiles(),
    gapScales: Float32Array.from(gaps, (g) => (g * TICKS_PER_UNIT) / EXP_ONE),
    noiseScales: Float32Array.from(noises, (x) => x / NOISE_UNIT),
  };
}
