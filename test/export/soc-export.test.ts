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
import { SocEnv } from '../../envs/soc/env.js';
import { DEFAULT_JOBS, streamConfig } from '../../envs/soc/streams.js';
import { soc } from '../../envs/soc/entry.js';
import { socCheckpoint } from '../support/checkpoints.js';

interface Dispatch {
  dispatch(cand: ArrayLike<number>, glob: ArrayLike<number>, mask?: ArrayLike<number>): number;
  featurize(
    candidates: Record<string, number>[],
    state: Record<string, number>,
  ): { cand: Float32Array; glob: Float32Array };
  dispatchState(candidates: Record<string, number>[], state: Record<string, number>): number;
  candidateInputs: string[];
  stateInputs: string[];
}

const tf = await useTfBackend('cpu');
const checkpoint = socCheckpoint(5, 32);
const { js } = exportModule(checkpoint, soc.features, 'test');
const dir = mkdtempSync(join(tmpdir(), 'schedrl-export-soc-'));
writeFileSync(join(dir, 'dispatch.mjs'), js);
const mod = (await import(pathToFileURL(join(dir, 'dispatch.mjs')).href)) as Dispatch;

describe('an exported SoC dispatch module', () => {
  it('decides as the tfjs policy does, from features or from the raw inputs a scheduler has', async () => {
    const env = new SocEnv(
      streamConfig(
        {
          soc: 'ds3-16pe',
          jobs: DEFAULT_JOBS,
          meanInterArrival: 25,
          noise: 0.3,
          jobsPerEpisode: 10,
        },
        4,
      ),
    );
    const net = new CandidateScorer(tf, checkpoint.architecture, checkpoint.weights);
    const { maxCandidates: K, candidateFeatures, globalFeatures } = env.spec;
    const F = candidateFeatures.length;
    const G = globalFeatures.length;
    env.reset(9);
    const rng = new Uint32Array(4);
    seedStreams(rng, 10);
    const actions = new Int32Array(4);
    for (let t = 0; t < 60; t++) {
      const greedy = await decide(tf, net, env.obs, 4, null);
      for (let e = 0; e < 4; e++) {
        const cand = env.obs.cand.subarray(e * K * F, (e + 1) * K * F);
        const glob = env.obs.glob.subarray(e * G, (e + 1) * G);
        const mask = env.obs.mask.subarray(e * K, (e + 1) * K);
        expect(mod.dispatch(cand, glob, mask), `step ${t} copy ${e}`).toBe(greedy.actions[e]);
        const n = env.state.numCandidates[e];
        const inputs = Array.from({ length: n }, (_, k) => env.candidateInputs(e, k));
        expect(Object.keys(inputs[0])).toEqual(mod.candidateInputs);
        expect(Object.keys(env.stateInputs(e))).toEqual(mod.stateInputs);
        const raw = mod.featurize(inputs, env.stateInputs(e));
        for (let i = 0; i < n * F; i++) expect(raw.cand[i]).toBeCloseTo(cand[i], 5);
        for (let i = 0; i < G; i++) expect(raw.glob[i]).toBeCloseTo(glob[i], 6);
        expect(mod.dispatchState(inputs, env.stateInputs(e))).toBe(greedy.actions[e]);
      }
      randomLegalActions(env.obs.mask, K, rng, actions);
      env.step(actions);
    }
    net.dispose();
  });
});
