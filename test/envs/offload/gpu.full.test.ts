import { afterAll, describe, it } from 'vitest';
import { BASELINE_DISCIPLINE } from '../../../envs/offload/baselines.js';
import { offload } from '../../../envs/offload/entry.js';
import { OffloadEnv } from '../../../envs/offload/env.js';
import { OffloadGpuEnv } from '../../../envs/offload/gpu.js';
import { DEFAULT_SCENARIO, offloadConfig } from '../../../envs/offload/scenario.js';
import { expectBaselinesAgreeAcrossBackends } from '../../support/conformance.js';
import { expectParity } from '../../support/parity.js';
import { testGpu } from '../../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

describe.skipIf(gpu === undefined)('offload kernel', () => {
  // Every discipline's mechanics (queue orders, migration, holding and stealing, adaptation),
  // with neighbours and a drifting network, step by step against the CPU reference.
  for (const name of ['dems-a', 'fifo', 'sjf'] as const) {
    it(`steps as the CPU reference under ${name}'s discipline`, async () => {
      const config = offloadConfig(
        {
          ...DEFAULT_SCENARIO,
          load: 'heavy',
          segments: 2,
          drones: 6,
          edges: 3,
          completionBonus: 40,
        },
        4,
        BASELINE_DISCIPLINE[name],
      );
      const cpu = new OffloadEnv(config);
      const kernel = await OffloadGpuEnv.create(config, gpu!);
      await expectParity(cpu, kernel, 5, 150);
    });
  }

  it('plays the baselines without holding on the kernel exactly as on the CPU reference', async () => {
    const names = ['dems-direct', 'dems-a-direct'];
    const entry = { ...offload, baselines: { ...offload.baselines, names } };
    await expectBaselinesAgreeAcrossBackends(entry, gpu!, names.length);
  });
});
