/**
 * Streams of DAG jobs on a heterogeneous SoC, as a batched CPU environment (issue 5, first cut:
 * no WGSL kernel yet).
 *
 * Each copy plays an episode of `jobsPerEpisode` jobs arriving as a Poisson stream (mean gap
 * `meanInterArrival`), each job drawn from `jobs` with the `mix` probabilities. Whenever tasks are
 * ready (every predecessor finished) the agent assigns one (ready task, processor) pair: the task
 * starts when its processor is free and its inputs have arrived, and the processor is reserved
 * until it ends (as DS3's schedulers do). When no task is ready, time jumps to the next arrival
 * or completion. The execution time is the table's, times 1 + noise x N(0, 1) (at least 10% of
 * the table's), so the SoC deviates from what schedulers plan with.
 *
 * Candidates: every ready task with every processor that can run it; beyond K, the K with the
 * highest upward rank (ties: earliest finish) are offered. Reward: minus the time that passed
 * times the jobs in the system, over TIME_SCALE, so the return is minus the sum of job latencies
 * (over TIME_SCALE). Metric: the mean job latency of the episode.
 */

import { Rng } from '../../src/core/rng.js';
import {
  allocateObservation,
  allocateStepResult,
  assertLegalActions,
  type MetricSpec,
  type Observation,
  type ObservationSpec,
  type StepResult,
  type VecEnv,
} from '../../src/core/vecenv.js';
import { adjacency, transferTime } from './graph.js';
import {
  CANDIDATE_FEATURES,
  GLOBAL_FEATURES,
  TIME_SCALE,
  writeSocCandidateFeatures,
  writeSocGlobalFeatures,
} from './features.js';
import { upwardRank } from './static.js';
import type { DagSchedule, Platform, TaskGraph } from './types.js';

export {
  TIME_SCALE as SOC_TIME_SCALE,
  CANDIDATE_FEATURES as SOC_CANDIDATE_FEATURES,
  GLOBAL_FEATURES as SOC_GLOBAL_FEATURES,
} from './features.js';

export const MEAN_LATENCY: MetricSpec = { name: 'latency', lowerIsBetter: true };

export interface SocConfig {
  readonly numEnvs: number;
  readonly platform: Platform;
  /** Job templates. */
  readonly jobs: readonly TaskGraph[];
  /** Probability of each template (normalized). */
  readonly mix: readonly number[];
  readonly meanInterArrival: number;
  readonly jobsPerEpisode: number;
  /** Relative standard deviation of execution times around the table. */
  readonly noise: number;
  /** K: candidates offered per decision. */
  readonly maxCandidates: number;
}

/** One in-flight job of a copy. */
interface Job {
  readonly template: number;
  readonly arrival: number;
  readonly predsLeft: Int32Array;
  /** 0 waiting, 1 ready, 2 assigned (running or queued), 3 done */
  readonly status: Uint8Array;
  readonly proc: Int32Array;
  readonly start: Float64Array;
  readonly finish: Float64Array;
  tasksLeft: number;
  done: number;
}

/** One copy's simulation. Kept as plain objects per copy: the dynamic part is per-job. */
interface Copy {
  /** Arrivals and job mix: the same for every policy given the seed. */
  arrivals: Rng;
  /** Execution-time noise. */
  noise: Rng;
  now: number;
  arrived: number;
  nextArrival: number;
  peFree: Float64Array;
  jobs: Job[];
  latencySum: number;
  finished: number;
  episodeReturn: number;
  episodeLength: number;
  /** Offered candidates: [job index, task, processor]. */
  cands: [number, number, number][];
}

export class SocEnv implements VecEnv {
  readonly numEnvs: number;
  readonly spec: ObservationSpec;
  readonly metric = MEAN_LATENCY;
  readonly obs: Observation;
  readonly config: SocConfig;
  private readonly copies: Copy[] = [];
  private readonly result: StepResult;
  private readonly ranks: number[][];
  private readonly adj: ReturnType<typeof adjacency>[];
  private readonly mixCdf: number[];
  /** The last finished episode's jobs of each copy, for validation. */
  readonly finishedJobs: {
    template: number;
    arrival: number;
    schedule: DagSchedule;
    duration: number[];
  }[][];

  constructor(config: SocConfig) {
    if (config.jobs.length === 0 || config.mix.length !== config.jobs.length)
      throw new RangeError('soc: need job templates and one mix weight each');
    this.config = config;
    this.numEnvs = config.numEnvs;
    this.spec = {
      maxCandidates: config.maxCandidates,
      candidateFeatures: CANDIDATE_FEATURES,
      globalFeatures: GLOBAL_FEATURES,
    };
    this.obs = allocateObservation(config.numEnvs, this.spec);
    this.result = allocateStepResult(config.numEnvs);
    this.ranks = config.jobs.map((g) => upwardRank(g, config.platform));
    this.adj = config.jobs.map(adjacency);
    const total = config.mix.reduce((a, b) => a + b, 0);
    let acc = 0;
    this.mixCdf = config.mix.map((w) => (acc += w / total));
    this.finishedJobs = Array.from({ length: config.numEnvs }, () => []);
  }

  reset(seed: number): Observation {
    this.copies.length = 0;
    for (let e = 0; e < this.numEnvs; e++) {
      const stream = (seed ^ Math.imul(e + 1, 0x9e3779b1)) >>> 0;
      const c = this.newCopy(new Rng(stream), new Rng((stream ^ 0x5bd1e995) >>> 0));
      this.copies.push(c);
      this.advance(c);
      this.write(e);
    }
    return this.obs;
  }

  private newCopy(arrivals: Rng, noise: Rng): Copy {
    return {
      arrivals,
      noise,
      now: 0,
      arrived: 0,
      nextArrival: 0,
      peFree: new Float64Array(this.config.platform.numProcs),
      jobs: [],
      latencySum: 0,
      finished: 0,
      episodeReturn: 0,
      episodeLength: 0,
      cands: [],
    };
  }

  private exponential(rng: Rng, mean: number): number {
    return -Math.log(1 - rng.unit()) * mean;
  }

  private gaussian(rng: Rng): number {
    const u = Math.max(rng.unit(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.unit());
  }

  /** Moves time forward until some task is ready or the episode ends; returns the latency integral. */
  private advance(c: Copy): number {
    let cost = 0;
    for (;;) {
      // Arrivals due now.
      while (c.arrived < this.config.jobsPerEpisode && c.nextArrival <= c.now) {
        const u = c.arrivals.unit();
        const template = Math.max(
          0,
          this.mixCdf.findIndex((x) => u < x),
        );
        const g = this.config.jobs[template];
        const preds = this.adj[template].preds.map((p) => p.length);
        const status = new Uint8Array(g.numTasks);
        preds.forEach((n, t) => (status[t] = n === 0 ? 1 : 0));
        c.jobs.push({
          template,
          arrival: c.nextArrival,
          predsLeft: Int32Array.from(preds),
          status,
          proc: new Int32Array(g.numTasks).fill(-1),
          start: new Float64Array(g.numTasks).fill(-1),
          finish: new Float64Array(g.numTasks).fill(-1),
          tasksLeft: g.numTasks,
          done: -1,
        });
        c.arrived++;
        c.nextArrival += this.exponential(c.arrivals, this.config.meanInterArrival);
      }
      // Completions due now.
      for (const job of c.jobs) {
        if (job.done >= 0) continue;
        const succs = this.adj[job.template].succs;
        for (let t = 0; t < job.status.length; t++) {
          if (job.status[t] !== 2 || job.finish[t] > c.now) continue;
          job.status[t] = 3;
          job.tasksLeft--;
          for (const [s] of succs[t]) if (--job.predsLeft[s] === 0) job.status[s] = 1;
        }
        if (job.tasksLeft === 0) {
          job.done = Math.max(...job.finish);
          c.latencySum += job.done - job.arrival;
          c.finished++;
        }
      }
      if (c.jobs.some((j) => j.done < 0 && j.status.includes(1))) return cost;
      if (c.finished === this.config.jobsPerEpisode) return cost;
      // Jump to the next event.
      let next = c.arrived < this.config.jobsPerEpisode ? c.nextArrival : Infinity;
      for (const job of c.jobs)
        if (job.done < 0)
          for (let t = 0; t < job.status.length; t++)
            if (job.status[t] === 2) next = Math.min(next, job.finish[t]);
      const inSystem = c.jobs.filter((j) => j.done < 0).length;
      cost += (next - c.now) * inSystem;
      c.now = next;
    }
  }

  /** When task t of `job` could start on p, and when it would end with the table's time. */
  plan(
    c: Copy,
    job: Job,
    t: number,
    p: number,
  ): { dataReady: number; start: number; finish: number } {
    const g = this.config.jobs[job.template];
    let dataReady = c.now;
    for (const [q, volume] of this.adj[job.template].preds[t]) {
      dataReady = Math.max(
        dataReady,
        job.finish[q] + transferTime(this.config.platform, volume, job.proc[q], p),
      );
    }
    const start = Math.max(dataReady, c.peFree[p]);
    return { dataReady, start, finish: start + g.exec[t][p] };
  }

  private write(e: number): void {
    const c = this.copies[e];
    const { platform } = this.config;
    const K = this.config.maxCandidates;
    const all: { j: number; t: number; p: number; rank: number; finish: number }[] = [];
    c.jobs.forEach((job, j) => {
      if (job.done >= 0) return;
      const g = this.config.jobs[job.template];
      for (let t = 0; t < job.status.length; t++) {
        if (job.status[t] !== 1) continue;
        for (let p = 0; p < platform.numProcs; p++) {
          if (!Number.isFinite(g.exec[t][p])) continue;
          all.push({
            j,
            t,
            p,
            rank: this.ranks[job.template][t],
            finish: this.plan(c, job, t, p).finish,
          });
        }
      }
    });
    all.sort(
      (a, b) => b.rank - a.rank || a.finish - b.finish || a.j - b.j || a.t - b.t || a.p - b.p,
    );
    c.cands = all.slice(0, K).map((x) => [x.j, x.t, x.p]);
    const F = CANDIDATE_FEATURES.length;
    this.obs.mask.fill(0, e * K, (e + 1) * K);
    this.obs.cand.fill(0, e * K * F, (e + 1) * K * F);
    c.cands.forEach(([j, t, p], k) => {
      const job = c.jobs[j];
      const g = this.config.jobs[job.template];
      this.obs.mask[e * K + k] = 1;
      writeSocCandidateFeatures(
        this.obs.cand,
        (e * K + k) * F,
        g.exec[t][p],
        Math.min(...g.exec[t]),
        c.now,
        this.plan(c, job, t, p).dataReady,
        c.peFree[p],
        this.ranks[job.template][t],
        job.arrival,
        job.tasksLeft,
        g.numTasks,
      );
    });
    const live = c.jobs.filter((j) => j.done < 0);
    writeSocGlobalFeatures(
      this.obs.glob,
      e * GLOBAL_FEATURES.length,
      live.length,
      live.reduce((n, j) => n + j.status.filter((x) => x === 1).length, 0),
      c.peFree.filter((f) => f <= c.now).length,
      platform.numProcs,
      this.config.jobsPerEpisode - c.arrived,
      this.config.jobsPerEpisode,
    );
  }

  step(actions: Int32Array): StepResult {
    assertLegalActions('soc', this.obs.mask, this.config.maxCandidates, actions);
    const out = this.result;
    out.terminated.fill(0);
    for (let e = 0; e < this.numEnvs; e++) {
      const c = this.copies[e];
      const [j, t, p] = c.cands[actions[e]];
      const job = c.jobs[j];
      const pl = this.plan(c, job, t, p);
      const table = this.config.jobs[job.template].exec[t][p];
      const actual = Math.max(
        0.1 * table,
        table * (1 + this.config.noise * this.gaussian(c.noise)),
      );
      job.status[t] = 2;
      job.proc[t] = p;
      job.start[t] = pl.start;
      job.finish[t] = pl.start + actual;
      c.peFree[p] = job.finish[t];
      c.episodeLength++;
      const reward = -this.advance(c) / TIME_SCALE;
      c.episodeReturn += reward;
      out.reward[e] = reward;
      if (c.finished === this.config.jobsPerEpisode) {
        out.terminated[e] = 1;
        out.episodes.return[e] = c.episodeReturn;
        out.episodes.length[e] = c.episodeLength;
        out.episodes.metric[e] = c.latencySum / c.finished;
        this.finishedJobs[e] = c.jobs.map((job2) => ({
          template: job2.template,
          arrival: job2.arrival,
          schedule: {
            proc: Array.from(job2.proc),
            start: Array.from(job2.start),
            finish: Array.from(job2.finish),
          },
          duration: Array.from(job2.finish, (f, i) => f - job2.start[i]),
        }));
        this.copies[e] = this.newCopy(c.arrivals, c.noise);
        this.advance(this.copies[e]);
      }
      this.write(e);
    }
    return out;
  }

  /** Copy e's offered candidates as (job index, task, processor), for the baselines. */
  candidates(e: number): readonly (readonly [number, number, number])[] {
    return this.copies[e].cands;
  }

  /** Planning view of a candidate of copy e: table execution time, expected finish, upward rank, job arrival. */
  candidateInfo(
    e: number,
    k: number,
  ): { exec: number; finish: number; rank: number; arrival: number; task: number; proc: number } {
    const c = this.copies[e];
    const [j, t, p] = c.cands[k];
    const job = c.jobs[j];
    return {
      exec: this.config.jobs[job.template].exec[t][p],
      finish: this.plan(c, job, t, p).finish,
      rank: this.ranks[job.template][t],
      arrival: job.arrival,
      task: t,
      proc: p,
    };
  }
}
