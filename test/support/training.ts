/** Tiny training runs and their logs, shared by the training tests. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsRow } from '../../src/train/log.js';
import { DEFAULT_CONFIG, type TrainConfig } from '../../src/train/train.js';

export const quiet = { update: () => undefined, log: () => undefined };

/** A tiny run: 6x6 instances, 16 copies x 36 steps per update. */
export function tiny(out: string, patch: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...DEFAULT_CONFIG,
    env: 'jobshop',
    envOptions: { size: '6x6', mode: 'active' },
    numEnvs: 16,
    numSteps: 36,
    numMinibatches: 2,
    hidden: 32,
    tfBackend: 'cpu',
    evalInstances: 16,
    out,
    ...patch,
  };
}

export const rows = (dir: string): MetricsRow[] =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as MetricsRow);
