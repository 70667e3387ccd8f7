import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CandidateScorer } from '../../src/agents/network.js';
import { decide } from '../../src/agents/policy.js';
import { useTfBackend } from '../../src/agents/tfjs.js';
import { seedStreams } from '../../src/core/rng.js';
import { randomLegalActions } from '../../src/core/vecenv.js';
import { exportModule } from '../../src/export/export.js';
import { JobShopEnv, jobShopConfig } from '../../envs/jobshop/env.js';
import { randomSource } from '../../envs/jobshop/generator.js';
import { jobshop } from '../../envs/jobshop/entry.js';
import { jobshopCheckpoint } from '../support/checkpoints.js';

interface Dispatch {
  dispatch(cand: ArrayLike<number>, glob: ArrayLike<number>, mask?: ArrayLike<number>): number;
  scores(cand: ArrayLike<number>, glob: ArrayLike<number>, mask?: ArrayLike<number>): Float64Array;
  dispatchState(
    candidates: Record<string, number>[],
    state: Record<string, number>,
    legal?: boolean[],
  ): number;
  featurize(
    candidates: Record<string, number>[],
    state: Record<string, number>,
  ): { cand: Float32Array; glob: Float32Array };
}

const tf = await useTfBackend('cpu');
const checkpoint = jobshopCheckpoint(11, 32);
const { js } = exportModule(checkpoint, jobshop.features, 'test');
const dir = mkdtempSync(join(tmpdir(), 'schedrl-export-'));
writeFileSync(join(dir, 'dispatch.mjs'), js);
const mod = (await import(pathToFileURL(join(dir, 'dispatch.mjs')).href)) as Dispatch;

describe('exported dispatch module', () => {
  it('has no imports', () => {
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).not.toMatch(/require\(/);
  });

  it('decides exactly as the tfjs policy does greedily, on many states of several sizes', async () => {
    const net = new CandidateScorer(tf, checkpoint.architecture, checkpoint.weights);
    let compared = 0;
    for (const [n, m, mode] of [
      [6, 6, 'active'],
      [15, 15, 'conflict'],
      [50, 10, 'active'],
    ] as const) {
      const env = new JobShopEnv(jobShopConfig({ numEnvs: 8, source: randomSource(n, m), mode }));
      env.reset(n);
      const rng = new Uint32Array(8);
      seedStreams(rng, m);
      const actions = new Int32Array(8);
      const { maxJobs: K } = env.dims;
      const F = env.spec.candidateFeatures.length;
      const G = env.spec.globalFeatures.length;
      for (let t = 0; t < 40; t++) {
        const greedy = await decide(tf, net, env.obs, 8, null);
        for (let e = 0; e < 8; e++) {
          const cand = env.obs.cand.subarray(e * K * F, (e + 1) * K * F);
          const glob = env.obs.glob.subarray(e * G, (e + 1) * G);
          const mask = env.obs.mask.subarray(e * K, (e + 1) * K);
          expect(mod.dispatch(cand, glob, mask), `${n}x${m} step ${t} copy ${e}`).toBe(
            greedy.actions[e],
          );
          compared++;
        }
        randomLegalActions(env.obs.mask, K, rng, actions);
        env.step(actions);
      }
    }
    expect(compared).toBe(3 * 40 * 8);
    net.dispose();
  });

  it("computes the environment's features from raw inputs (the same numbers the policy trained on)", () => {
    const env = new JobShopEnv(jobShopConfig({ numEnvs: 1, source: randomSource(8, 5) }));
    env.reset(3);
    const rng = new Uint32Array(1);
    seedStreams(rng, 4);
    const a = new Int32Array(1);
    for (let t = 0; t < 15; t++) {
      randomLegalActions(env.obs.mask, 8, rng, a);
      env.step(a);
    }
    const s = env.state;
    const d = env.dims;
    const legal = [...env.obs.mask].flatMap((m, j) => (m === 1 ? [j] : []));
    const earliestLegalStart = Math.min(...legal.map((j) => s.candStart[j]));
    const lastEnd = (m: number): number =>
      s.machCount[m] > 0 ? s.machEnd[m * d.slotsPerMachine + s.machCount[m] - 1] : 0;
    const candidates = legal.map((j) => {
      const o = s.jobNextOp[j];
      const m = s.candMachine[j];
      return {
        duration: s.opDuration[j * d.maxOps + o],
        start: s.candStart[j],
        jobReady: s.jobReady[j],
        machineLastEnd: lastEnd(m),
        jobWorkLeft: s.jobWorkLeft[j],
        jobOpsLeft: s.jobNumOps[j] - o,
        jobNumOps: s.jobNumOps[j],
        machineWorkLeft: s.machWorkLeft[m],
        machineBusy: s.machBusy[m],
      };
    });
    const state = {
      earliestLegalStart,
      lowerBound: s.lowerBound[0],
      opsLeft: s.opsLeft[0],
      opsTotal: s.opsTotal[0],
      legal: legal.length,
      numJobs: s.numJobs[0],
      busyTotal: s.workDone[0],
      numMachines: s.numMachines[0],
      initialLowerBound: s.initialLowerBound[0],
    };
    const { cand, glob } = mod.featurize(candidates, state);
    legal.forEach((j, i) =>
      expect(Array.from(cand.subarray(i * 10, i * 10 + 10))).toEqual(
        Array.from(env.obs.cand.subarray(j * 10, j * 10 + 10)),
      ),
    );
    expect(Array.from(glob)).toEqual(Array.from(env.obs.glob));
    expect(mod.dispatchState(candidates, state)).toBe(
      legal.indexOf(mod.dispatch(env.obs.cand, env.obs.glob, env.obs.mask)),
    );
    expect(() => mod.featurize([{ duration: 1 }], state)).toThrow(
      /candidate 0: input 'start' is missing/,
    );
  });

  it('masks illegal candidates and returns -1 when none is legal', () => {
    const cand = new Float32Array(3 * 10).map((_, i) => (i % 7) / 10);
    const glob = Float32Array.of(0.5, 1, 0.5, 0);
    expect(mod.scores(cand, glob, [1, 0, 1])[1]).toBe(-Infinity);
    expect(mod.dispatch(cand, glob, [0, 0, 0])).toBe(-1);
    expect(() => mod.scores(new Float32Array(7), glob)).toThrow(/cand must hold K \* 10 values/);
  });
});
