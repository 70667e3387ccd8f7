/**
 * The study's heuristics and its baselines, acting through the same simulator as a learned
 * policy. Each is a placement rule over the arriving task's candidates plus the queue discipline
 * it runs the simulator with (`discipline`, applied through the registry's baselines.config):
 * - `fifo`, `edf`: edge only, the device's queue in arrival or deadline order (a full queue drops);
 * - `cloud`: every task to the cloud where its cloud utility is positive, else dropped;
 * - `edge-cloud`: the own device where the task is expected in time (EDF queue), else the cloud
 *   where it is expected in time at a positive utility, else dropped;
 * - `sjf`, `hbf`, `huf`: as edge-cloud with the device's queue ordered by shortest expected time,
 *   highest benefit, highest edge utility;
 * - `dems`: EDF queue; the own device when the task fits there and the tasks it would push past
 *   their deadlines score less than it (their edge-over-cloud advantage, or edge utility where the
 *   cloud cannot serve them); those tasks migrate to the cloud; cloud-bound tasks are held until
 *   their last moment and an idle device steals them;
 * - `dems-a`: DEMS whose expected cloud latency follows the recent calls' observed latency;
 * - `gems`: DEMS with GEMS's per-model QoE targets: a task whose model is below its target
 *   fraction of on-time tasks in the current window goes to the cloud where it is expected in
 *   time there at a positive utility;
 * - `dems-direct`, `dems-a-direct`: DEMS's and DEMS-A's placement rule, migration and (DEMS-A)
 *   adaptive latency estimate with holding off: cloud-bound tasks leave at once and nothing is
 *   stolen, as a learned policy plays (DEFAULT_DISCIPLINE). Not the study's: they separate what
 *   a learned policy gains by its placements from what it gains by not holding.
 */

import { UsageError } from '../../src/core/errors.js';
import type { Policy } from '../../src/core/vecenv.js';
import {
  arrival,
  cloudCandidate,
  deadline,
  displacedTasks,
  dropCandidate,
  edgeCost,
  expectedCloud,
  expectedFinish,
  modelOf,
  type OffloadBatch,
} from './env.js';
import { DONE, DROPPED, SEGMENT_MS, type Dims } from './layout.js';
import type { Discipline, OffloadConfig } from './types.js';

export const OFFLOAD_BASELINES = [
  'dems',
  'dems-a',
  'gems',
  'dems-direct',
  'dems-a-direct',
  'edf',
  'fifo',
  'cloud',
  'edge-cloud',
  'sjf',
  'hbf',
  'huf',
] as const;
export type OffloadBaseline = (typeof OFFLOAD_BASELINES)[number];

/**
 * The baselines that training's validation measures a policy against (the best of them is the
 * figure best.json must match): the study's heuristics, not the `-direct` variants, which play
 * a learned policy's own mechanics. Naming them keeps the shipped checkpoint's selection fixed
 * (docs/offload.md, Commands).
 */
export const OFFLOAD_STUDY_BASELINES: readonly OffloadBaseline[] = OFFLOAD_BASELINES.filter(
  (name) => !name.endsWith('-direct'),
);

const plain = (queue: Discipline['queue']): Discipline => ({
  queue,
  migrate: false,
  steal: false,
  adaptive: false,
});
const DEMS: Discipline = { queue: 'edf', migrate: true, steal: true, adaptive: false };

export const BASELINE_DISCIPLINE: Readonly<Record<OffloadBaseline, Discipline>> = {
  dems: DEMS,
  'dems-a': { ...DEMS, adaptive: true },
  gems: DEMS,
  'dems-direct': { ...DEMS, steal: false },
  'dems-a-direct': { ...DEMS, steal: false, adaptive: true },
  edf: plain('edf'),
  fifo: plain('fifo'),
  cloud: plain('edf'),
  'edge-cloud': plain('edf'),
  sjf: plain('sjf'),
  hbf: plain('hbf'),
  huf: plain('huf'),
};

export function isOffloadBaseline(name: string): name is OffloadBaseline {
  return (OFFLOAD_BASELINES as readonly string[]).includes(name);
}

/** The config a baseline plays `config` with: the same scenario under its own discipline. */
export function baselineConfig(config: OffloadConfig, name: string): OffloadConfig {
  if (!isOffloadBaseline(name)) return config;
  return { ...config, discipline: BASELINE_DISCIPLINE[name] };
}

/**
 * The on-time fraction of model m's tasks in copy e's current QoE window so far, over its tasks
 * already resolved there (1 when none is): what GEMS's gatekeeper watches.
 */
function windowFraction(b: OffloadBatch, e: number, m: number): number {
  const { state: s, sim: c, tables: t } = b;
  const d: Dims = c.d;
  const windowMs = b.config.qoeWindow * SEGMENT_MS;
  const windowStart = Math.floor(s.now[e] / windowMs) * windowMs;
  let done = 0;
  let met = 0;
  for (let i = 0; i < s.next[e]; i++) {
    if (modelOf(d, i) !== m || arrival(s, d, e, i) < windowStart) continue;
    const x = e * d.tasks + i;
    if (s.taskStatus[x] === DONE || s.taskStatus[x] === DROPPED) {
      done++;
      if (s.taskStatus[x] === DONE && s.taskFinish[x] <= deadline(s, t, d, e, i)) met++;
    }
  }
  return done === 0 ? 1 : met / done;
}

function decide(name: OffloadBaseline, b: OffloadBatch, e: number): number {
  const { state: s, sim: c, tables: t } = b;
  const d = c.d;
  const K = d.maxCandidates;
  const i = s.next[e];
  const m = modelOf(d, i);
  const now = s.now[e];
  const dl = deadline(s, t, d, e, i);
  const ownLegal = b.obs.mask[e * K] === 1;
  const own = s.candidateEdge[e * K];
  const cloudUtility = t.benefit[m] - t.cloudCost[m];
  // The cloud latency this heuristic expects: the table's, or (adaptive) the observed.
  const cloudInTime = now + expectedCloud(s, t, c, e, m) <= dl;
  const cloudViable = cloudUtility > 0 && cloudInTime;
  const edgeInTime = ownLegal && expectedFinish(s, t, c, e, own, i) <= dl;
  const cloudOrDrop = cloudViable ? cloudCandidate(d) : dropCandidate(d);
  switch (name) {
    case 'fifo':
    case 'edf':
      return ownLegal ? 0 : dropCandidate(d);
    case 'cloud':
      return cloudUtility > 0 ? cloudCandidate(d) : dropCandidate(d);
    case 'edge-cloud':
    case 'sjf':
    case 'hbf':
    case 'huf':
      return edgeInTime ? 0 : cloudOrDrop;
    case 'dems':
    case 'dems-a':
    case 'dems-direct':
    case 'dems-a-direct':
    case 'gems': {
      if (name === 'gems' && cloudViable && windowFraction(b, e, m) < b.config.models[m].qoeTarget)
        return cloudCandidate(d);
      if (!edgeInTime) return cloudOrDrop;
      const score = (q: number): number => {
        const qm = modelOf(d, q);
        const edgeU = t.benefit[qm] - edgeCost(t, c, q, own);
        const cloudU = t.benefit[qm] - t.cloudCost[qm];
        const viable = cloudU > 0 && now + expectedCloud(s, t, c, e, qm) <= deadline(s, t, d, e, q);
        return viable ? Math.abs(cloudU - edgeU) : edgeU;
      };
      const lost = displacedTasks(s, t, c, e, own, i).reduce((sum, q) => sum + score(q), 0);
      return lost < score(i) ? 0 : cloudOrDrop;
    }
  }
}

export function offloadBaseline(name: string): Policy<OffloadBatch> {
  if (!isOffloadBaseline(name))
    throw new UsageError(
      `unknown offload baseline '${name}'`,
      `baselines: ${OFFLOAD_BASELINES.join(', ')}`,
    );
  return {
    name,
    act(env, actions) {
      for (let e = 0; e < env.numEnvs; e++) actions[e] = decide(name, env, e);
    },
  };
}
