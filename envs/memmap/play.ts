/**
 * Playing a policy on a list of traces with the CPU reference and getting each validated
 * placement back, for tests and scripts (exported modules run features.ts placeBuffers instead).
 */

import type { Policy } from '../../src/core/vecenv.js';
import { baselineConfig, baselinePolicy, type BaselineName } from './baselines.js';
import { MemmapEnv, memmapConfig, type Placement } from './env.js';
import { validatePlacement } from './validate.js';
import type { MemmapBatch, MemmapConfig, Trace } from './types.js';

export interface PlacementOutcome {
  readonly trace: Trace;
  /** The peak (fit) or the benefit spilled (capacity). */
  readonly cost: number;
  readonly placement: Placement;
  /** Decisions per trace (its buffers). */
  readonly steps: number;
}

/** One episode of `policy` on every trace of `config` (one copy each); throws on an invalid placement. */
export function playConfig(config: MemmapConfig, policy: Policy<MemmapBatch>): PlacementOutcome[] {
  const env = new MemmapEnv({ ...config, numEnvs: config.traces.length, pick: 'sequence' });
  env.reset(0);
  const n = env.numEnvs;
  const actions = new Int32Array(n);
  const out = new Array<PlacementOutcome | undefined>(n);
  let open = n;
  while (open > 0) {
    const pending = policy.act(env, actions);
    if (pending !== undefined) throw new Error('playConfig: the policy must act synchronously');
    const r = env.step(actions);
    for (let e = 0; e < n; e++) {
      if (r.terminated[e] === 0 || out[e] !== undefined) continue;
      const { traceIndex, placement } = env.finalPlacement(e);
      const trace = config.traces[traceIndex];
      const cost = r.episodes.metric[e];
      const issues = validatePlacement(trace, placement, config.objective, cost);
      if (issues.length > 0)
        throw new Error(
          `memmap: ${policy.name} built an invalid placement of ${trace.name}: ${issues.slice(0, 3).join('; ')}`,
        );
      out[e] = { trace, cost, placement, steps: r.episodes.length[e] };
      open--;
    }
  }
  return out as PlacementOutcome[];
}

/** A heuristic on `traces`, in its own decision order. */
export function playBaseline(
  name: BaselineName,
  traces: readonly Trace[],
  objective: 'fit' | 'capacity' = 'fit',
): PlacementOutcome[] {
  const config = baselineConfig(memmapConfig({ numEnvs: traces.length, traces, objective }), name);
  return playConfig(config, baselinePolicy(name));
}
