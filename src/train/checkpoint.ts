/**
 * Checkpoints (docs/agents.md, "Checkpoints"): one JSON file holding a format tag and version, the
 * environment and its config, the feature names and normalization, the architecture, the weights
 * (base64 little-endian float32 per tensor), the optimizer state for resuming (or null: a policy to
 * play, such as a shipped checkpoint or a run's best.json, needs only its weights, and Adam's two
 * moments would double its size), and training metadata. Written atomically; validated entirely
 * before anything is used, so a truncated or edited file is refused with a message naming the
 * problem.
 */

import { endianness } from 'node:os';
import { InputError } from '../core/errors.js';
import { readTextFile, writeFileAtomic } from '../core/files.js';
import { parameterSpecs, type Architecture } from '../agents/network.js';
import type { AdamState } from '../agents/adam.js';

export const CHECKPOINT_FORMAT = 'schedrl-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointFeatures {
  readonly candidate: readonly string[];
  readonly global: readonly string[];
  /** The fixed scales features are divided by (documentation for users of exported policies). */
  readonly normalization: Readonly<Record<string, number>>;
}

export interface TrainingMetadata {
  readonly algo: string;
  readonly seed: number;
  /** Environment steps (decisions) taken so far. */
  readonly steps: number;
  readonly updates: number;
  readonly wallSeconds: number;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /** Last evaluation on the validation set, if any. */
  readonly evaluation: Readonly<Record<string, number | string>> | null;
  readonly toolkitVersion: string;
  readonly machine: Readonly<Record<string, unknown>>;
}

export interface Checkpoint {
  readonly env: { readonly name: string; readonly options: Readonly<Record<string, unknown>> };
  readonly features: CheckpointFeatures;
  readonly architecture: Architecture;
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** Adam's state, which only resuming needs; null in a weights-only checkpoint. */
  readonly optimizer: AdamState | null;
  readonly training: TrainingMetadata;
}

function encode(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decode(file: string, field: string, text: unknown, length: number): Float32Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw new InputError({ file, field }, 'expected base64 text');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * 4)
    throw new InputError(
      { file, field },
      `expected ${length} float32 values (${length * 4} bytes), found ${bytes.length} bytes`,
    );
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(bytes);
  for (let i = 0; i < length; i++)
    if (!Number.isFinite(out[i]))
      throw new InputError(
        { file, field },
        `expected finite values, found ${out[i]} at index ${i}`,
      );
  return out;
}

const tensorsToJson = (
  m: ReadonlyMap<string, Float32Array>,
  shapes: Map<string, number[]>,
): Record<string, { shape: number[]; data: string }> =>
  Object.fromEntries(
    [...m].map(([name, v]) => [name, { shape: shapes.get(name)!, data: encode(v) }]),
  );

export function serializeCheckpoint(c: Checkpoint): string {
  if (endianness() !== 'LE')
    throw new Error('checkpoints store little-endian float32; this machine is big-endian');
  const shapes = new Map(parameterSpecs(c.architecture).map((p) => [p.name, p.shape]));
  return (
    JSON.stringify(
      {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        env: c.env,
        features: c.features,
        architecture: c.architecture,
        weights: tensorsToJson(c.weights, shapes),
        optimizer:
          c.optimizer === null
            ? null
            : {
                step: c.optimizer.step,
                m: tensorsToJson(c.optimizer.m, shapes),
                v: tensorsToJson(c.optimizer.v, shapes),
              },
        training: c.training,
      },
      null,
      1,
    ) + '\n'
  );
}

/** Writes the checkpoint atomically: readers see the previous file or this one, never half. */
export function writeCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, serializeCheckpoint(c));
}

type Json = Record<string, unknown>;

function object(file: string, field: string, v: unknown): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InputError({ file, field }, 'expected an object');
  return v as Json;
}

/**
 * An object of a closed part of the format: a key it does not define is refused, naming it (a
 * misspelt or hand-added key would otherwise be read as absent and silently ignored).
 */
function closed(file: string, field: string, v: unknown, keys: readonly string[]): Json {
  const o = object(file, field, v);
  for (const k of Object.keys(o))
    if (!keys.includes(k))
      throw new InputError(
        { file, field: field === '(top level)' ? k : `${field}.${k}` },
        `unknown key '${k}'; expected only ${keys.join(', ')}`,
      );
  return o;
}

function int(file: string, field: string, v: unknown, min = 0): number {
  if (!Number.isSafeInteger(v) || (v as number) < min)
    throw new InputError(
      { file, field },
      `expected an integer >= ${min}, found ${JSON.stringify(v)}`,
    );
  return v as number;
}

function numbers(file: string, field: string, v: unknown): Record<string, number> {
  const o = object(file, field, v);
  for (const [k, x] of Object.entries(o))
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new InputError(
        { file, field: `${field}.${k}` },
        `expected a finite number, found ${JSON.stringify(x)}`,
      );
  return o as Record<string, number>;
}

function strings(file: string, field: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new InputError({ file, field }, 'expected a list of names');
  return v as string[];
}

function tensors(
  file: string,
  field: string,
  v: unknown,
  a: Architecture,
): Map<string, Float32Array> {
  const o = object(file, field, v);
  const out = new Map<string, Float32Array>();
  for (const p of parameterSpecs(a)) {
    const t = closed(file, `${field}.${p.name}`, o[p.name], ['shape', 'data']);
    const shape = t.shape;
    if (
      !Array.isArray(shape) ||
      shape.length !== p.shape.length ||
      shape.some((d, i) => d !== p.shape[i])
    ) {
      throw new InputError(
        { file, field: `${field}.${p.name}.shape` },
        `expected [${p.shape.join(', ')}], found ${JSON.stringify(shape)}`,
      );
    }
    out.set(
      p.name,
      decode(
        file,
        `${field}.${p.name}.data`,
        t.data,
        p.shape.reduce((x, y) => x * y, 1),
      ),
    );
  }
  const extra = Object.keys(o).filter((k) => !out.has(k));
  if (extra.length > 0)
    throw new InputError({ file, field }, `unexpected tensors ${extra.join(', ')}`);
  return out;
}

/** Parses and validates checkpoint text; `file` names it in errors. */
export function parseCheckpoint(text: string, file: string): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      { file },
      `expected a JSON checkpoint (${(err as Error).message}; truncated?)`,
    );
  }
  const o = closed(file, '(top level)', raw, [
    'format',
    'version',
    'env',
    'features',
    'architecture',
    'weights',
    'optimizer',
    'training',
  ]);
  if (o.format !== CHECKPOINT_FORMAT)
    throw new InputError(
      { file, field: 'format' },
      `expected '${CHECKPOINT_FORMAT}', found ${JSON.stringify(o.format)}`,
    );
  if (o.version !== CHECKPOINT_VERSION)
    throw new InputError(
      { file, field: 'version' },
      `expected ${CHECKPOINT_VERSION}, found ${JSON.stringify(o.version)}`,
    );
  // env.options, training.hyperparameters, .evaluation and .machine are open records: the
  // environment and the trainer check what they read of them.
  const env = closed(file, 'env', o.env, ['name', 'options']);
  if (typeof env.name !== 'string')
    throw new InputError({ file, field: 'env.name' }, 'expected an environment name');
  const features = closed(file, 'features', o.features, ['candidate', 'global', 'normalization']);
  const candidate = strings(file, 'features.candidate', features.candidate);
  const global = strings(file, 'features.global', features.global);
  const arch = closed(file, 'architecture', o.architecture, [
    'type',
    'candidateFeatures',
    'globalFeatures',
    'hidden',
  ]);
  if (arch.type !== 'candidate-scorer')
    throw new InputError(
      { file, field: 'architecture.type' },
      `expected 'candidate-scorer', found ${JSON.stringify(arch.type)}`,
    );
  const architecture: Architecture = {
    type: 'candidate-scorer',
    candidateFeatures: int(file, 'architecture.candidateFeatures', arch.candidateFeatures, 1),
    globalFeatures: int(file, 'architecture.globalFeatures', arch.globalFeatures, 0),
    hidden: int(file, 'architecture.hidden', arch.hidden, 1),
  };
  if (architecture.candidateFeatures !== candidate.length)
    throw new InputError(
      { file, field: 'architecture.candidateFeatures' },
      `expected ${candidate.length} (the number of candidate feature names)`,
    );
  if (architecture.globalFeatures !== global.length)
    throw new InputError(
      { file, field: 'architecture.globalFeatures' },
      `expected ${global.length} (the number of global feature names)`,
    );
  const weights = tensors(file, 'weights', o.weights, architecture);
  let optimizer: AdamState | null = null;
  if (o.optimizer !== null && o.optimizer !== undefined) {
    const opt = closed(file, 'optimizer', o.optimizer, ['step', 'm', 'v']);
    optimizer = {
      step: int(file, 'optimizer.step', opt.step),
      m: tensors(file, 'optimizer.m', opt.m, architecture),
      v: tensors(file, 'optimizer.v', opt.v, architecture),
    };
  }
  const training = closed(file, 'training', o.training, [
    'algo',
    'seed',
    'steps',
    'updates',
    'wallSeconds',
    'hyperparameters',
    'evaluation',
    'toolkitVersion',
    'machine',
  ]) as unknown as TrainingMetadata;
  int(file, 'training.steps', training.steps);
  int(file, 'training.updates', training.updates);
  int(file, 'training.seed', training.seed);
  if (typeof training.wallSeconds !== 'number' || !(training.wallSeconds >= 0)) {
    throw new InputError(
      { file, field: 'training.wallSeconds' },
      `expected a number >= 0, found ${JSON.stringify(training.wallSeconds)}`,
    );
  }
  object(file, 'training.hyperparameters', training.hyperparameters);
  return {
    env: { name: env.name, options: object(file, 'env.options', env.options) },
    features: {
      candidate,
      global,
      normalization: numbers(file, 'features.normalization', features.normalization),
    },
    architecture,
    weights,
    optimizer,
    training,
  };
}

export function readCheckpoint(path: string): Checkpoint {
  return parseCheckpoint(readTextFile(path, 'checkpoint file'), path);
}

/** The checkpoint without its optimizer state: all that playing the policy needs. */
export const weightsOnly = (c: Checkpoint): Checkpoint => ({ ...c, optimizer: null });

/**
 * Reads a checkpoint to resume training from, refusing one without optimizer state: restarting
 * Adam from zero moments would silently train differently from the run it claims to continue.
 */
export function readResumeCheckpoint(path: string): Checkpoint & { readonly optimizer: AdamState } {
  const c = readCheckpoint(path);
  if (c.optimizer === null)
    throw new InputError(
      { file: path, field: 'optimizer' },
      "holds no optimizer state (a weights-only checkpoint, such as a shipped policy or a run's " +
        "best.json), so it cannot be resumed; resume from the run folder's checkpoint.json",
    );
  return { ...c, optimizer: c.optimizer };
}
