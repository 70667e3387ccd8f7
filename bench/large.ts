/**
 * Evaluation time on large job-shop instances: one random Taillard-style instance per size
 * (default 500x50 and 2000x50), played in active mode by every dispatching rule and by a trained
 * policy (default: the shipped checkpoint), as JSON on stdout; on stderr a line per policy and,
 * while one plays, a progress line every 5 s (decisions done of jobs x machines).
 * Usage: npm run bench:large [-- SIZES [CHECKPOINT.json [BACKEND [THREADS]]]], e.g.
 * `-- 500x50 runs/x/best.json`; BACKEND computes the policy: js (the default) or a TensorFlow.js
 * backend (src/agents/tfjs.ts); THREADS score each decision's candidates on the js backend
 * (default: every core; src/agents/scoring-pool.ts). `--checkpoint-only` skips the rules.
 */

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { learnedPolicy } from '../src/agents/learned.js';
import { LEARNER_BACKENDS, type LearnerBackend } from '../src/agents/tfjs.js';
import { describeMachine } from '../src/core/machine.js';
import { parseSize } from '../src/core/options.js';
import { packageRoot } from '../src/core/paths.js';
import { Progress } from '../src/eval/progress.js';
import type { Policy } from '../src/core/vecenv.js';
import { readCheckpoint } from '../src/train/checkpoint.js';
import { randomInstance, randomSource } from '../envs/jobshop/generator.js';
import { playEpisodes } from '../envs/jobshop/play.js';
import { RULE_NAMES, rulePolicy, type RuleName } from '../envs/jobshop/rules.js';
import type { JobShopBatch } from '../envs/jobshop/types.js';

const checkpointOnly = process.argv.includes('--checkpoint-only');
const args = process.argv.slice(2).filter((a) => a !== '--checkpoint-only');
const sizes = (args[0] ?? '500x50,2000x50').split(',');
const file = args[1] ?? join(packageRoot(), 'checkpoints', 'jobshop-ppo.json');
const checkpoint = readCheckpoint(file);
const backend = (args[2] ?? 'js') as LearnerBackend;
if (!LEARNER_BACKENDS.includes(backend))
  throw new Error(`bench:large: backend must be one of ${LEARNER_BACKENDS.join(', ')}`);
const threads = Number(args[3] ?? availableParallelism());
if (!Number.isInteger(threads) || threads < 1)
  throw new Error(`bench:large: THREADS must be a whole number >= 1, got ${args[3]}`);

const rows: {
  size: string;
  policy: string;
  decisions: number;
  makespan: number;
  seconds: number;
}[] = [];
for (const size of sizes) {
  const { jobs, machines } = parseSize(size, 'size');
  const instance = randomInstance(randomSource(jobs, machines), 1);
  const rules = checkpointOnly ? [] : RULE_NAMES.filter((r) => r !== 'random');
  for (const name of [...rules, 'checkpoint']) {
    const t0 = performance.now();
    const learned =
      name === 'checkpoint'
        ? await learnedPolicy(checkpoint, name, { sample: false, seed: 0, backend, threads })
        : undefined;
    const policy: Policy<JobShopBatch> = learned ?? rulePolicy(name as RuleName);
    const progress = new Progress((line) => process.stderr.write(`${line}\n`), 5);
    progress.start(`${size} ${name}`, jobs * machines);
    const [outcome] = await playEpisodes(
      [instance],
      () => policy,
      'active',
      undefined,
      (steps) => progress.step(steps),
    );
    progress.end();
    learned?.dispose();
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      size,
      policy: name,
      decisions: jobs * machines,
      makespan: outcome.makespan,
      seconds,
    });
    process.stderr.write(
      `${size} ${name}: ${seconds.toFixed(1)} s, makespan ${outcome.makespan}\n`,
    );
  }
}
console.log(
  JSON.stringify({ machine: describeMachine(), checkpoint: file, backend, threads, rows }, null, 2),
);
