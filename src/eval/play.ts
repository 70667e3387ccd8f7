/**
 * Playing a policy through an environment for evaluation, the same way for every registered
 * environment: one episode per copy of a batch, each finished episode validated by the
 * environment's own validator (an invalid schedule is a bug and throws), its metric and extras
 * kept, and each finished episode handed to the caller before the batch is closed.
 */

import type { EnvEntry, KernelEnv } from '../core/registry.js';
import type { Policy, StepResult, VecEnv } from '../core/vecenv.js';
import type { BackendSession } from '../gpu/session.js';

export interface EpisodeResult {
  readonly metric: number;
  readonly extras: Readonly<Record<string, number>>;
}

export interface PlayOptions<B> {
  /** Seed of the batch's reset (random instances, arrival streams). */
  readonly seed: number;
  /** The policy reads the state (a baseline): a kernel's state is read back before each act. */
  readonly readsState?: boolean;
  /**
   * Called when copy e has finished its episode (validated), while the batch still holds it:
   * for reading the schedule back or drawing it.
   */
  readonly onEpisode?: (env: B, e: number, result: EpisodeResult) => void;
  /** Called after every step of the batch with the steps taken so far (for progress lines). */
  readonly onStep?: (steps: number) => void;
}

export interface PlayedBatch {
  /** One result per copy, in copy order. */
  readonly episodes: readonly EpisodeResult[];
  /** Whether every episode was checked by the validator (false where a backend keeps no record). */
  readonly validated: boolean;
}

/** Creates the batch of `config` on the session's backend. */
export async function createBatch<C, Cpu extends VecEnv, Kernel extends KernelEnv>(
  entry: EnvEntry<C, Cpu, Kernel>,
  config: C,
  session: BackendSession,
): Promise<Cpu | Kernel> {
  if (session.backend === 'cpu') return entry.create.cpu(config);
  return entry.create.webgpu(config, session.gpu!);
}

/** Plays one episode of `policy` in every copy of `config`. */
export async function playBatch<C, Cpu extends VecEnv, Kernel extends KernelEnv>(
  entry: EnvEntry<C, Cpu, Kernel>,
  config: C,
  policy: Policy<Cpu | Kernel>,
  session: BackendSession,
  options: PlayOptions<Cpu | Kernel>,
): Promise<PlayedBatch> {
  const env: Cpu | Kernel = await createBatch(entry, config, session);
  // A kernel's state lives on the device: baselines and validators read a host copy.
  const kernel = 'syncState' in env ? (env as Kernel) : undefined;
  try {
    const n = env.numEnvs;
    const actions = new Int32Array(n);
    await env.reset(options.seed);
    const episodes = new Array<EpisodeResult | undefined>(n);
    let validated = true;
    let open = n;
    let steps = 0;
    while (open > 0) {
      if (kernel !== undefined && options.readsState === true) await kernel.syncState();
      const pending = policy.act(env, actions);
      if (pending !== undefined) await pending;
      // The CPU reference steps synchronously: awaiting each of a long episode's steps would
      // double its cost.
      const stepped = env.step(actions);
      const r: StepResult = stepped instanceof Promise ? await stepped : stepped;
      options.onStep?.(++steps);
      let synced = false;
      for (let e = 0; e < n; e++) {
        if ((r.terminated[e] === 0 && r.truncated[e] === 0) || episodes[e] !== undefined) continue;
        if (kernel !== undefined && !synced) {
          await kernel.syncState();
          synced = true;
        }
        const metric = r.episodes.metric[e];
        const issues = entry.evaluation.validate(env, config, e, metric);
        if (issues === null) validated = false;
        else if (issues.length > 0)
          throw new Error(
            `${entry.name}: ${policy.name} built an invalid schedule (copy ${e}, ${session.backend}): ${issues.slice(0, 3).join('; ')}`,
          );
        const result = { metric, extras: entry.evaluation.extras?.(env, config, e) ?? {} };
        episodes[e] = result;
        options.onEpisode?.(env, e, result);
        open--;
      }
    }
    return { episodes: episodes as EpisodeResult[], validated };
  } finally {
    kernel?.close();
  }
}
