/**
 * Classic dispatching rules, run through the same environment as a learned policy so that the
 * comparison is exact. Each rule scores every legal job from the environment's state and picks
 * the best; ties go to the lowest job index, so every rule but `random` is deterministic.
 */

import { Rng } from '../../src/core/rng.js';
import type { Policy } from '../../src/core/vecenv.js';
import type { JobShopEnv } from './env.js';

/** What a priority is computed from: the next operation of one job. */
interface JobView {
  /** Duration of the next operation. */
  duration: number;
  /** Work of the job's unscheduled operations, the next one included. */
  workLeft: number;
  /** Unscheduled operations of the job, the next one included. */
  opsLeft: number;
  /** Work of the job's scheduled operations. */
  workDone: number;
  /** Time the job became ready for its next operation (end of its previous one). */
  ready: number;
}

/** Smaller priority is dispatched first. */
type Priority = (v: JobView) => number;

export const RULE_PRIORITIES = {
  /** Shortest processing time. */
  spt: (v) => v.duration,
  /** Longest processing time. */
  lpt: (v) => -v.duration,
  /** Most work remaining. */
  mwkr: (v) => -v.workLeft,
  /** Least work remaining. */
  lwkr: (v) => v.workLeft,
  /** Most operations remaining. */
  mor: (v) => -v.opsLeft,
  /** Least operations remaining. */
  lor: (v) => v.opsLeft,
  /** First in, first out: the job that has waited longest for its next operation. */
  fifo: (v) => v.ready,
  /** Flow due date per most work remaining (Sels et al. 2012): (work done + p) / work remaining. */
  'fdd/mwkr': (v) => (v.workDone + v.duration) / v.workLeft,
} satisfies Record<string, Priority>;

export type RuleName = keyof typeof RULE_PRIORITIES | 'random';

export const RULE_NAMES: readonly RuleName[] = [
  ...(Object.keys(RULE_PRIORITIES) as (keyof typeof RULE_PRIORITIES)[]),
  'random',
];

export function isRuleName(name: string): name is RuleName {
  return (RULE_NAMES as readonly string[]).includes(name);
}

/** A dispatching rule as a batch policy. `seed` only matters for `random`. */
export function rulePolicy(name: RuleName, seed = 0): Policy<JobShopEnv> {
  if (name === 'random') return randomPolicy(seed);
  const priority: Priority = RULE_PRIORITIES[name];
  const view: JobView = { duration: 0, workLeft: 0, opsLeft: 0, workDone: 0, ready: 0 };
  return {
    name,
    act(env, actions) {
      const s = env.state;
      const { maxJobs, maxOps } = env.dims;
      const mask = env.obs.mask;
      for (let e = 0; e < env.numEnvs; e++) {
        let best = -1;
        let bestScore = Infinity;
        for (let j = 0; j < maxJobs; j++) {
          const job = e * maxJobs + j;
          if (mask[job] === 0) continue;
          const o = s.jobNextOp[job];
          const row = job * maxOps;
          view.duration = s.opDuration[row + o];
          view.workLeft = s.jobWorkLeft[job];
          view.opsLeft = s.jobNumOps[job] - o;
          view.ready = s.jobReady[job];
          let done = 0;
          for (let i = 0; i < o; i++) done += s.opDuration[row + i];
          view.workDone = done;
          const score = priority(view);
          if (best < 0 || score < bestScore) {
            best = j;
            bestScore = score;
          }
        }
        actions[e] = best;
      }
    },
  };
}

/** Uniform over the legal jobs, from its own seeded stream. */
function randomPolicy(seed: number): Policy<JobShopEnv> {
  const rng = new Rng(seed);
  return {
    name: 'random',
    act(env, actions) {
      const k = env.dims.maxJobs;
      const mask = env.obs.mask;
      for (let e = 0; e < env.numEnvs; e++) {
        let legal = 0;
        for (let j = 0; j < k; j++) legal += mask[e * k + j];
        let pick = rng.int(0, legal - 1);
        for (let j = 0; j < k; j++) {
          if (mask[e * k + j] === 1 && pick-- === 0) {
            actions[e] = j;
            break;
          }
        }
      }
    },
  };
}
