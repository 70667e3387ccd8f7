import { describe, expect, it } from 'vitest';
import { Adam } from '../../src/agents/adam.js';
import { CandidateScorer, initialParameters, type Architecture } from '../../src/agents/network.js';
import { decide } from '../../src/agents/policy.js';
import { update, type UpdateConfig } from '../../src/agents/ppo.js';
import { HostObservations, Rollout } from '../../src/agents/rollout.js';
import { useTfBackend } from '../../src/agents/tfjs.js';
import { Rng } from '../../src/core/rng.js';
import { DEFAULT_CONFIG } from '../../src/train/train.js';
import { JobShopEnv, jobShopConfig } from '../../envs/jobshop/env.js';
import { randomSource } from '../../envs/jobshop/generator.js';

describe('PPO update', () => {
  // wasm is the training default; its OneHot kernel once produced int32 data under a float32 label.
  it.each(['cpu', 'wasm'] as const)(
    'starts from a ratio of exactly 1 on the %s backend: the stored log-probabilities are the network own',
    async (backend) => {
      const tf = await useTfBackend(backend);
      const env = new JobShopEnv(jobShopConfig({ numEnvs: 8, source: randomSource(5, 4) }));
      env.reset(1);
      const s = env.spec;
      const arch: Architecture = {
        type: 'candidate-scorer',
        candidateFeatures: s.candidateFeatures.length,
        globalFeatures: s.globalFeatures.length,
        hidden: 16,
      };
      const params = initialParameters(arch, 2);
      params.set(
        'wo',
        params.get('wo')!.map((w) => w * 100),
      ); // a policy far from uniform
      const net = new CandidateScorer(tf, arch, params);
      const store = new HostObservations(
        6,
        8,
        s.maxCandidates,
        s.candidateFeatures.length,
        s.globalFeatures.length,
      );
      const rollout = new Rollout(6, 8, s, store);
      const rng = new Rng(3);
      for (let t = 0; t < 6; t++) {
        store.store(t, env.obs);
        const d = await decide(tf, net, env.obs, 8, rng);
        for (let e = 0; e < 8; e++) {
          rollout.actions[t * 8 + e] = d.actions[e];
          rollout.logprobs[t * 8 + e] = d.logprobs[e];
          rollout.values[t * 8 + e] = d.values[e];
        }
        env.step(d.actions);
      }
      // One epoch of one minibatch: its metrics are measured before any gradient step.
      const c: UpdateConfig = {
        ...DEFAULT_CONFIG,
        algo: 'ppo',
        updateEpochs: 1,
        numMinibatches: 1,
      };
      const adv = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i));
      const m = await update(
        tf,
        net,
        new Adam(tf, net.params),
        { rollout, advantages: adv, returns: new Float32Array(48), imitation: false },
        c,
        1e-3,
        new Rng(4),
      );
      // One minibatch, measured before its gradient step: ratio 1 everywhere.
      expect(Math.abs(m['losses/old_approx_kl'])).toBeLessThan(1e-5);
      expect(Math.abs(m['losses/approx_kl'])).toBeLessThan(1e-5);
      expect(m['losses/clipfrac']).toBe(0);
      // With ratio 1 the clipped surrogate is -mean(normalized advantage) = 0.
      expect(Math.abs(m['losses/policy_loss'])).toBeLessThan(1e-5);
      net.dispose();
    },
  );
});
