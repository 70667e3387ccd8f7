import { afterAll, describe, expect, it } from 'vitest';
import { MemmapEnv, memmapConfig } from '../../../envs/memmap/env.js';
import { generateTraces } from '../../../envs/memmap/generator.js';
import { MemmapGpuEnv } from '../../../envs/memmap/gpu.js';
import type { MemmapConfig, Trace } from '../../../envs/memmap/types.js';
import { expectParity } from '../../support/parity.js';
import { testGpu } from '../../support/webgpu.js';
import { ALIGNED, HOLES, STACK, buf } from './fixtures.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

async function playBoth(config: MemmapConfig, seed: number, steps: number): Promise<number> {
  return expectParity(
    new MemmapEnv(config),
    await MemmapGpuEnv.create(config, gpu!),
    seed,
    steps,
    29,
  );
}

/** Generated traces squeezed below their bound (so capacity mode must spill), with benefits past 2^32. */
function squeezed(): Trace[] {
  return generateTraces(9, 3, { buffers: 40 }).map((t, i) => ({
    ...t,
    capacity: Math.floor(t.capacity * (0.5 + 0.2 * i)),
    buffers: t.buffers.map((b, j) =>
      j % 5 === 0 ? { ...b, alignment: 64, benefit: 2 ** 33 + j } : b,
    ),
  }));
}

describe.skipIf(gpu === undefined)('memmap on WebGPU agrees with the CPU reference', () => {
  const small: Trace[] = [STACK, HOLES, ALIGNED, { ...HOLES, name: 'tight', capacity: 8 }];
  for (const objective of ['fit', 'capacity'] as const) {
    it(`hand-made, aligned and squeezed traces cycling through copies, ${objective} mode, K = 3`, async () => {
      const traces = [
        ...small,
        ...squeezed(),
        { name: 'one', capacity: 4, buffers: [buf('z', 0, 1, 9)] },
      ];
      const config = memmapConfig({ numEnvs: 5, traces, objective, candidates: 3 });
      expect(await playBoth(config, 7, 150)).toBeGreaterThan(5);
    });
  }
  it('traces drawn from each copy stream, every offset a candidate, size order', async () => {
    const config = memmapConfig({
      numEnvs: 6,
      traces: squeezed(),
      pick: 'stream',
      objective: 'capacity',
      order: 'size',
      candidates: 48,
    });
    expect(await playBoth(config, 5, 100)).toBeGreaterThan(6);
  });
});
