/**
 * Dynamic heuristics for job streams, acting through the same environment as a learned policy.
 * Each picks one of the offered (ready task, processor) pairs:
 * - `heft`: dynamic HEFT, the ready task of highest upward rank (over all jobs in flight), on
 *   the processor where it finishes first;
 * - `etf`: the pair that finishes first (DS3's default);
 * - `eft`: the oldest job's first ready task, on its earliest-finish processor;
 * - `met`: the oldest job's first ready task, on its fastest processor;
 * - `stf`: the pair with the shortest execution time;
 * - `random`: uniform over the offered pairs.
 * Ties go to the earlier candidate (candidates are ordered by rank, then finish).
 */

import { Rng } from '../../src/core/rng.js';
import { countLegal, nthLegal, type Policy } from '../../src/core/vecenv.js';
import { candidateInfo, type CandidateInfo, type SocBatch } from './env.js';

export const SOC_BASELINES = ['heft', 'etf', 'eft', 'met', 'stf', 'random'] as const;
export type SocBaseline = (typeof SOC_BASELINES)[number];

/** Lexicographic minimum of `key` over the candidates. */
function argmin(n: number, key: (k: number) => readonly number[]): number {
  let best = 0;
  for (let k = 1; k < n; k++) {
    const a = key(k);
    const b = key(best);
    for (let i = 0; i < a.length; i++) {
      if (a[i] < b[i]) {
        best = k;
        break;
      }
      if (a[i] > b[i]) break;
    }
  }
  return best;
}

const KEYS: Readonly<
  Record<Exclude<SocBaseline, 'random'>, (c: CandidateInfo) => readonly number[]>
> = {
  heft: (c) => [-c.rank, c.finish],
  etf: (c) => [c.finish],
  eft: (c) => [c.arrival, c.job, c.task, c.finish],
  met: (c) => [c.arrival, c.job, c.task, c.exec],
  stf: (c) => [c.exec, c.finish],
};

export function socBaseline(name: SocBaseline, seed = 0): Policy<SocBatch> {
  const rng = new Rng(seed);
  return {
    name,
    act(env, actions) {
      const K = env.spec.maxCandidates;
      for (let e = 0; e < env.numEnvs; e++) {
        const n = env.state.numCandidates[e];
        if (name === 'random') {
          actions[e] = nthLegal(
            env.obs.mask,
            e * K,
            K,
            rng.int(0, countLegal(env.obs.mask, e * K, K) - 1),
          );
          continue;
        }
        const infos = Array.from({ length: n }, (_, k) => candidateInfo(env, e, k));
        actions[e] = argmin(n, (k) => KEYS[name](infos[k]));
      }
    },
  };
}
