import { afterAll, describe, expect, it } from 'vitest';
import { JobShopEnv, jobShopConfig } from '../../../envs/jobshop/env.js';
import { randomInstance, randomSource } from '../../../envs/jobshop/generator.js';
import { JobShopGpuEnv } from '../../../envs/jobshop/gpu.js';
import type { JobShopConfig, RewardMode, ScheduleMode } from '../../../envs/jobshop/types.js';
import { validateSchedule } from '../../../envs/jobshop/validate.js';
import {
  expectDeviceRandomActions,
  expectIllegalActionRefused,
  expectParity,
  expectSameState,
} from '../../support/parity.js';
import { testGpu } from '../../support/webgpu.js';
import { RAGGED, REENTRANT, TINY_3X3, ZERO_LENGTH } from './fixtures.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

/** Random legal actions on both backends for `steps` steps, comparing everything. */
async function playBoth(config: JobShopConfig, seed: number, steps: number): Promise<number> {
  return expectParity(
    new JobShopEnv(config),
    await JobShopGpuEnv.create(config, gpu!),
    seed,
    steps,
    97,
  );
}

describe.skipIf(gpu === undefined)('job shop on WebGPU agrees with the CPU reference', () => {
  const sizes: [number, number][] = [
    [6, 6],
    [15, 15],
    [10, 4],
    [4, 9],
  ];
  const modes: ScheduleMode[] = ['active', 'conflict', 'nondelay'];
  for (const [n, m] of sizes) {
    for (const mode of modes) {
      const reward: RewardMode = n === 4 ? 'sparse' : 'dense';
      it(`random ${n}x${m} instances, ${mode} mode, ${reward} rewards, over several episodes`, async () => {
        const config = jobShopConfig({ numEnvs: 24, source: randomSource(n, m), mode, reward });
        // Enough steps for every copy to finish at least two episodes (auto-reset included).
        const episodes = await playBoth(config, 11 * n + m, 2 * n * m + 5);
        expect(episodes).toBeGreaterThanOrEqual(2 * 24);
      });
    }
  }

  for (const mode of modes) {
    it(`ragged, re-entrant and zero-length fixed instances of mixed sizes cycling through copies (${mode})`, async () => {
      const instances = [
        TINY_3X3,
        RAGGED,
        REENTRANT,
        ZERO_LENGTH,
        randomInstance(randomSource(8, 4, 0, 20), 5, 0, 'r8x4'),
      ];
      const config = jobShopConfig({ numEnvs: 7, source: { kind: 'fixed', instances }, mode });
      expect(await playBoth(config, 3, 120)).toBeGreaterThan(7);
    });
  }

  it('draws the same random instances for many seeds', async () => {
    for (const seed of [0, 1, 2, 0x7fffffff, 0xffffffff]) {
      const config = jobShopConfig({ numEnvs: 64, source: randomSource(20, 15) });
      const cpu = new JobShopEnv(config);
      const g = await JobShopGpuEnv.create(config, gpu!);
      cpu.reset(seed);
      await g.reset(seed);
      await g.syncState();
      expectSameState(cpu.state, g.state, `reset(${seed})`);
      g.close();
    }
  });

  it('keeps the final schedules valid, read back from the device', async () => {
    const instances = [TINY_3X3, RAGGED, REENTRANT];
    const g = await JobShopGpuEnv.create(
      jobShopConfig({ numEnvs: 3, source: { kind: 'fixed', instances } }),
      gpu!,
    );
    await g.reset(0);
    const actions = new Int32Array(3);
    const done = new Set<number>();
    while (done.size < 3) {
      for (let e = 0; e < 3; e++) actions[e] = g.obs.mask.subarray(e * 3, e * 3 + 3).indexOf(1);
      const r = await g.step(actions);
      await g.syncState();
      for (let e = 0; e < 3; e++) {
        if (r.terminated[e] === 0 || done.has(e)) continue;
        done.add(e);
        const { instanceIndex, schedule } = g.finalSchedule(e);
        expect(validateSchedule(instances[instanceIndex], schedule, r.episodes.metric[e])).toEqual(
          [],
        );
      }
    }
    g.close();
  });

  it('refuses an illegal action and leaves every copy untouched', async () => {
    const config = jobShopConfig({ numEnvs: 4, source: randomSource(5, 5), mode: 'conflict' });
    const g = await JobShopGpuEnv.create(config, gpu!);
    await g.reset(1);
    const actions = new Int32Array(4);
    for (let e = 0; e < 4; e++) actions[e] = g.obs.mask.subarray(e * 5, e * 5 + 5).indexOf(1);
    actions[2] = g.obs.mask.subarray(10, 15).indexOf(0);
    expect(actions[2]).toBeGreaterThanOrEqual(0);
    await expectIllegalActionRefused(g, actions, 2, (s) => s.opStart);
    g.close();
  });
});

describe.skipIf(gpu === undefined)('on-device random actions', () => {
  it('draw the same legal actions as randomLegalActions with the same streams, step after step', async () => {
    const config = jobShopConfig({ numEnvs: 33, source: randomSource(7, 5), mode: 'conflict' });
    const cpu = new JobShopEnv(config);
    const g = await JobShopGpuEnv.create(config, gpu!);
    cpu.reset(5);
    await g.reset(5);
    await expectDeviceRandomActions(cpu, g, 80);
    g.close();
  });
});
