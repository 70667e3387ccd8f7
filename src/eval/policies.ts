/**
 * The policies a command line names, for every environment alike: a baseline by name, `rules`
 * (or `baselines`, `all`) for every baseline, and `checkpoint:FILE` for a trained policy, checked
 * against the environment's features before anything runs.
 */

import { basename } from 'node:path';
import { checkCompatible, learnedPolicy, type LearnedPolicy } from '../agents/learned.js';
import type { LearnerBackend } from '../agents/tfjs.js';
import { UsageError } from '../core/errors.js';
import type { AnyEnvEntry } from '../core/registry.js';
import type { Policy } from '../core/vecenv.js';
import { readCheckpoint, type Checkpoint } from '../train/checkpoint.js';

export type PolicyRef =
  | { readonly kind: 'baseline'; readonly name: string; readonly label: string }
  | {
      readonly kind: 'checkpoint';
      readonly file: string;
      readonly checkpoint: Checkpoint;
      readonly label: string;
    };

export const CHECKPOINT_PREFIX = 'checkpoint:';
/** Words that stand for every baseline of the environment. */
const ALL_BASELINES = ['rules', 'baselines', 'all'];

/** The policies named by `words`, in order, without duplicates. */
export function parsePolicies(entry: AnyEnvEntry, words: readonly string[]): PolicyRef[] {
  const out: PolicyRef[] = [];
  const add = (p: PolicyRef): void => {
    if (!out.some((q) => q.label === p.label)) out.push(p);
  };
  for (const w of words) {
    const name = w.toLowerCase();
    if (name.startsWith(CHECKPOINT_PREFIX)) {
      const file = w.slice(CHECKPOINT_PREFIX.length);
      add(checkpointRef(entry, file, out));
    } else if (ALL_BASELINES.includes(name)) {
      entry.baselines.names.forEach((b) => add({ kind: 'baseline', name: b, label: b }));
    } else if (entry.baselines.names.includes(name)) {
      add({ kind: 'baseline', name, label: name });
    } else {
      throw new UsageError(
        `unknown policy '${w}'`,
        `policies of ${entry.name}: ${ALL_BASELINES[0]} (every baseline), ${entry.baselines.names.join(', ')}, or checkpoint:FILE.json`,
      );
    }
  }
  return out;
}

function checkpointRef(
  entry: AnyEnvEntry,
  file: string,
  taken: readonly PolicyRef[],
): PolicyRef & { kind: 'checkpoint' } {
  const checkpoint = readCheckpoint(file);
  checkCompatible(checkpoint, file, entry.name, {
    maxCandidates: 1,
    candidateFeatures: entry.features.candidate,
    globalFeatures: entry.features.global,
  });
  const short = basename(file).replace(/\.json$/, '');
  // Labels name table columns, so they are unique: a checkpoint whose file name is a baseline's
  // name, or another checkpoint's (runs/a/checkpoint.json, runs/b/...), is labelled by its path.
  const clash =
    entry.baselines.names.includes(short.toLowerCase()) ||
    taken.some((p) => p.label === short && !(p.kind === 'checkpoint' && p.file === file));
  const label = clash ? file : short;
  return {
    kind: 'checkpoint',
    file,
    checkpoint,
    label: entry.baselines.names.includes(label.toLowerCase()) ? `checkpoint:${file}` : label,
  };
}

/** How learned policies act. */
export interface ActingOptions {
  /** 1: greedy; K > 1: sampling (the caller plays K episodes per copy and keeps the best). */
  readonly samples: number;
  readonly seed: number;
  readonly tfBackend: LearnerBackend;
}

/** A ready-to-act policy and what to free afterwards. */
export async function openPolicy(
  entry: AnyEnvEntry,
  ref: PolicyRef,
  options: ActingOptions,
): Promise<{ policy: Policy<unknown>; dispose(): void }> {
  if (ref.kind === 'baseline') {
    return { policy: entry.baselines.policy(ref.name, options.seed), dispose: () => {} };
  }
  const learned: LearnedPolicy = await learnedPolicy(ref.checkpoint, ref.label, {
    sample: options.samples > 1,
    seed: options.seed,
    backend: options.tfBackend,
  });
  return { policy: learned, dispose: () => learned.dispose() };
}
