import { afterAll, describe, expect, it } from 'vitest';
import { copyTensorToBuffer, tensorOnBuffer, tfjsOnDevice } from '../../src/gpu/tfjs.js';
import { JobShopEnv, jobShopConfig } from '../../envs/jobshop/env.js';
import { NUM_CANDIDATE_FEATURES } from '../../envs/jobshop/features.js';
import { randomSource } from '../../envs/jobshop/generator.js';
import { JobShopGpuEnv } from '../../envs/jobshop/gpu.js';
import { testGpu } from '../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

/** The host twin of the on-device policy below: the legal candidate with the shortest operation (feature 0), lowest index first. */
function shortestLegal(
  cand: Float32Array,
  mask: Uint8Array,
  numEnvs: number,
  k: number,
): Int32Array {
  const out = new Int32Array(numEnvs);
  for (let e = 0; e < numEnvs; e++) {
    let best = -1;
    for (let j = 0; j < k; j++) {
      const i = e * k + j;
      if (
        mask[i] === 1 &&
        (best < 0 ||
          cand[i * NUM_CANDIDATE_FEATURES] < cand[(e * k + best) * NUM_CANDIDATE_FEATURES])
      )
        best = j;
    }
    out[e] = best;
  }
  return out;
}

describe.skipIf(gpu === undefined)(
  'zero-copy handoff between the kernels and TensorFlow.js',
  () => {
    it('runs steps where tfjs reads the observation buffers in place and the actions return as a GPU buffer', async () => {
      const tf = await tfjsOnDevice(gpu!);
      expect(tf.getBackend()).toBe('webgpu');
      const E = 16;
      const config = jobShopConfig({ numEnvs: E, source: randomSource(8, 6), mode: 'active' });
      const env = await JobShopGpuEnv.create(config, gpu!);
      const cpu = new JobShopEnv(config);
      await env.reset(9);
      cpu.reset(9);
      const K = env.dims.maxJobs;
      const F = NUM_CANDIDATE_FEATURES;
      try {
        for (let t = 0; t < 60; t++) {
          const tensorsBefore = tf.memory().numTensors;
          const actions = tf.tidy(() => {
            // Views of the environment's own buffers: no upload, no readback.
            const cand = tensorOnBuffer(tf, env.buffers.cand, [E, K, F], 'float32');
            const mask = tensorOnBuffer(tf, env.buffers.mask, [E, K], 'int32');
            const duration = tf.squeeze(tf.slice(cand, [0, 0, 0], [E, K, 1]), [2]);
            const scores = tf.where(tf.equal(mask, 1), tf.neg(duration), tf.fill([E, K], -1e9));
            return tf.cast(tf.argMax(scores, 1), 'int32');
          });
          copyTensorToBuffer(gpu!, actions, env.buffers.actions);
          actions.dispose();
          expect(tf.memory().numTensors).toBe(tensorsBefore);
          env.stepOnDevice();

          // The same decision on the CPU reference, from its own observation.
          const expected = shortestLegal(cpu.obs.cand, cpu.obs.mask, E, K);
          expect(Array.from(await env.readActions()), `actions at step ${t}`).toEqual(
            Array.from(expected),
          );
          cpu.step(expected);
        }
        await env.syncState();
        expect(Array.from(env.state.opStart)).toEqual(Array.from(cpu.state.opStart));
        expect(Array.from(env.state.lowerBound)).toEqual(Array.from(cpu.state.lowerBound));
      } finally {
        env.close();
      }
    });
  },
);
