/**
 * Decision latency of an exported dispatch module: the median time of one `dispatch()` call for
 * 15, 50 and 100 candidates, as JSON. Usage: npm run bench:dispatch [-- CHECKPOINT.json]
 * (default: the shipped job-shop checkpoint).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeMachine } from '../src/core/machine.js';
import { packageRoot } from '../src/core/paths.js';
import { findEnv } from '../src/core/registry.js';
import { Rng } from '../src/core/rng.js';
import { median } from '../src/core/table.js';
import { exportModule } from '../src/export/export.js';
import { readCheckpoint } from '../src/train/checkpoint.js';

interface DispatchModule {
  dispatch(cand: Float32Array, glob: Float32Array, mask: Uint8Array): number;
  candidateFeatureNames: readonly string[];
  globalFeatureNames: readonly string[];
}

const file = process.argv[2] ?? join(packageRoot(), 'checkpoints', 'jobshop-ppo.json');
const checkpoint = readCheckpoint(file);
const { js } = exportModule(checkpoint, findEnv(checkpoint.env.name)!.features, file);
const dir = mkdtempSync(join(tmpdir(), 'schedrl-dispatch-'));
writeFileSync(join(dir, 'dispatch.mjs'), js);
const mod = (await import(pathToFileURL(join(dir, 'dispatch.mjs')).href)) as DispatchModule;

const F = mod.candidateFeatureNames.length;
const G = mod.globalFeatureNames.length;
const rng = new Rng(1);
const results = [15, 50, 100].map((K) => {
  // 64 random states, all candidates legal; each timed over a batch of calls.
  const states = Array.from({ length: 64 }, () => ({
    cand: Float32Array.from({ length: K * F }, () => rng.unit()),
    glob: Float32Array.from({ length: G }, () => rng.unit()),
    mask: new Uint8Array(K).fill(1),
  }));
  const calls = 200;
  const samples: number[] = [];
  let sink = 0;
  for (let round = 0; round < 30; round++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) {
      const s = states[i % states.length];
      sink += mod.dispatch(s.cand, s.glob, s.mask);
    }
    if (round >= 5) samples.push(((performance.now() - t0) * 1000) / calls); // first rounds warm the JIT
  }
  return {
    candidates: K,
    medianMicroseconds: Math.round(median(samples) * 100) / 100,
    samples: samples.length,
    checksum: sink,
  };
});
console.log(
  JSON.stringify(
    {
      benchmark: 'dispatch decision latency',
      checkpoint: file,
      architecture: checkpoint.architecture,
      unit: 'microseconds per dispatch() call, median of 25 rounds of 200 calls',
      machine: describeMachine(),
      results,
    },
    null,
    2,
  ),
);
