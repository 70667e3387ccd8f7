/**
 * Self-labeling (Corsini et al., "Self-Labeling the Job Shop Scheduling Problem", NeurIPS 2024):
 * a policy improves by imitating the best of its own samples. Every update, each group of
 * `samplesPerInstance` copies plays one instance (cloned by BatchEnv.startGroups) with the
 * policy's sampled actions; the solution with the best metric becomes the label, and the update
 * is the imitation loss of src/agents/ppo.ts (cross-entropy of the label's actions) on the
 * label's steps alone, with the critic fitted to its returns. There is no advantage and no
 * ratio: the best of K samples is better than a typical one, so the policy moves towards what
 * its own sampling already finds, and greedy play inherits it.
 */

import { HostObservations, type Rollout } from '../agents/rollout.js';

export interface SelfLabels {
  /** Flat indices t * E + e of the labeled steps. */
  readonly samples: Int32Array;
  /** [T * E] discounted return from each labeled step to its episode's end; 0 elsewhere. */
  readonly returns: Float32Array;
  /** Instances labeled: one best solution each. */
  readonly instances: number;
  /** Mean metric of the labels. */
  readonly labelMetric: number;
  /** Mean metric of every solution they were chosen from. */
  readonly sampledMetric: number;
}

/** One finished episode of one copy: steps start..end of the rollout. */
interface Episode {
  readonly start: number;
  readonly end: number;
  readonly metric: number;
}

/**
 * The labels of a rollout whose copies were grouped by `startGroups(groupSize)` at its first
 * step. `metrics[t * E + e]` is the metric of the episode that step t of copy e ended. A group
 * yields one label for its first episode, which every copy must finish within the rollout, and
 * one for each later episode that all its copies started at the same step.
 */
export function selfLabels(
  rollout: Rollout,
  metrics: Float64Array,
  groupSize: number,
  lowerIsBetter: boolean,
  gamma: number,
): SelfLabels {
  const T = rollout.numSteps;
  const E = rollout.numEnvs;
  const observations = rollout.observations;
  if (!(observations instanceof HostObservations))
    throw new Error('self-label: the rollout must keep its observations on the host');
  const episodes: Episode[][] = [];
  for (let e = 0; e < E; e++) {
    const list: Episode[] = [];
    let start = 0;
    for (let t = 0; t < T; t++) {
      if (rollout.ended[t * E + e] === 0) continue;
      list.push({ start, end: t, metric: metrics[t * E + e] });
      start = t + 1;
    }
    episodes.push(list);
  }

  const samples: number[] = [];
  const returns = new Float32Array(T * E);
  let instances = 0;
  let labelSum = 0;
  let sampledSum = 0;
  let sampled = 0;
  for (let leader = 0; leader < E; leader += groupSize) {
    for (let e = leader; e < leader + groupSize; e++)
      if (episodes[e].length === 0)
        throw new Error(
          `self-label: copy ${e} did not finish its instance within the rollout's ${T} steps; set numSteps (--num-steps) to at least the longest episode`,
        );
    // Every copy's first episode is the group's instance. A later one is compared only where
    // every copy started it at the same step with the same observation: copies that ended the
    // previous episode together have drawn their next instance alike (the same random stream).
    for (let k = 0; episodes[leader].length > k; k++) {
      const start = episodes[leader][k].start;
      const group: number[] = [];
      for (let e = leader; e < leader + groupSize; e++)
        if (
          episodes[e][k]?.start === start &&
          (k === 0 || sameObservation(observations, start * E + leader, start * E + e))
        )
          group.push(e);
      if (group.length < groupSize) break;
      // The best solution; ties go to the lowest copy, so labels are reproducible.
      let best = leader;
      for (const e of group) {
        const m = episodes[e][k].metric;
        sampledSum += m;
        sampled++;
        const b = episodes[best][k].metric;
        if (lowerIsBetter ? m < b : m > b) best = e;
      }
      const label = episodes[best][k];
      let ret = 0;
      for (let t = label.end; t >= label.start; t--) {
        const i = t * E + best;
        ret = rollout.rewards[i] + gamma * ret;
        returns[i] = ret;
      }
      for (let t = label.start; t <= label.end; t++) samples.push(t * E + best);
      labelSum += episodes[best][k].metric;
      instances++;
    }
  }
  return {
    samples: Int32Array.from(samples),
    returns,
    instances,
    labelMetric: labelSum / instances,
    sampledMetric: sampledSum / sampled,
  };
}

/** Whether the observations at flat indices i and j are the same, feature for feature. */
function sameObservation(o: HostObservations, i: number, j: number): boolean {
  const same = (a: Float32Array | Uint8Array, n: number): boolean => {
    for (let x = 0; x < n; x++) if (a[i * n + x] !== a[j * n + x]) return false;
    return true;
  };
  return same(o.cand, o.k * o.f) && same(o.glob, o.g) && same(o.mask, o.k);
}
