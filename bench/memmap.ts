/**
 * The memory-mapping figures, per trace: the peak (fit mode) of every heuristic and of a trained
 * policy, greedy and best of K samples, each with the seconds it took, as JSON on stdout and a
 * table on stderr. Every placement is validated by the shared runner. The heuristics are
 * envs/memmap's (XLA's best fit and the others: "the best heuristic") and envs/memmap-skyline's
 * (reported beside them); the policy plays in the environment its checkpoint was trained on.
 * Usage: npm run bench:memmap [-- SUITE [CHECKPOINT.json [SAMPLES [ORDERS]]]], e.g.
 * `-- ml runs/x/best.json 128`. SUITE is one of memmap's suites (challenging, examples, ml) or a
 * trace list. ORDERS (default: the checkpoint's order) is a comma list of decision orders the
 * policy plays in; the samples are split evenly between them and the best is kept.
 */

import { join } from 'node:path';
import { learnedPolicy } from '../src/agents/learned.js';
import { describeMachine } from '../src/core/machine.js';
import { packageRoot } from '../src/core/paths.js';
import type { Policy } from '../src/core/vecenv.js';
import { playBatch } from '../src/eval/play.js';
import { readCheckpoint } from '../src/train/checkpoint.js';
import { BASELINES, baselineConfig, baselinePolicy } from '../envs/memmap/baselines.js';
import { memmap } from '../envs/memmap/entry.js';
import * as skyline from '../envs/memmap-skyline/baselines.js';
import { memmapSkyline } from '../envs/memmap-skyline/entry.js';
import type { AnyEnvEntry } from '../src/core/registry.js';
import { memmapSuite, replicate } from '../envs/memmap/suites.js';
import { liveBytesBound } from '../envs/memmap/traces.js';
import type { DecisionOrder, MemmapConfig } from '../envs/memmap/types.js';

const suiteName = process.argv[2] ?? 'challenging';
const file = process.argv[3] ?? join(packageRoot(), 'checkpoints', 'memmap-ppo.json');
const samples = Number(process.argv[4] ?? 128);
const checkpoint = readCheckpoint(file);
const options = Object.fromEntries(
  Object.entries(checkpoint.env.options).map(([k, v]) => [k, String(v)]),
);
const trained = options.order ?? 'start';
const orders = (process.argv[5] ?? (trained === 'mixed' ? 'size,duration,start' : trained)).split(
  ',',
) as DecisionOrder[];
const suite = memmapSuite(suiteName, { ...options, objective: 'fit', order: orders[0] });
const config = suite.batches[0].config;
const CPU = { backend: 'cpu', gpu: undefined } as const;
const policyEntry = (
  checkpoint.env.name === memmapSkyline.name ? memmapSkyline : memmap
) as AnyEnvEntry;

/** Plays `c` under `entry`; a policy over that entry's own batches is fine (hence `never`). */
async function play(entry: AnyEnvEntry, c: MemmapConfig, policy: Policy<never>): Promise<number[]> {
  const played = await playBatch(entry, c, policy as Policy, CPU, { seed: 0, readsState: true });
  return played.episodes.map((x) => x.metric);
}

interface Row {
  trace: string;
  buffers: number;
  capacity: number;
  lowerBound: number;
  heuristics: Record<string, number>;
  /** The best of envs/memmap's heuristics (XLA's best fit, best fit, first fit). */
  bestHeuristic: number;
  /** The best of those and the skyline heuristics. */
  bestOfAll: number;
  greedy: number;
  greedySeconds: number;
  sampled: number;
  sampledSeconds: number;
}

const rows: Row[] = [];
for (let i = 0; i < config.traces.length; i++) {
  const trace = config.traces[i];
  const one: MemmapConfig = { ...config, numEnvs: 1, traces: [trace] };
  const heuristics: Record<string, number> = {};
  for (const name of BASELINES)
    heuristics[name] = (
      await play(memmap as AnyEnvEntry, baselineConfig(one, name), baselinePolicy(name))
    )[0];
  for (const name of skyline.BASELINES)
    heuristics[name] = (
      await play(
        memmapSkyline as AnyEnvEntry,
        skyline.baselineConfig(one, name),
        skyline.baselinePolicy(name),
      )
    )[0];
  let t0 = performance.now();
  const greedyPolicy = await learnedPolicy(checkpoint, 'greedy', {
    sample: false,
    seed: 0,
    backend: 'wasm',
  });
  const greedy = (await play(policyEntry, one, greedyPolicy))[0];
  greedyPolicy.dispose();
  const greedySeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const sampler = await learnedPolicy(checkpoint, 'sampled', {
    sample: true,
    seed: 1,
    backend: 'wasm',
  });
  let sampled = Infinity;
  for (const [j, order] of orders.entries()) {
    const share = Math.floor(samples / orders.length) + (j < samples % orders.length ? 1 : 0);
    const c = replicate({ ...one, order }, share);
    sampled = Math.min(sampled, ...(await play(policyEntry, c, sampler)));
  }
  sampler.dispose();
  const sampledSeconds = (performance.now() - t0) / 1000;
  const row: Row = {
    trace: trace.name,
    buffers: trace.buffers.length,
    capacity: trace.capacity,
    lowerBound: liveBytesBound(trace.buffers),
    heuristics,
    bestHeuristic: Math.min(...BASELINES.map((b) => heuristics[b])),
    bestOfAll: Math.min(...Object.values(heuristics)),
    greedy,
    greedySeconds,
    sampled,
    sampledSeconds,
  };
  rows.push(row);
  const r = (x: number): string => (x / trace.capacity).toFixed(3);
  process.stderr.write(
    `${trace.name}: ${Object.keys(heuristics)
      .map((b) => `${b} ${r(heuristics[b])}`)
      .join(
        ', ',
      )}; greedy ${r(greedy)} (${greedySeconds.toFixed(1)} s), best of ${samples} ${r(sampled)} (${sampledSeconds.toFixed(1)} s)\n`,
  );
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const ratio = (pick: (r: Row) => number): number => mean(rows.map((r) => pick(r) / r.capacity));
function gapClosed(best: (r: Row) => number): number | null {
  const over = rows.filter((r) => best(r) > r.capacity);
  return over.length === 0
    ? null
    : mean(over.map((r) => (best(r) - r.sampled) / (best(r) - r.capacity)));
}
const summary = {
  meanBestHeuristicOverCapacity: ratio((r) => r.bestHeuristic),
  meanGreedyOverCapacity: ratio((r) => r.greedy),
  meanSampledOverCapacity: ratio((r) => r.sampled),
  sampledBeatsOrTiesBestHeuristic: rows.filter((r) => r.sampled <= r.bestHeuristic).length,
  sampledWorseThanBestHeuristic: rows.filter((r) => r.sampled > r.bestHeuristic).length,
  // Where the capacity is a known fit (minimalloc's traces) and the best heuristic exceeds it:
  // the share of that excess the sampled policy removes, averaged over those traces.
  gapClosed: gapClosed((r) => r.bestHeuristic),
  meanBestOfAllOverCapacity: ratio((r) => r.bestOfAll),
  sampledWorseThanBestOfAll: rows.filter((r) => r.sampled > r.bestOfAll).length,
  gapClosedAgainstAll: gapClosed((r) => r.bestOfAll),
  atLowerBound: {
    sampled: rows.filter((r) => r.sampled === r.lowerBound).length,
    greedy: rows.filter((r) => r.greedy === r.lowerBound).length,
    ...Object.fromEntries(
      Object.keys(rows[0]?.heuristics ?? {}).map((b) => [
        b,
        rows.filter((r) => r.heuristics[b] === r.lowerBound).length,
      ]),
    ),
    bestHeuristic: rows.filter((r) => r.bestHeuristic === r.lowerBound).length,
    bestOfAll: rows.filter((r) => r.bestOfAll === r.lowerBound).length,
  },
};
console.log(
  JSON.stringify(
    {
      suite: suite.name,
      checkpoint: file,
      samples,
      orders,
      machine: describeMachine(),
      rows,
      summary,
    },
    null,
    2,
  ),
);
