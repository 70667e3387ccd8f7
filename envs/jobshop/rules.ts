/**
 * Classic dispatching rules, run through the same environment as a learned policy so that the
 * comparison is exact. Each rule scores every legal job from the environment's state and picks
 * the best; ties go to the lowest job index, so every rule but `random` is deterministic.
 */

import { hashString, nextInt, streamSeed } from '../../src/core/rng.js';
import { countLegal, nthLegal, type Policy } from '../../src/core/vecenv.js';
import type { JobShopBatch } from './types.js';
import type { State } from './types.js';

/**
 * A priority of job `job` (flat index e * maxJobs + j) whose next operation is `o`, with its
 * operation row starting at `row`. Smaller is dispatched first.
 */
type Priority = (s: State, job: number, row: number, o: number) => number;

const duration: Priority = (s, _job, row, o) => s.opDuration[row + o];
const workLeft: Priority = (s, job) => s.jobWorkLeft[job];
const opsLeft: Priority = (s, job, _row, o) => s.jobNumOps[job] - o;

export const RULE_PRIORITIES = {
  /** Shortest processing time. */
  spt: duration,
  /** Longest processing time. */
  lpt: (s, job, row, o) => -duration(s, job, row, o),
  /** Most work remaining (the next operation included). */
  mwkr: (s, job, row, o) => -workLeft(s, job, row, o),
  /** Least work remaining. */
  lwkr: workLeft,
  /** Most operations remaining. */
  mor: (s, job, row, o) => -opsLeft(s, job, row, o),
  /** Least operations remaining. */
  lor: opsLeft,
  /** First in, first out: the job that has been ready for its next operation the longest. */
  fifo: (s, job) => s.jobReady[job],
  /** Flow due date per most work remaining (Sels et al. 2012): (work done + p) / work remaining. */
  'fdd/mwkr': (s, job, row, o) => {
    let done = 0;
    for (let i = 0; i <= o; i++) done += s.opDuration[row + i];
    return done / s.jobWorkLeft[job];
  },
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
export function rulePolicy(name: RuleName, seed = 0): Policy<JobShopBatch> {
  if (name === 'random') return randomPolicy(seed);
  const priority: Priority = RULE_PRIORITIES[name];
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
          const score = priority(s, job, job * maxOps, s.jobNextOp[job]);
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

/**
 * Uniform over the legal jobs. Each episode draws from its own stream, seeded from `seed` and the
 * instance's name, so a result depends only on the seed and the instance, not on which other
 * instances share the batch.
 */
function randomPolicy(seed: number): Policy<JobShopBatch> {
  let streams = new Uint32Array(0);
  return {
    name: 'random',
    act(env, actions) {
      const k = env.dims.maxJobs;
      const mask = env.obs.mask;
      if (streams.length !== env.numEnvs) streams = new Uint32Array(env.numEnvs);
      for (let e = 0; e < env.numEnvs; e++) {
        if (env.state.episodeLength[e] === 0)
          streams[e] = streamSeed(seed, hashString(env.instance(e).name));
        actions[e] = nthLegal(
          mask,
          e * k,
          k,
          nextInt(streams, e, 0, countLegal(mask, e * k, k) - 1),
        );
      }
    },
  };
}
