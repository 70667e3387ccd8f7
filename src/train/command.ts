/**
 * `schedrl train`: flags and an optional JSON config become a TrainConfig; the run writes its
 * folder (config.json, metrics.jsonl, metrics.csv, checkpoint.json, learning_curve.svg).
 * Precedence: flags over the JSON config over the defaults. `--resume` continues a checkpoint's
 * run with its own hyperparameters (flags may only extend `--steps`).
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import { checkOutputPath } from '../core/files.js';
import { choiceOption, integerOption, numberOption, optionalString } from '../core/options.js';
import type { AnyEnvEntry, CommandReport, EnvCommand, OptionValues } from '../core/registry.js';
import { LEARNER_BACKENDS } from '../agents/tfjs.js';
import { BACKENDS } from '../core/vecenv.js';
import { withBackend } from '../gpu/session.js';
import { readResumeCheckpoint } from './checkpoint.js';
import { createProgress } from './progress.js';
import { checkCompatible } from '../agents/learned.js';
import {
  configProblems,
  DEFAULT_CONFIG,
  derived,
  MAX_TOTAL_STEPS,
  train,
  type TrainConfig,
} from './train.js';

type Tunable = Omit<TrainConfig, 'env' | 'envOptions' | 'out'>;

/** Reads a JSON config of TrainConfig fields; unknown or mistyped keys name the key. */
export function readTrainConfigFile(path: string): Partial<Tunable> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(
      { file: path },
      `expected a JSON object of training settings (${(err as Error).message})`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError({ file: path }, 'expected a JSON object of training settings');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(DEFAULT_CONFIG, key)) {
      throw new InputError(
        { file: path, field: key },
        `expected one of ${Object.keys(DEFAULT_CONFIG).join(', ')}`,
      );
    }
    const expected = DEFAULT_CONFIG[key as keyof Tunable];
    const ok =
      expected === null
        ? value === null || typeof value === 'number'
        : typeof value === typeof expected;
    if (!ok)
      throw new InputError(
        { file: path, field: key },
        `expected a ${expected === null ? 'number or null' : typeof expected}, found ${JSON.stringify(value)}`,
      );
    out[key] = value;
  }
  return out as Partial<Tunable>;
}

/** The flag that sets each TrainConfig field, to name it in errors about flag values. */
const FLAG_OF: Partial<Record<keyof TrainConfig, string>> = {
  algo: 'algo',
  totalSteps: 'steps',
  numEnvs: 'num-envs',
  numSteps: 'num-steps',
  learningRate: 'lr',
  seed: 'seed',
  hidden: 'hidden',
  tfBackend: 'tf-backend',
  envBackend: 'backend',
  imitationTeacher: 'teacher',
  imitationUpdates: 'imitation-updates',
  evalEvery: 'eval-every',
  evalInstances: 'eval-instances',
  initFrom: 'init',
  samplesPerInstance: 'samples-per-instance',
};

/** A run stopped by SIGINT or SIGTERM: the CLI exits with 128 + the signal's number. */
export class TrainingInterrupted extends Error {
  override readonly name = 'TrainingInterrupted';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

function fromFlags(values: OptionValues): Partial<Tunable> {
  const out: Partial<Record<keyof Tunable, unknown>> = {};
  if (values.algo !== undefined)
    out.algo = choiceOption(values, 'algo', ['ppo', 'a2c', 'self-label'], 'ppo');
  if (values['samples-per-instance'] !== undefined)
    out.samplesPerInstance = integerOption(values, 'samples-per-instance', 0, 1, 65536);
  if (values.steps !== undefined)
    out.totalSteps = integerOption(values, 'steps', 0, 1, MAX_TOTAL_STEPS);
  if (values['num-envs'] !== undefined)
    out.numEnvs = integerOption(values, 'num-envs', 0, 1, 1 << 16);
  if (values['num-steps'] !== undefined)
    out.numSteps = integerOption(values, 'num-steps', 0, 1, 1 << 16);
  if (values.lr !== undefined) out.learningRate = numberOption(values, 'lr', 0, 0);
  if (values.seed !== undefined) out.seed = integerOption(values, 'seed', 0, 0, 0xffffffff);
  if (values.hidden !== undefined) out.hidden = integerOption(values, 'hidden', 0, 1, 4096);
  if (values['tf-backend'] !== undefined)
    out.tfBackend = choiceOption(values, 'tf-backend', LEARNER_BACKENDS, 'js');
  if (values.backend !== undefined) {
    out.envBackend = choiceOption(values, 'backend', BACKENDS, 'cpu');
    // The environment's buffers are read in place, so the network must be on the same device.
    if (out.envBackend === 'webgpu') {
      if (values['tf-backend'] !== undefined && out.tfBackend !== 'webgpu') {
        throw new UsageError(
          '--backend webgpu needs --tf-backend webgpu (the network reads the environment buffers in place)',
        );
      }
      out.tfBackend = 'webgpu';
    }
  }
  if (values.teacher !== undefined) out.imitationTeacher = String(values.teacher);
  if (values['imitation-updates'] !== undefined)
    out.imitationUpdates = integerOption(values, 'imitation-updates', 0, 0);
  if (values['eval-every'] !== undefined) out.evalEvery = integerOption(values, 'eval-every', 0, 1);
  if (values['eval-instances'] !== undefined)
    out.evalInstances = integerOption(values, 'eval-instances', 0, 1, 4096);
  if (values.init !== undefined) out.initFrom = String(values.init);
  return out as Partial<Tunable>;
}

export function trainCommand(entry: AnyEnvEntry): EnvCommand {
  return {
    ownsOut: true,
    options: {
      ...entry.options,
      algo: {
        type: 'string',
        description: 'ppo, a2c, or self-label (imitate the best of several samples per instance)',
        default: DEFAULT_CONFIG.algo,
      },
      'samples-per-instance': {
        type: 'string',
        description: 'self-label: solutions sampled of each instance per update',
        default: String(DEFAULT_CONFIG.samplesPerInstance),
      },
      steps: {
        type: 'string',
        description: 'environment steps to train for',
        default: String(DEFAULT_CONFIG.totalSteps),
      },
      'num-envs': {
        type: 'string',
        description: 'environment copies',
        default: String(DEFAULT_CONFIG.numEnvs),
      },
      'num-steps': {
        type: 'string',
        description: 'steps per copy per rollout',
        default: String(DEFAULT_CONFIG.numSteps),
      },
      lr: {
        type: 'string',
        description: 'learning rate (annealed linearly)',
        default: String(DEFAULT_CONFIG.learningRate),
      },
      seed: {
        type: 'string',
        description: 'seed of the network, environments and sampling',
        default: String(DEFAULT_CONFIG.seed),
      },
      hidden: {
        type: 'string',
        description: 'hidden width',
        default: String(DEFAULT_CONFIG.hidden),
      },
      'tf-backend': {
        type: 'string',
        description: `what computes the network: js (no TensorFlow.js), or a TensorFlow.js backend: ${LEARNER_BACKENDS.join(', ')}`,
        default: DEFAULT_CONFIG.tfBackend,
      },
      backend: {
        type: 'string',
        description:
          'where the environment steps: cpu, or webgpu (zero-copy; implies --tf-backend webgpu)',
        default: DEFAULT_CONFIG.envBackend,
      },
      ...(entry.baselines.teachers.length > 0
        ? {
            teacher: {
              type: 'string',
              description: `heuristic to imitate before PPO (${entry.baselines.teachers.join(', ')}), or 'none'`,
              default: DEFAULT_CONFIG.imitationTeacher,
            },
            'imitation-updates': {
              type: 'string',
              description: 'updates that imitate the teacher before PPO takes over',
              default: String(DEFAULT_CONFIG.imitationUpdates),
            },
          }
        : {}),
      'eval-every': {
        type: 'string',
        description: 'greedy validation every N updates',
        default: String(DEFAULT_CONFIG.evalEvery),
      },
      'eval-instances': {
        type: 'string',
        description: 'validation instances',
        default: String(DEFAULT_CONFIG.evalInstances),
      },
      config: {
        type: 'string',
        description: 'JSON file of training settings (TrainConfig fields)',
      },
      init: {
        type: 'string',
        description:
          "start from this checkpoint's weights (fine-tuning: fresh optimizer, this run's settings)",
      },
      resume: { type: 'string', description: 'continue the run of this checkpoint' },
      force: {
        type: 'boolean',
        description: 'replace the run that --out already holds (its files are removed first)',
      },
      out: { type: 'string', description: 'run folder (default runs/<env>-<algo>-s<seed>)' },
      gpu: {
        type: 'string',
        description: 'WebGPU adapter for the webgpu backends: auto, default, opengles',
      },
    },
    async run(values: OptionValues, log): Promise<CommandReport> {
      const resumeFile = optionalString(values, 'resume');
      const resume = resumeFile === undefined ? undefined : readResumeCheckpoint(resumeFile);
      let config: TrainConfig;
      if (resume !== undefined) {
        if (resume.env.name !== entry.name)
          throw new UsageError(
            `--resume ${resumeFile} is a ${resume.env.name} checkpoint, not ${entry.name}`,
          );
        // A resumed run keeps its own settings: only --steps (to extend it) and --out may change.
        const allowed = new Set(['env', 'resume', 'steps', 'out', 'force', 'gpu', 'help']);
        const others = Object.keys(values).filter(
          (k) => values[k] !== undefined && !allowed.has(k),
        );
        if (others.length > 0) {
          throw new UsageError(
            `--resume continues a run with its own settings; drop ${others.map((k) => `--${k}`).join(', ')}`,
            'only --steps (more than the run has done) and --out may change',
          );
        }
        // Settings added after a checkpoint was written take their defaults (no imitation).
        const saved = {
          imitationTeacher: DEFAULT_CONFIG.imitationTeacher,
          imitationUpdates: DEFAULT_CONFIG.imitationUpdates,
          initFrom: DEFAULT_CONFIG.initFrom,
          samplesPerInstance: DEFAULT_CONFIG.samplesPerInstance,
          ...resume.training.hyperparameters,
        } as unknown as TrainConfig;
        const problems = configProblems(saved);
        if (problems.length > 0) {
          const [field, expected] = problems[0];
          throw new InputError(
            { file: resumeFile!, field: `training.hyperparameters.${field}` },
            `expected ${expected}`,
          );
        }
        if (saved.hidden !== resume.architecture.hidden) {
          throw new InputError(
            { file: resumeFile!, field: 'training.hyperparameters.hidden' },
            `expected ${resume.architecture.hidden} (architecture.hidden)`,
          );
        }
        checkCompatible(resume, resumeFile!, entry.name, {
          maxCandidates: 1,
          candidateFeatures: entry.features.candidate,
          globalFeatures: entry.features.global,
        });
        const steps =
          values.steps === undefined
            ? saved.totalSteps
            : integerOption(values, 'steps', 0, 1, MAX_TOTAL_STEPS);
        // By default the run continues in the folder its checkpoint is in now, which is where the
        // run was recorded unless the folder was moved since.
        const out = optionalString(values, 'out') ?? dirname(resumeFile!);
        config = { ...saved, totalSteps: steps, out };
        // Whole updates only: steps that do not reach one more update would train nothing.
        if (derived(config).numUpdates <= resume.training.updates) {
          const batch = derived(config).batchSize;
          throw new UsageError(
            `--steps ${steps}: the run has done ${resume.training.steps} steps already (${resume.training.updates} updates of ${batch}); ask for at least ${(resume.training.updates + 1) * batch}`,
          );
        }
      } else {
        const file = optionalString(values, 'config');
        const tunable: Tunable = {
          ...DEFAULT_CONFIG,
          ...(file === undefined ? {} : readTrainConfigFile(file)),
          ...fromFlags(values),
        };
        const envOptions = entry.parseOptions(values);
        const out =
          optionalString(values, 'out') ??
          join(
            'runs',
            // File-valued options (soc's --soc/--jobs FILE) name the folder by base name only.
            `${entry.name}-${Object.values(envOptions)
              .map((v) => String(v).replace(/[^,]*[\\/]/g, ''))
              .join('-')}-${tunable.algo}-s${tunable.seed}`,
          );
        config = { ...tunable, env: entry.name, envOptions, out };
        const problems = configProblems(config);
        if (problems.length > 0) {
          const [field, expected] = problems[0];
          if (file !== undefined && Object.hasOwn(readTrainConfigFile(file), field))
            throw new InputError({ file, field }, `expected ${expected}`);
          const flag = FLAG_OF[field as keyof TrainConfig];
          if (flag !== undefined && values[flag] !== undefined)
            throw new UsageError(
              `--${flag} ${String(values[flag])}: ${field} expected ${expected}`,
            );
          throw new UsageError(`bad training setting ${field}: expected ${expected}`);
        }
      }
      checkOutputPath(join(config.out, 'checkpoint.json'), 'out');
      const { batchSize, numUpdates } = derived(config);
      log(`hyperparameters: ${JSON.stringify({ ...config, batchSize, numUpdates })}`);
      const progress = createProgress(log);
      const options = {
        force: values.force === true,
        ...(resumeFile === undefined ? {} : { resumeFolder: dirname(resumeFile) }),
      };
      // SIGINT/SIGTERM stop the run between updates (a checkpoint, the curve, the lock released);
      // a second signal quits at once (the lock is then stale, and the next run takes it over).
      const controller = new AbortController();
      const onSignal = (sig: keyof typeof SIGNAL_EXIT_CODES): void => {
        if (controller.signal.aborted) process.exit(SIGNAL_EXIT_CODES[sig]);
        progress.log(`${sig}: stopping after the current update (send it again to quit at once)`);
        controller.abort(sig);
      };
      const onInt = (): void => onSignal('SIGINT');
      const onTerm = (): void => onSignal('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      let result;
      try {
        // The webgpu tfjs backend runs on a device acquired (and released) here; the environment
        // itself steps on the CPU and its observations are uploaded every step.
        const run = { ...options, signal: controller.signal };
        result =
          config.tfBackend === 'webgpu'
            ? await withBackend({ backend: 'webgpu', gpu: values.gpu }, log, ({ gpu }) =>
                train(config, progress, resume, gpu, run),
              )
            : await train(config, progress, resume, undefined, run);
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
      progress.done();
      if (result.interrupted !== null) {
        const code = SIGNAL_EXIT_CODES[result.interrupted as keyof typeof SIGNAL_EXIT_CODES] ?? 130;
        throw new TrainingInterrupted(result.stopped ?? `stopped by ${result.interrupted}`, code);
      }
      const lines = [
        `checkpoint: ${result.checkpoint}`,
        `steps: ${result.steps}, updates: ${result.updates}, wall time: ${result.wallSeconds} s`,
      ];
      if (result.evaluation !== null) {
        lines.push(
          `greedy ${entry.name} metric on validation: ${result.evaluation.metric.toFixed(2)}; best baseline ${result.evaluation.baseline.name}: ${result.evaluation.baseline.metric.toFixed(2)}`,
        );
      }
      if (result.best !== null)
        lines.push(
          `best validation: ${result.best.metric.toFixed(2)} at update ${result.best.updates} (${result.best.checkpoint})`,
        );
      if (result.stopped !== null) throw new Error(`training stopped: ${result.stopped}`);
      return { json: result, text: lines.join('\n') };
    },
  };
}
