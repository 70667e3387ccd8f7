import { describe, expect, it } from 'vitest';
import { checkCompatible, learnedPolicy } from '../../../src/agents/learned.js';
import type { Policy } from '../../../src/core/vecenv.js';
import { playBatch } from '../../../src/eval/play.js';
import { readCheckpoint } from '../../../src/train/checkpoint.js';
import { memmap } from '../../../envs/memmap/entry.js';
import { memmapConfig, type MemmapEnv } from '../../../envs/memmap/env.js';
import { bundledTraces } from '../../../envs/memmap/traces.js';

describe('the shipped memory-mapping policy', () => {
  it('loads against the environment and places challenging trace A at 1.290x its capacity, greedily', async () => {
    const checkpoint = readCheckpoint('checkpoints/memmap-ppo.json');
    checkCompatible(checkpoint, 'memmap-ppo.json', 'memmap', {
      maxCandidates: 1,
      candidateFeatures: memmap.features.candidate,
      globalFeatures: memmap.features.global,
    });
    const [A] = bundledTraces('challenging');
    const config = memmapConfig({ numEnvs: 1, traces: [A], order: 'size' });
    const policy = await learnedPolicy(checkpoint, 'ppo', {
      sample: false,
      seed: 0,
      backend: 'wasm',
    });
    try {
      const played = await playBatch(
        memmap,
        config,
        policy as Policy<MemmapEnv>,
        { backend: 'cpu', gpu: undefined },
        { seed: 0 },
      );
      expect(played.validated).toBe(true);
      // XLA's spatial best fit, which it imitated first, needs 1374208 (1.311x).
      expect(played.episodes[0].metric).toBe(1352704);
    } finally {
      policy.dispose();
    }
  });
});
