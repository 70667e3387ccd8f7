/**
 * The conformance suite: every registered environment plays by the contract of src/core. A new
 * environment gets all of these checks by being listed in src/core/registry.ts; the last block
 * shows that they catch a broken environment.
 */

import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type AnyEnvEntry } from '../src/core/registry.js';
import type { StepResult, VecEnv } from '../src/core/vecenv.js';
import { jobshop } from '../envs/jobshop/entry.js';
import {
  expectAutoResetEqualsReset,
  expectBaselinesAgreeAcrossBackends,
  expectBenchJson,
  expectDeterministic,
  expectGroupsPlayAlike,
  expectExportMatchesTfjs,
  expectIllegalActionRefusedOnCpu,
  expectKernelParity,
  expectOwnFlags,
  expectRandomEpisodes,
  expectSuitePlays,
  hashInverseHolds,
} from './support/conformance.js';
import { testGpu } from './support/webgpu.js';

const gpu = await testGpu();

for (const entry of ENVIRONMENTS) {
  describe(`conformance: ${entry.name}`, () => {
    it('plays random legal episodes with well-formed observations and consistent episode statistics', () => {
      expectRandomEpisodes(entry);
    });
    it('is deterministic in its seed', () => {
      expectDeterministic(entry);
    });
    it('auto-resets a finished copy exactly as a fresh reset of its stream would', () => {
      expectAutoResetEqualsReset(entry);
    });
    it('restarts copies in groups of clones that play alike (self-labeling)', () => {
      expectGroupsPlayAlike(entry);
    });
    it('refuses an illegal action without stepping any copy', () => {
      expectIllegalActionRefusedOnCpu(entry);
    });
    it.skipIf(gpu === undefined)(
      'steps its WGSL kernel as its CPU reference, and the kernel refuses illegal actions',
      async () => {
        await expectKernelParity(entry, gpu!);
      },
    );
    it.skipIf(gpu === undefined)(
      'plays its baselines on the kernel exactly as on the CPU reference',
      async () => {
        await expectBaselinesAgreeAcrossBackends(entry, gpu!);
      },
    );
    it('exports a dispatch module that decides as the tfjs policy does', async () => {
      await expectExportMatchesTfjs(entry);
    });
    it('plays its default suite: validated episodes, a picture, replayable copies', async () => {
      await expectSuitePlays(entry);
    });
    it("names its teachers and training's reference baselines among its baselines", () => {
      const names = entry.baselines.names;
      expect(entry.baselines.teachers.filter((n) => !names.includes(n))).toEqual([]);
      const references = entry.training.references ?? names;
      expect(references.length).toBeGreaterThan(0);
      expect(references.filter((n) => !names.includes(n))).toEqual([]);
    });
    it('keeps its own flags apart from the shared ones', () => {
      expectOwnFlags(entry);
    });
    it('benchmarks as JSON of the documented shape', async () => {
      await expectBenchJson(entry, gpu !== undefined);
    });
  });
}

/** The entry with its CPU reference's `step` replaced by `step(env, actions)`. */
function withStep(
  entry: AnyEnvEntry,
  step: (env: VecEnv, actions: Int32Array) => StepResult,
): AnyEnvEntry {
  return {
    ...entry,
    create: {
      ...entry.create,
      cpu(config) {
        const env = entry.create.cpu(config);
        const wrapped = Object.create(env) as VecEnv;
        Object.defineProperty(wrapped, 'reset', { value: (seed: number) => env.reset(seed) });
        Object.defineProperty(wrapped, 'step', { value: (a: Int32Array) => step(env, a) });
        return wrapped;
      },
    },
  };
}

describe('the conformance suite catches a broken environment', () => {
  it('inverts the stream seeding it relies on', () => {
    expect(hashInverseHolds()).toBe(true);
  });

  it('fails an auto-reset that keeps the finished episode in the observation', () => {
    const broken = withStep(jobshop, (env, actions) => {
      const stale = Float32Array.from(env.obs.cand);
      const r = env.step(actions);
      const row = env.obs.cand.length / env.numEnvs;
      r.terminated.forEach((done, e) => {
        if (done === 1) env.obs.cand.set(stale.subarray(e * row, (e + 1) * row), e * row);
      });
      return r;
    });
    expect(() => expectAutoResetEqualsReset(broken)).toThrow(
      /cand at the auto-reset after episode/,
    );
  });

  it('fails an auto-reset that leaves hidden state behind, which its first observation does not show', () => {
    const broken = withStep(jobshop, (env, actions) => {
      const r = env.step(actions);
      // As if resetCopy forgot to clear one machine's busy time: no feature shows it yet.
      const state = (env as unknown as { state: { machBusy: Int32Array } }).state;
      r.terminated.forEach((done, e) => {
        if (done === 1) state.machBusy[e * (state.machBusy.length / env.numEnvs)] += 7;
      });
      return r;
    });
    expect(() => expectAutoResetEqualsReset(broken)).toThrow(/(cand|glob|reward) at step \d+/);
  });

  it.skipIf(gpu === undefined)(
    'fails a kernel whose features differ from the CPU reference',
    async () => {
      const broken = withStep(jobshop, (env, actions) => {
        const r = env.step(actions);
        env.obs.cand[1] += 0.25;
        return r;
      });
      await expect(expectKernelParity(broken, gpu!, 2, 5)).rejects.toThrow(/cand/);
    },
  );
});
