import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/main.js';
import { seedStreams } from '../../../src/core/rng.js';
import { randomLegalActions } from '../../../src/core/vecenv.js';
import { ds3Job, ds3Soc } from '../../../envs/soc/ds3.js';
import { DEFAULT_JOBS } from '../../../envs/soc/streams.js';
import { SocEnv, type SocConfig } from '../../../envs/soc/env.js';
import { randomDag } from '../../../envs/soc/generator.js';
import { SocGpuEnv } from '../../../envs/soc/gpu.js';
import {
  expectDeviceRandomActions,
  expectIllegalActionRefused,
  expectParity,
} from '../../support/parity.js';
import { testGpu } from '../../support/webgpu.js';

const gpu = await testGpu();
afterAll(() => gpu?.release());

const soc = ds3Soc('ds3-16pe');

function ds3Config(patch: Partial<SocConfig>): SocConfig {
  return {
    numEnvs: 8,
    platform: soc.platform,
    jobs: DEFAULT_JOBS.map((j) => ds3Job(j, soc)),
    mix: DEFAULT_JOBS.map((_, i) => i + 1),
    meanInterArrival: 25,
    jobsPerEpisode: 6,
    noise: 0.3,
    maxCandidates: 32,
    ...patch,
  };
}

/** Random layered DAGs with real-valued transfer times, on their own 3-processor platform. */
function randomDagConfig(patch: Partial<SocConfig>, meanCost = 20): SocConfig {
  const params = {
    tasks: 12,
    processors: 3,
    shape: 1,
    outDegree: 3,
    ccr: 2,
    heterogeneity: 1,
    meanCost,
  };
  const dags = [1, 2, 3].map((seed) => randomDag(params, seed));
  return {
    numEnvs: 5,
    platform: dags[0].platform,
    jobs: dags.map((d, i) => ({ ...d.graph, name: `dag${i}` })),
    mix: [1, 1, 1],
    meanInterArrival: 30,
    jobsPerEpisode: 5,
    noise: 0.1,
    maxCandidates: 6,
    ...patch,
  };
}

/** Random legal actions on both backends for `steps` steps, comparing everything. */
async function playBoth(config: SocConfig, seed: number, steps: number): Promise<number> {
  return expectParity(new SocEnv(config), await SocGpuEnv.create(config, gpu!), seed, steps, 53);
}

describe.skipIf(gpu === undefined)('SoC job streams on WebGPU agree with the CPU reference', () => {
  it('DS3 jobs under heavy load with 30% noise, over several episodes', async () => {
    expect(await playBoth(ds3Config({}), 3, 300)).toBeGreaterThan(8);
  });

  it('mixes of loads and noise levels: each episode draws both the same way on both backends', async () => {
    const mixed = ds3Config({ meanInterArrival: [400, 100, 25], noise: [0, 0.1, 0.3] });
    expect(await playBoth({ ...mixed, jobsPerEpisode: 4 }, 5, 300)).toBeGreaterThan(8);
  });

  it('without noise, light load, a skewed mix', async () => {
    expect(
      await playBoth(
        ds3Config({ noise: 0, meanInterArrival: 400, mix: [5, 0, 1, 0, 0, 1] }),
        4,
        200,
      ),
    ).toBeGreaterThan(4);
  });

  it('with fewer job slots than jobs in flight and fewer candidates than offered pairs', async () => {
    expect(
      await playBoth(
        ds3Config({ maxJobsInFlight: 2, maxCandidates: 5, meanInterArrival: 10 }),
        5,
        250,
      ),
    ).toBeGreaterThan(4);
  });

  it('random layered DAGs with real-valued transfers', async () => {
    expect(await playBoth(randomDagConfig({}), 6, 250)).toBeGreaterThan(4);
  });

  it('long tasks, whose latency integrals pass the integers f32 holds exactly', async () => {
    const config = randomDagConfig({ meanInterArrival: 2000, jobsPerEpisode: 8 }, 3000);
    const cpu = new SocEnv(config);
    cpu.reset(7);
    const rng = new Uint32Array(config.numEnvs);
    seedStreams(rng, 8);
    const actions = new Int32Array(config.numEnvs);
    let largest = 0;
    for (let t = 0; t < 100; t++) {
      randomLegalActions(cpu.obs.mask, config.maxCandidates, rng, actions);
      for (const r of cpu.step(actions).reward) largest = Math.max(largest, -r);
    }
    // Rewards are ticks x jobs / 1e5: beyond 2^24 ticks x jobs the f32 conversion rounds.
    expect(largest * 1e5).toBeGreaterThan(2 ** 24);
    expect(await playBoth(config, 7, 100)).toBeGreaterThan(0);
  });

  it('refuses an illegal action and leaves every copy untouched', async () => {
    const g = await SocGpuEnv.create(ds3Config({ numEnvs: 4 }), gpu!);
    await g.reset(1);
    const actions = new Int32Array(4);
    actions[2] = g.obs.mask.subarray(64, 96).indexOf(0);
    expect(actions[2]).toBeGreaterThan(0);
    await expectIllegalActionRefused(g, actions, 2, (s) => s.taskStatus);
    g.close();
  });

  it('draws on-device random actions as randomLegalActions does', async () => {
    const config = ds3Config({ numEnvs: 33 });
    const cpu = new SocEnv(config);
    const g = await SocGpuEnv.create(config, gpu!);
    cpu.reset(5);
    await g.reset(5);
    await expectDeviceRandomActions(cpu, g, 60);
    g.close();
  });

  it('are benchmarked on both backends in one JSON by schedrl bench --backend webgpu', async () => {
    let out = '';
    const argv = ['bench', '--env', 'soc', '--backend', 'webgpu', '--batches', '8'];
    const io = { stdout: (t: string) => (out += t), stderr: () => undefined };
    expect(await runCli([...argv, '--seconds', '0.05', '--windows', '1'], io)).toBe(0);
    const json = JSON.parse(out) as {
      results: { variant: string; decisionsPerSecond: number }[];
      ratios: { variant: string; overCpu: number }[];
    };
    expect(json.results.map((r) => r.variant)).toEqual(['cpu', 'webgpu', 'webgpu+readback']);
    for (const r of json.results) expect(r.decisionsPerSecond).toBeGreaterThan(0);
    expect(json.ratios.map((r) => r.variant)).toEqual(['webgpu', 'webgpu+readback']);
  });
});
