/**
 * Training throughput per environment size and learner backend, beside the environment's own
 * speed at the same size and batch: `charts/SPS` of short PPO runs (median over the updates after
 * the first, which warms the JIT up), with the seconds of the rollout and of the gradient steps,
 * and the decisions per second of the CPU environment alone under random legal actions. JSON on
 * stdout, a table on stderr.
 *
 * `charts/SPS` is wall time, which other processes on a shared machine slow down; beside it,
 * `cpuSps` divides the steps by the process's CPU time (user + system) between the progress
 * callbacks of updates 1..n-1 (update n also validates), a figure that load changes less. A
 * WebGPU backend on llvmpipe runs threads of its own, so its CPU time can exceed its wall time;
 * they stay once the device is acquired, and load every later case of the run (for clean CPU
 * figures, run the WebGPU backends on their own).
 *
 * Usage: npm run bench:train [-- --env jobshop --cases size=6x6,size=15x15
 *        --backends js,wasm,cpu,webgpu,webgpu+env --updates 5 --num-envs 32 --num-steps 64 --hidden 64]
 * Without --env, every registered environment. A case is the environment's options as flags
 * without dashes (`size=15x15;mode=conflict`, `gap=25`), for one --env only; the default is the
 * job shop's two sizes, or another environment's default options.
 * A backend is a learner backend (src/train/learner.ts: js or a tfjs backend); `webgpu+env` is the
 * webgpu learner with the environment on the same WebGPU device (train --backend webgpu).
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { describeMachine } from '../src/core/machine.js';
import { ENVIRONMENTS, findEnv, type AnyEnvEntry } from '../src/core/registry.js';
import type { Observation } from '../src/core/vecenv.js';
import { acquireGpu, type GpuContext } from '../src/gpu/device.js';
import { DEFAULT_CONFIG, train, type TrainConfig } from '../src/train/train.js';

const { values } = parseArgs({
  options: {
    env: { type: 'string', default: 'all' },
    cases: { type: 'string' },
    backends: { type: 'string', default: 'js,wasm,cpu,webgpu,webgpu+env' },
    updates: { type: 'string', default: '5' },
    'num-envs': { type: 'string', default: String(DEFAULT_CONFIG.numEnvs) },
    'num-steps': { type: 'string', default: String(DEFAULT_CONFIG.numSteps) },
    hidden: { type: 'string', default: String(DEFAULT_CONFIG.hidden) },
  },
});
const entries: AnyEnvEntry[] =
  values.env === 'all'
    ? [...ENVIRONMENTS]
    : [findEnv(values.env) ?? fail(`unknown environment '${values.env}'`)];
if (values.cases !== undefined && entries.length > 1) fail('--cases needs one --env');
const casesOf = (name: string): string[] =>
  (values.cases ?? (name === 'jobshop' ? 'size=6x6,size=15x15' : '')).split(',');
const backends = values.backends.split(',');
const updates = Number(values.updates);
const numEnvs = Number(values['num-envs']);
const numSteps = Number(values['num-steps']);
const hidden = Number(values.hidden);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function fail(message: string): never {
  throw new Error(`bench:train: ${message}`);
}

/** Decisions per second of the CPU environment alone, random legal actions, for about `seconds`. */
function environmentRate(
  entry: AnyEnvEntry,
  options: Readonly<Record<string, string | number>>,
  seconds = 1.5,
): number {
  const env = entry.create.cpu(entry.config(options, numEnvs));
  env.reset(1);
  const rng = new Rng(2);
  const K = env.spec.maxCandidates;
  const actions = new Int32Array(numEnvs);
  const pick = (obs: Observation): void => {
    for (let e = 0; e < numEnvs; e++) {
      let chosen = -1;
      let seen = 0;
      for (let k = 0; k < K; k++)
        if (obs.mask[e * K + k] === 1 && rng.unit() * ++seen < 1) chosen = k;
      actions[e] = chosen;
    }
  };
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let i = 0; i < 64; i++) {
      pick(env.obs);
      env.step(actions);
    }
    steps += 64 * numEnvs;
  }
  return steps / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Row {
  env: string;
  /** The case: the environment options given. */
  size: string;
  backend: string;
  numEnvs: number;
  numSteps: number;
  sps: number | null;
  /** Steps per second of process CPU time. */
  cpuSps: number | null;
  rolloutSeconds: number | null;
  updateSeconds: number | null;
  envStepsPerSecond: number;
  learnerOverEnv: number | null;
  error?: string;
}

const rows: Row[] = [];
let gpu: GpuContext | undefined;
try {
  for (const entry of entries) {
    const envName = entry.name;
    for (const size of casesOf(envName)) {
      const flags = Object.fromEntries(
        size
          .split(';')
          .filter((kv) => kv !== '')
          .map((kv) => kv.split('=') as [string, string]),
      );
      const options = entry.parseOptions(flags);
      const label = size === '' ? 'default options' : size;
      const envRate = environmentRate(entry, options);
      log(`${envName} ${label}: environment alone ${Math.round(envRate)} steps/s`);
      for (const backend of backends) {
        const onDevice = backend === 'webgpu+env';
        const learner = onDevice ? 'webgpu' : backend;
        if (learner === 'webgpu' && gpu === undefined) gpu = await acquireGpu();
        const out = mkdtempSync(join(tmpdir(), 'schedrl-bench-train-'));
        const config = {
          ...DEFAULT_CONFIG,
          env: envName,
          envOptions: options,
          out,
          numEnvs,
          numSteps,
          hidden,
          totalSteps: updates * numEnvs * numSteps,
          evalEvery: 1_000_000, // one validation, after the last update's SPS is taken
          evalInstances: 1,
          tfBackend: learner,
          envBackend: onDevice ? 'webgpu' : 'cpu',
        } as TrainConfig;
        let row: Row;
        try {
          const cpuMarks: number[] = [];
          const cpuSeconds = (): number => {
            const u = process.cpuUsage();
            return (u.user + u.system) / 1e6;
          };
          await train(
            config,
            { update: () => void cpuMarks.push(cpuSeconds()), log: () => {} },
            undefined,
            gpu,
          );
          // Updates 2 .. n-1: the first warms up, the last validates before its callback.
          const perUpdate = cpuMarks.slice(1, -1).map((t, i) => t - cpuMarks[i]);
          const cpuPerUpdate = median(perUpdate);
          const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, number | undefined>)
            .slice(1);
          const pick = (name: string): number | null =>
            median(metrics.map((m) => m[name]).filter((v): v is number => typeof v === 'number'));
          const sps = pick('charts/SPS');
          row = {
            env: envName,
            size: label,
            backend,
            numEnvs,
            numSteps,
            sps,
            cpuSps: cpuPerUpdate === null ? null : Math.round((numEnvs * numSteps) / cpuPerUpdate),
            rolloutSeconds: pick('perf/rollout_seconds'),
            updateSeconds: pick('perf/update_seconds'),
            envStepsPerSecond: Math.round(envRate),
            learnerOverEnv: sps === null ? null : sps / envRate,
          };
        } catch (err) {
          row = {
            env: envName,
            size: label,
            backend,
            numEnvs,
            numSteps,
            sps: null,
            cpuSps: null,
            rolloutSeconds: null,
            updateSeconds: null,
            envStepsPerSecond: Math.round(envRate),
            learnerOverEnv: null,
            error: (err as Error).message,
          };
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
        rows.push(row);
        log(
          `${envName} ${label} ${backend}: ${row.sps ?? 'failed'} SPS, ${row.cpuSps ?? '-'} per CPU second` +
            (row.rolloutSeconds === null
              ? ''
              : ` (rollout ${row.rolloutSeconds.toFixed(3)} s, update ${row.updateSeconds!.toFixed(3)} s)`) +
            (row.error === undefined ? '' : `: ${row.error}`),
        );
      }
    }
  }
} finally {
  gpu?.release();
}

const cell = (v: number | null, digits = 0): string => (v === null ? '-' : v.toFixed(digits));
log('');
log(
  '| env | case | backend | SPS | steps per CPU s | rollout s | update s | env alone steps/s | SPS / env |',
);
log('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows)
  log(
    `| ${r.env} | ${r.size} | ${r.backend} | ${cell(r.sps)} | ${cell(r.cpuSps)} | ${cell(r.rolloutSeconds, 3)} | ${cell(r.updateSeconds, 3)} | ${r.envStepsPerSecond} | ${cell(r.learnerOverEnv, 4)} |`,
  );
console.log(
  JSON.stringify(
    {
      command: 'bench:train',
      env: values.env,
      unit: 'charts/SPS: environment steps trained per second of rollout + update (median of updates 2..)',
      updates,
      hidden,
      adapter: gpu?.info ?? null,
      machine: describeMachine(),
      rows,
    },
    null,
    2,
  ),
);
