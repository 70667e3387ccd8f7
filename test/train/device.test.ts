import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, train } from '../../src/train/train.js';
import type { MetricsRow } from '../../src/train/log.js';
import { testGpu } from '../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

describe.skipIf(gpu === undefined)('training with the environment on the WebGPU device', () => {
  it.each([
    ['jobshop', { size: '5x4', mode: 'active' }],
    ['soc', { gap: 50, noise: 0.3, 'jobs-per-episode': 4 }],
  ] as const)(
    'runs PPO on %s observations that never leave the device, with no WebGPU errors and no tensor leak',
    async (env, envOptions) => {
      const out = mkdtempSync(join(tmpdir(), 'schedrl-device-'));
      gpu!.device.pushErrorScope('validation');
      const result = await train(
        {
          ...DEFAULT_CONFIG,
          env,
          envOptions,
          numEnvs: 16,
          numSteps: 20,
          numMinibatches: 2,
          updateEpochs: 2,
          hidden: 16,
          totalSteps: 16 * 20 * 4,
          evalEvery: 2,
          evalInstances: 8,
          tfBackend: 'webgpu',
          envBackend: 'webgpu',
          out,
        },
        { update: () => undefined, log: () => undefined },
        undefined,
        gpu,
      );
      const error = await gpu!.device.popErrorScope();
      expect(error?.message ?? null).toBeNull();
      expect(result.stopped).toBeNull();
      const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as MetricsRow);
      expect(rows).toHaveLength(4);
      for (const r of rows) {
        for (const key of ['losses/policy_loss', 'losses/value_loss', 'losses/approx_kl'])
          expect(Number.isFinite(r[key]), key).toBe(true);
      }
      expect(new Set(rows.map((r) => r['debug/live_tensors'])).size).toBe(1);
      expect(Number.isFinite(result.evaluation?.metric)).toBe(true);
    },
  );
});
