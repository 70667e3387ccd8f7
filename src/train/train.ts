/**
 * The training loop, readable top to bottom as CleanRL's ppo.py: config, environment, network,
 * rollout, GAE, update, logging. PPO and A2C share everything but the loss (src/agents/ppo.ts).
 *
 * Every derived size comes from `derived(config)`. Metrics are logged by CleanRL's names against
 * the global step. A checkpoint is written atomically at every evaluation; a non-finite loss
 * stops the run and leaves the last good checkpoint as it was.
 */

import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computeGae, explainedVariance } from '../agents/gae.js';
import { initialParameters, type Architecture } from '../agents/network.js';
import { choose } from '../agents/policy.js';
import type { UpdateConfig, UpdateMetrics } from '../agents/ppo.js';
import { BatchEnv, type BatchState } from '../core/batch-env.js';
import { selfLabels } from './self-label.js';
import { Rollout } from '../agents/rollout.js';
import { LEARNER_BACKENDS, type LearnerBackend } from '../agents/tfjs.js';
import { createLearner } from './learner.js';
import { writeFileAtomic } from '../core/files.js';
import type { GpuContext } from '../gpu/device.js';
import type { BackendName, Policy, VecEnv } from '../core/vecenv.js';
import { describeMachine } from '../core/machine.js';
import { version } from '../core/paths.js';
import { findEnv, type AnyEnvEntry } from '../core/registry.js';
import { validationSet } from './validation.js';
import { Rng, hashString } from '../core/rng.js';
import type { Checkpoint } from './checkpoint.js';
import { readCheckpoint, weightsOnly, writeCheckpoint } from './checkpoint.js';
import { learningCurveSvg } from './curve.js';
import { MetricsLog, metricNames } from './log.js';
import { acquireRunFolder } from './run-folder.js';
import { checkCompatible } from '../agents/learned.js';
import { InputError } from '../core/errors.js';

/** Everything a run needs; the update's own settings (algo, epochs, clipping...) are UpdateConfig's. */
export interface TrainConfig extends UpdateConfig {
  /** Registered environment name. */
  readonly env: string;
  /** The environment's own training options (e.g. size, mode), saved in checkpoints. */
  readonly envOptions: Readonly<Record<string, string | number>>;
  /** Environment steps (decisions) to train for, counted over all copies. */
  readonly totalSteps: number;
  /** Environment copies stepped together. */
  readonly numEnvs: number;
  /** Steps per copy in one rollout. */
  readonly numSteps: number;
  /** Adam's learning rate at the start. */
  readonly learningRate: number;
  /** Anneal the learning rate linearly to 0 over the run. */
  readonly annealLr: boolean;
  /** Discount factor. */
  readonly gamma: number;
  /** GAE lambda. */
  readonly gaeLambda: number;
  /** Hidden width of the network. */
  readonly hidden: number;
  /** Seeds the network, the environment streams and the sampling. */
  readonly seed: number;
  /** What computes the network: 'js' (no TensorFlow.js) or a TensorFlow.js backend (src/train/learner.ts). */
  readonly tfBackend: LearnerBackend;
  /** Where the environment steps: the CPU reference, or WGSL kernels on the network's WebGPU device (needs tfBackend webgpu). */
  readonly envBackend: BackendName;
  /** Evaluate greedily on the validation set every this many updates (and at the end). */
  readonly evalEvery: number;
  /** Instances in the validation set. */
  readonly evalInstances: number;
  /** Run folder: logs, checkpoint, learning curve. */
  readonly out: string;
  /**
   * A heuristic of the environment to imitate first ('none': start from scratch): the first
   * `imitationUpdates` updates act with the teacher and fit its choices and returns
   * (behaviour cloning), then PPO (or A2C) improves on it.
   */
  readonly imitationTeacher: string;
  readonly imitationUpdates: number;
  /**
   * A checkpoint of the same environment and network whose weights the run starts from instead
   * of fresh ones ('none': fresh): fine-tuning, or the next stage of a curriculum. Adam starts
   * afresh and the run keeps its own settings; a resumed run uses its own weights instead.
   */
  readonly initFrom: string;
  /**
   * Self-labeling (`algo: 'self-label'`): solutions sampled of each instance per update, the best
   * of which is imitated (src/train/self-label.ts). numEnvs is a whole number of such groups.
   */
  readonly samplesPerInstance: number;
}

export const DEFAULT_CONFIG: Omit<TrainConfig, 'env' | 'envOptions' | 'out'> = {
  algo: 'ppo',
  totalSteps: 200_000,
  numEnvs: 32,
  numSteps: 64,
  learningRate: 2e-3,
  annealLr: true,
  gamma: 1,
  gaeLambda: 0.95,
  numMinibatches: 4,
  updateEpochs: 4,
  normAdv: true,
  clipCoef: 0.2,
  clipVloss: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  targetKl: null,
  hidden: 64,
  seed: 1,
  tfBackend: 'js',
  envBackend: 'cpu',
  evalEvery: 10,
  evalInstances: 32,
  imitationTeacher: 'none',
  imitationUpdates: 0,
  initFrom: 'none',
  samplesPerInstance: 16,
};

/**
 * Problems with a config's values, each as [field, what was expected]: ranges and choices that
 * types cannot say. Flags, JSON config files and resumed checkpoints all go through this.
 */
export function configProblems(c: TrainConfig): [string, string][] {
  const problems: [string, string][] = [];
  const need = (ok: boolean, field: string, expected: string): void => {
    if (!ok) problems.push([field, expected]);
  };
  const int = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
  // Finite numbers only: Infinity or NaN in a setting turns every weight into NaN.
  const num = (v: unknown, min: number, max = Number.MAX_VALUE): boolean =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  const positive = (v: unknown): boolean => num(v, 0) && (v as number) > 0;
  need(typeof c.env === 'string', 'env', 'an environment name');
  need(typeof c.envOptions === 'object' && c.envOptions !== null, 'envOptions', 'an object');
  need(
    c.algo === 'ppo' || c.algo === 'a2c' || c.algo === 'self-label',
    'algo',
    "'ppo', 'a2c' or 'self-label'",
  );
  // A typo guard: 1e10 steps are over a month at the training rates measured (docs/agents.md).
  need(int(c.totalSteps, 1, MAX_TOTAL_STEPS), 'totalSteps', 'an integer from 1 to 1e10');
  need(int(c.numEnvs, 1, 65536), 'numEnvs', 'an integer from 1 to 65536');
  need(int(c.numSteps, 1, 65536), 'numSteps', 'an integer from 1 to 65536');
  // The rollout holds the whole batch's observations at once.
  need(
    c.numEnvs * c.numSteps <= MAX_BATCH,
    'numSteps',
    `at most ${MAX_BATCH} steps per update (numEnvs x numSteps)`,
  );
  // Equal minibatches: with a remainder, the last samples of every epoch would never be learned.
  need(
    int(c.numMinibatches, 1) && (c.numEnvs * c.numSteps) % c.numMinibatches === 0,
    'numMinibatches',
    `an integer from 1 to numEnvs x numSteps that divides it (${c.numEnvs} x ${c.numSteps} = ${c.numEnvs * c.numSteps})`,
  );
  need(int(c.updateEpochs, 1, 1000), 'updateEpochs', 'an integer from 1 to 1000');
  need(positive(c.learningRate), 'learningRate', 'a finite number > 0');
  need(typeof c.annealLr === 'boolean', 'annealLr', 'true or false');
  need(num(c.gamma, 0, 1), 'gamma', 'a number in [0, 1]');
  need(num(c.gaeLambda, 0, 1), 'gaeLambda', 'a number in [0, 1]');
  need(typeof c.normAdv === 'boolean', 'normAdv', 'true or false');
  need(positive(c.clipCoef), 'clipCoef', 'a finite number > 0');
  need(typeof c.clipVloss === 'boolean', 'clipVloss', 'true or false');
  need(num(c.entCoef, 0), 'entCoef', 'a finite number >= 0');
  need(num(c.vfCoef, 0), 'vfCoef', 'a finite number >= 0');
  need(positive(c.maxGradNorm), 'maxGradNorm', 'a finite number > 0');
  need(c.targetKl === null || positive(c.targetKl), 'targetKl', 'null or a finite number > 0');
  need(int(c.hidden, 1, 4096), 'hidden', 'an integer from 1 to 4096');
  need(int(c.seed, 0) && c.seed <= 0xffffffff, 'seed', 'an integer from 0 to 4294967295');
  need(
    (LEARNER_BACKENDS as readonly unknown[]).includes(c.tfBackend),
    'tfBackend',
    LEARNER_BACKENDS.join(', '),
  );
  need(c.envBackend === 'cpu' || c.envBackend === 'webgpu', 'envBackend', "'cpu' or 'webgpu'");
  need(int(c.evalEvery, 1), 'evalEvery', 'an integer >= 1');
  need(int(c.evalInstances, 1, 4096), 'evalInstances', 'an integer from 1 to 4096');
  need(typeof c.out === 'string' && c.out !== '', 'out', 'a folder name');
  need(typeof c.imitationTeacher === 'string', 'imitationTeacher', "a heuristic's name or 'none'");
  need(int(c.imitationUpdates, 0), 'imitationUpdates', 'an integer >= 0');
  need(int(c.samplesPerInstance, 1, 65536), 'samplesPerInstance', 'an integer from 1 to 65536');
  if (c.algo === 'self-label') {
    need(
      int(c.samplesPerInstance, 2, 65536) && c.numEnvs % c.samplesPerInstance === 0,
      'samplesPerInstance',
      `an integer >= 2 that divides numEnvs (${c.numEnvs}) for self-labeling`,
    );
    need(
      c.envBackend === 'cpu',
      'envBackend',
      "'cpu' for self-labeling (copies are cloned on the host)",
    );
  }
  need(
    typeof c.initFrom === 'string' && c.initFrom !== '',
    'initFrom',
    "a checkpoint file or 'none'",
  );
  need(
    c.imitationUpdates === 0 || c.imitationTeacher !== 'none',
    'imitationTeacher',
    'a heuristic to imitate when imitationUpdates > 0',
  );
  need(
    c.imitationUpdates <= derived(c).numUpdates,
    'imitationUpdates',
    "at most the run's updates (totalSteps / (numEnvs x numSteps))",
  );
  need(
    c.imitationUpdates === 0 || c.envBackend === 'cpu',
    'imitationUpdates',
    '0 with the environment on webgpu (teachers act on the CPU environment)',
  );
  return problems;
}

/** Largest totalSteps accepted (a typo guard, see configProblems). */
export const MAX_TOTAL_STEPS = 1e10;
/** Largest batch (numEnvs x numSteps): 2^22 steps, far above any recipe here. */
export const MAX_BATCH = 1 << 22;

/**
 * Sizes that follow from the config (CleanRL computes these, it does not store them). A run
 * trains whole updates: totalSteps rounds down to a multiple of the batch, but to one update at
 * least (`train` says so when this changes the count).
 */
export function derived(c: TrainConfig): {
  batchSize: number;
  minibatchSize: number;
  numUpdates: number;
} {
  const batchSize = c.numEnvs * c.numSteps;
  return {
    batchSize,
    minibatchSize: Math.floor(batchSize / c.numMinibatches),
    numUpdates: Math.max(1, Math.floor(c.totalSteps / batchSize)),
  };
}

export interface TrainProgress {
  /** Called after every update with the global step and the latest metrics. */
  update(step: number, totalSteps: number, metrics: Readonly<Record<string, number>>): void;
  log(line: string): void;
}

export interface TrainResult {
  readonly checkpoint: string;
  readonly steps: number;
  readonly updates: number;
  readonly wallSeconds: number;
  readonly evaluation: {
    readonly metric: number;
    readonly baseline: { readonly name: string; readonly metric: number };
  } | null;
  /** Set when the run stopped early (a NaN loss, or a signal), saying why and what was kept. */
  readonly stopped: string | null;
  /** The abort reason (the CLI passes 'SIGINT' or 'SIGTERM') when `signal` stopped the run. */
  readonly interrupted: string | null;
  /** The checkpoint of the best greedy validation (best.json), if any evaluation ran. */
  readonly best: {
    readonly checkpoint: string;
    readonly metric: number;
    readonly updates: number;
  } | null;
}

export class TrainingStopped extends Error {
  override readonly name = 'TrainingStopped';
}

/** How a run treats its folder and when it stops. */
export interface RunOptions {
  /** Replace a run that `config.out` already holds (otherwise such a folder is refused). */
  readonly force?: boolean;
  /**
   * The folder of the checkpoint being resumed: when it is `config.out`, the run there is
   * continued; when it is another folder, `config.out` must not hold a run (or `force`).
   * Without it, a resumed run continues whatever run `config.out` holds.
   */
  readonly resumeFolder?: string;
  /**
   * Stops the run between updates: a checkpoint is written at the last completed update, the
   * learning curve drawn and the folder unlocked. Its reason (a string) names the stop.
   */
  readonly signal?: AbortSignal;
}

/**
 * Trains from scratch, or from `resume` (its weights, optimizer state, step count and schedule).
 * The run folder is taken (locked, checked writable, refused if it holds another run) before any
 * work starts.
 */
export async function train(
  config: TrainConfig,
  progress: TrainProgress,
  resume?: Checkpoint,
  /** The WebGPU device for the `webgpu` tfjs backend (acquired and released by the caller). */
  gpu?: GpuContext,
  options: RunOptions = {},
): Promise<TrainResult> {
  const entry = findEnv(config.env);
  if (entry === undefined) throw new Error(`unknown environment '${config.env}'`);
  const problems = configProblems(config);
  if (problems.length > 0)
    throw new Error(
      `train: bad config: ${problems.map(([f, e]) => `${f}: expected ${e}`).join('; ')}`,
    );
  if (resume !== undefined && resume.optimizer === null) {
    throw new Error(
      "train: the checkpoint to resume holds no optimizer state (a weights-only checkpoint); resume from a run folder's checkpoint.json",
    );
  }
  if (resume !== undefined && resume.architecture.hidden !== config.hidden) {
    throw new Error(
      `train: the checkpoint's network is ${resume.architecture.hidden} wide, the config says ${config.hidden}`,
    );
  }
  // Read before the folder is taken, so a bad --init file leaves nothing behind.
  const initFrom =
    resume === undefined && config.initFrom !== 'none'
      ? initialWeights(config.initFrom, entry, config.hidden)
      : undefined;
  // Taken synchronously, before the first await: a second train() on the folder is refused even
  // when started in the same tick.
  const folder = acquireRunFolder(config.out, {
    force: options.force === true,
    resuming:
      resume !== undefined &&
      (options.resumeFolder === undefined || samePath(options.resumeFolder, config.out)),
    log: (line) => progress.log(line),
  });
  try {
    return await trainInFolder(config, progress, resume, initFrom, gpu, options.signal);
  } finally {
    folder.release();
  }
}

async function trainInFolder(
  config: TrainConfig,
  progress: TrainProgress,
  resume: Checkpoint | undefined,
  initFrom: Checkpoint['weights'] | undefined,
  gpu: GpuContext | undefined,
  signal: AbortSignal | undefined,
): Promise<TrainResult> {
  const entry = findEnv(config.env)!;
  const { batchSize, numUpdates } = derived(config);
  if (numUpdates * batchSize !== config.totalSteps)
    progress.log(
      `totalSteps ${config.totalSteps} is not a whole number of updates of ${batchSize} steps (numEnvs ${config.numEnvs} x numSteps ${config.numSteps}): training ${numUpdates} update${numUpdates === 1 ? '' : 's'} = ${numUpdates * batchSize} steps`,
    );
  const started = performance.now();
  const priorSeconds = resume?.training.wallSeconds ?? 0;

  // Environment: the CPU reference, or the WGSL kernels on the network's device.
  if (config.envBackend === 'webgpu' && (gpu === undefined || config.tfBackend !== 'webgpu')) {
    throw new Error(
      'train: an environment on WebGPU needs the webgpu tfjs backend on the same device',
    );
  }
  const env =
    config.envBackend === 'webgpu'
      ? await entry.create.webgpu(entry.config(config.envOptions, config.numEnvs), gpu!)
      : entry.create.cpu(entry.config(config.envOptions, config.numEnvs));
  const spec = env.spec;
  // configProblems has made sure that imitation runs on the CPU environment.
  const teacher =
    config.imitationUpdates > 0 ? teacherPolicy(entry, config.imitationTeacher) : null;
  const validation = await validationSet(entry, config.envOptions, config.evalInstances);

  // Network and optimizer.
  const architecture: Architecture = {
    type: 'candidate-scorer',
    candidateFeatures: spec.candidateFeatures.length,
    globalFeatures: spec.globalFeatures.length,
    hidden: config.hidden,
  };
  const learner = await createLearner(
    config.tfBackend,
    architecture,
    resume?.weights ??
      (config.initFrom === 'none' ? initialParameters(architecture, config.seed) : initFrom!),
    resume?.optimizer ?? null,
    gpu,
  );

  // Bookkeeping; a resumed run continues the step count and the learning-rate schedule.
  let globalStep = resume?.training.steps ?? 0;
  const firstUpdate = (resume?.training.updates ?? 0) + 1;
  const rng = new Rng((config.seed ^ hashString(`sampling-${firstUpdate}`)) >>> 0);
  const log = new MetricsLog(
    config.out,
    metricNames(env.metric.name),
    resume === undefined ? null : resume.training.steps,
  );
  const checkpointPath = join(config.out, 'checkpoint.json');
  let lastEval: TrainResult['evaluation'] = null;
  // The score best.json is chosen by: the environment's selection rule, else the metric.
  let lastScore: number | null = null;
  const selection = entry.training.selection?.(config.envOptions);
  let stopped: string | null = null;
  let interrupted: string | null = null;
  let lastCheckpointUpdate = resume?.training.updates ?? 0;
  writeFileAtomic(
    join(config.out, 'config.json'),
    JSON.stringify({ ...config, derived: derived(config), toolkitVersion: version() }, null, 2) +
      '\n',
  );
  progress.log(
    `training ${config.algo} on ${config.env} ${JSON.stringify(config.envOptions)}: ${numUpdates} updates of ${batchSize} steps, ${learner.description}`,
  );
  progress.log(
    `validation: ${validation.numEnvs} instances, best baseline ${validation.baseline.name} = ${validation.baseline.metric.toFixed(1)}`,
  );
  if (selection !== undefined) progress.log(`best.json: ${selection.summary}`);

  const greedy = async (
    obs: Parameters<Parameters<typeof validation.evaluate>[0]>[0],
    n: number,
  ): Promise<Int32Array> => choose((await learner.evaluate(obs, n)).logp, n, null).actions;

  const bestPath = join(config.out, 'best.json');
  let best: { metric: number; score: number; updates: number } | null = resume
    ? previousBest(bestPath, env.metric.lowerIsBetter, selection !== undefined)
    : null;

  const saveCheckpoint = async (updates: number, path = checkpointPath): Promise<void> => {
    const c: Checkpoint = {
      env: { name: config.env, options: config.envOptions },
      features: {
        candidate: spec.candidateFeatures,
        global: spec.globalFeatures,
        normalization: entry.features.scales,
      },
      architecture,
      weights: await learner.weights(),
      optimizer: await learner.optimizerState(),
      training: {
        algo: config.algo,
        seed: config.seed,
        steps: globalStep,
        updates,
        wallSeconds: Math.round(priorSeconds + (performance.now() - started) / 1000),
        hyperparameters: { ...config },
        evaluation:
          lastEval === null
            ? null
            : {
                [`greedy_${entry.name}_metric`]: lastEval.metric,
                baseline: lastEval.baseline.name,
                baseline_metric: lastEval.baseline.metric,
                ...(selection === undefined || lastScore === null
                  ? {}
                  : { selection_score: lastScore }),
              },
        toolkitVersion: version(),
        machine: { ...describeMachine() },
      },
    };
    const optimizer = c.optimizer!;
    for (const [name, w] of [...c.weights, ...optimizer.m, ...optimizer.v]) {
      if (!w.every(Number.isFinite))
        throw new TrainingStopped(`${name} holds non-finite values; checkpoint not written`);
    }
    // best.json is a policy to play or ship, not a point to resume from (that is checkpoint.json,
    // the run's last state): its weights alone are a third of the file.
    writeCheckpoint(path, path === checkpointPath ? c : weightsOnly(c));
    if (path === checkpointPath) lastCheckpointUpdate = updates;
  };

  const actor = learner.actor(env, config.numSteps);
  const rollout = new Rollout(config.numSteps, config.numEnvs, spec, actor.observations);
  await env.reset((config.seed ^ hashString(`env-${firstUpdate}`)) >>> 0);
  const episodeMetrics: number[] = [];
  const episodeReturns: number[] = [];
  // The metric of the episode each step of the rollout ended (self-labeling compares them).
  const endedMetrics = new Float64Array(batchSize);
  // The imitation loss reads no advantages: self-labeling's are zeros.
  const noAdvantages = new Float32Array(batchSize);
  // Self-labeling clones copies on the host: the CPU reference (configProblems has checked).
  const groupedEnv = config.algo === 'self-label' ? batchEnvOf(env) : null;

  try {
    for (let u = firstUpdate; u <= numUpdates; u++) {
      // A whole update can run in microtasks alone (tfjs on the CPU resolves at once), which would
      // keep a signal's handler from ever running: let the event loop turn once per update.
      if (signal !== undefined) await new Promise((done) => setImmediate(done));
      if (signal?.aborted === true) {
        // Between updates: update u - 1 is complete, so the folder is left resumable from it.
        interrupted = typeof signal.reason === 'string' ? signal.reason : 'abort';
        if (u - 1 > lastCheckpointUpdate) await saveCheckpoint(u - 1);
        stopped =
          lastCheckpointUpdate > 0
            ? `stopped by ${interrupted} at step ${globalStep}; resume with: schedrl train --env ${config.env} --resume ${checkpointPath}`
            : `stopped by ${interrupted} before the first update finished; nothing to resume (start again with --force)`;
        break;
      }
      const updateStart = performance.now();
      // Linear learning-rate annealing over the whole run (resumes continue the schedule).
      const lr = config.annealLr
        ? config.learningRate * (1 - (u - 1) / numUpdates)
        : config.learningRate;

      // Rollout: the policy's own samples, or the teacher's choices while imitating. A
      // self-labeling update first gives every group of copies one instance to sample.
      const imitating = teacher !== null && u <= config.imitationUpdates;
      const selfLabeling = config.algo === 'self-label' && !imitating;
      if (selfLabeling) groupedEnv!.startGroups(config.samplesPerInstance);
      let agreement = 0;
      for (let t = 0; t < config.numSteps; t++) {
        const { logp, values } = await actor.evaluate(t);
        const d = imitating
          ? await teacherChoices(teacher, env as VecEnv, logp)
          : { ...choose(logp, config.numEnvs, rng), agreement: 0 };
        agreement += d.agreement;
        const r = await actor.step(d.actions);
        globalStep += config.numEnvs;
        for (let e = 0; e < config.numEnvs; e++) {
          const i = t * config.numEnvs + e;
          rollout.actions[i] = d.actions[e];
          rollout.logprobs[i] = d.logprobs[e];
          rollout.values[i] = values[e];
          rollout.rewards[i] = r.reward[e] * entry.training.rewardScale;
          rollout.ended[i] = r.terminated[e] | r.truncated[e];
          if (rollout.ended[i] === 1) {
            episodeMetrics.push(r.episodes.metric[e]);
            episodeReturns.push(r.episodes.return[e]);
            endedMetrics[i] = r.episodes.metric[e];
          }
        }
      }

      let losses: UpdateMetrics;
      let valueFit: Record<string, number>;
      let rolloutSeconds: number;
      if (selfLabeling) {
        // Update: imitate the best sampled solution of each instance, on its steps alone.
        const labels = selfLabels(
          rollout,
          endedMetrics,
          config.samplesPerInstance,
          env.metric.lowerIsBetter,
          config.gamma,
        );
        rolloutSeconds = (performance.now() - updateStart) / 1000;
        const batch = {
          rollout,
          advantages: noAdvantages,
          returns: labels.returns,
          imitation: true,
          samples: labels.samples,
        };
        losses = await learner.update(batch, config, lr, rng);
        valueFit = {
          'self_label/instances': labels.instances,
          [`self_label/label_${env.metric.name}`]: labels.labelMetric,
          [`self_label/sampled_${env.metric.name}`]: labels.sampledMetric,
        };
      } else {
        // GAE from the value of the observation after the rollout.
        const last = await actor.evaluate(null);
        const { advantages, returns } = computeGae(
          rollout.rewards,
          rollout.values,
          rollout.ended,
          last.values,
          config.numSteps,
          config.numEnvs,
          config.gamma,
          config.gaeLambda,
        );
        // Update.
        rolloutSeconds = (performance.now() - updateStart) / 1000;
        const batch = { rollout, advantages, returns, imitation: imitating };
        losses = await learner.update(batch, config, lr, rng);
        valueFit = { 'losses/explained_variance': explainedVariance(rollout.values, returns) };
      }
      const seconds = (performance.now() - updateStart) / 1000;
      const metrics: Record<string, number> = {
        ...losses,
        ...(imitating ? { 'imitation/greedy_agreement': agreement / batchSize } : {}),
        ...valueFit,
        'charts/learning_rate': lr,
        'charts/SPS': Math.round(batchSize / seconds),
        'perf/rollout_seconds': rolloutSeconds,
        'perf/update_seconds': seconds - rolloutSeconds,
      };
      if (episodeMetrics.length > 0) {
        metrics['charts/episodic_return'] =
          episodeReturns.reduce((a, b) => a + b, 0) / episodeReturns.length;
        metrics[`charts/episodic_${env.metric.name}`] =
          episodeMetrics.reduce((a, b) => a + b, 0) / episodeMetrics.length;
        episodeMetrics.length = 0;
        episodeReturns.length = 0;
      }
      metrics['debug/live_tensors'] = learner.liveTensors();
      const bad = Object.entries(losses).find(([, v]) => !Number.isFinite(v));
      if (bad !== undefined) {
        const kept =
          lastCheckpointUpdate > 0
            ? `the last good checkpoint (update ${lastCheckpointUpdate}) is intact at ${checkpointPath}`
            : 'no checkpoint had been written yet';
        stopped = `update ${u}: ${bad[0]} is ${bad[1]}; stopped, ${kept}`;
        log.write(globalStep, metrics);
        throw new TrainingStopped(stopped);
      }

      // Periodic greedy evaluation on the fixed validation set, next to the best baseline.
      if (u % config.evalEvery === 0 || u === numUpdates) {
        const { metric, figures } = await validation.evaluate(greedy);
        lastEval = { metric, baseline: validation.baseline };
        lastScore =
          selection?.score(figures, validation.baseline.figures) ??
          (env.metric.lowerIsBetter ? -metric : metric);
        metrics[`eval/greedy_${env.metric.name}`] = metric;
        metrics[`eval/baseline_${env.metric.name}`] = validation.baseline.metric;
        if (selection !== undefined) metrics['eval/selection_score'] = lastScore;
        await saveCheckpoint(u);
        // The best validation so far is kept beside the last (policy-gradient runs wander).
        if (best === null || lastScore > best.score) {
          best = { metric, score: lastScore, updates: u };
          await saveCheckpoint(u, bestPath);
        }
      }
      log.write(globalStep, metrics);
      progress.update(globalStep, numUpdates * batchSize, metrics);
    }
  } catch (err) {
    if (!(err instanceof TrainingStopped)) throw err;
    stopped = err.message;
  } finally {
    log.close();
    writeFileAtomic(
      join(config.out, 'learning_curve.svg'),
      learningCurveSvg(
        log.rows(),
        env.metric.name,
        `${config.algo} on ${config.env} ${JSON.stringify(config.envOptions)}`,
      ),
    );
    learner.dispose();
  }
  return {
    checkpoint: checkpointPath,
    steps: globalStep,
    updates: lastCheckpointUpdate,
    wallSeconds: Math.round(priorSeconds + (performance.now() - started) / 1000),
    evaluation: lastEval,
    stopped,
    interrupted,
    best:
      best === null ? null : { checkpoint: bestPath, metric: best.metric, updates: best.updates },
  };
}

/** The environment's heuristic `name`, or an error listing the ones it offers to imitate. */
function teacherPolicy(entry: AnyEnvEntry, name: string): Policy<VecEnv> {
  const names = entry.baselines.teachers;
  if (!names.includes(name))
    throw new Error(
      `train: ${entry.name} has no heuristic '${name}' to imitate (${names.length > 0 ? names.join(', ') : 'it offers none'})`,
    );
  return entry.baselines.policy(name, 0);
}

/**
 * The teacher's actions on the current observation, their log-probabilities under the policy
 * (so PPO's diagnostics stay meaningful), and how many the greedy policy already agrees with.
 */
async function teacherChoices(
  teacher: Policy<VecEnv>,
  env: VecEnv,
  logp: Float32Array,
): Promise<{ actions: Int32Array; logprobs: Float32Array; agreement: number }> {
  const actions = new Int32Array(env.numEnvs);
  const pending = teacher.act(env, actions);
  if (pending !== undefined) await pending;
  const greedy = choose(logp, env.numEnvs, null).actions;
  const K = env.spec.maxCandidates;
  const logprobs = new Float32Array(env.numEnvs);
  let agreement = 0;
  for (let e = 0; e < env.numEnvs; e++) {
    logprobs[e] = logp[e * K + actions[e]];
    if (greedy[e] === actions[e]) agreement++;
  }
  return { actions, logprobs, agreement };
}

/** The CPU environment's BatchEnv, which self-labeling needs to clone copies. */
function batchEnvOf(env: unknown): BatchEnv<BatchState> {
  if (!(env instanceof BatchEnv))
    throw new Error('train: self-labeling needs the CPU reference environment (a BatchEnv)');
  return env as BatchEnv<BatchState>;
}

/**
 * The weights of `file`, a checkpoint (a run's checkpoint.json or best.json, or a shipped
 * policy) of this environment, with its features and a network `hidden` wide.
 */
function initialWeights(file: string, entry: AnyEnvEntry, hidden: number): Checkpoint['weights'] {
  const c = readCheckpoint(file);
  checkCompatible(c, file, entry.name, {
    maxCandidates: 1,
    candidateFeatures: entry.features.candidate,
    globalFeatures: entry.features.global,
  });
  if (c.architecture.hidden !== hidden)
    throw new InputError(
      { file, field: 'architecture.hidden' },
      `expected ${hidden}, the run's hidden width (set --hidden ${c.architecture.hidden} to start from this network)`,
    );
  return c.weights;
}

/**
 * A resumed run's best validation so far, from its best.json (none if it has none, or if the run
 * ranks by a selection score that best.json lacks).
 */
function previousBest(
  path: string,
  lowerIsBetter: boolean,
  selected: boolean,
): { metric: number; score: number; updates: number } | null {
  if (!existsSync(path)) return null;
  const c = readCheckpoint(path);
  const evaluation = c.training.evaluation ?? {};
  const metric = Object.entries(evaluation).find(([k]) => k.startsWith('greedy_'))?.[1];
  if (typeof metric !== 'number') return null;
  const score = selected ? evaluation.selection_score : lowerIsBetter ? -metric : metric;
  return typeof score === 'number' ? { metric, score, updates: c.training.updates } : null;
}

/** Whether two folder paths name the same folder (through links, when both exist). */
function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}
