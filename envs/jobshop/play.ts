/**
 * Playing a policy on a list of job-shop instances and getting each validated schedule back:
 * the shared evaluation runner, grouped by instance shape (instances of one shape share a batch).
 */

import type { Policy } from '../../src/core/vecenv.js';
import { playBatch } from '../../src/eval/play.js';
import type { BackendSession } from '../../src/gpu/session.js';
import type { JobShopBatch } from './types.js';
import { jobshop } from './entry.js';
import { jobShopConfig } from './env.js';
import type { Instance, Schedule, ScheduleMode } from './types.js';

export interface EpisodeOutcome {
  readonly instance: Instance;
  readonly makespan: number;
  readonly schedule: Schedule;
}

const CPU: BackendSession = { backend: 'cpu', gpu: undefined };

/**
 * One episode of `makePolicy()` on each instance; every schedule is validated (else throws).
 * `onStep` is called after each step of a batch with its steps so far (progress lines).
 */
export async function playEpisodes(
  instances: readonly Instance[],
  makePolicy: () => Policy<JobShopBatch> | Promise<Policy<JobShopBatch>>,
  mode: ScheduleMode,
  session: BackendSession = CPU,
  onStep?: (steps: number) => void,
): Promise<EpisodeOutcome[]> {
  const groups = new Map<string, number[]>();
  instances.forEach((inst, i) => {
    const key = `${inst.numJobs}x${inst.numMachines}x${Math.max(...inst.jobs.map((ops) => ops.length))}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const outcomes = new Array<EpisodeOutcome>(instances.length);
  for (const members of groups.values()) {
    const group = members.map((i) => instances[i]);
    const config = jobShopConfig({
      numEnvs: group.length,
      source: { kind: 'fixed', instances: group },
      mode,
    });
    const schedules: Schedule[] = [];
    const played = await playBatch(jobshop, config, await makePolicy(), session, {
      seed: 0,
      readsState: true,
      ...(onStep === undefined ? {} : { onStep }),
      onEpisode: (env, e) => {
        schedules[e] = env.finalSchedule(e).schedule;
      },
    });
    members.forEach((i, e) => {
      outcomes[i] = {
        instance: group[e],
        makespan: played.episodes[e].metric,
        schedule: schedules[e],
      };
    });
  }
  return outcomes;
}
