/** The job-shop environment: what the registry and users import. */

import type { EnvEntry } from '../../src/core/registry.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './evaluate.js';
import { jobshopTraining } from './training.js';

export { JobShopEnv, MAKESPAN, jobShopConfig } from './env.js';
export { JobShopGpuEnv } from './gpu.js';
export { createJobShopEnv, type JobShopBatch, type JobShopVecEnv } from './backend.js';
export { CANDIDATE_FEATURES, GLOBAL_FEATURES } from './features.js';
export { randomInstance, randomSource } from './generator.js';
export {
  bundledBounds,
  bundledNames,
  loadBundled,
  parseInstance,
  readInstanceFile,
  selectInstances,
} from './instances.js';
export { RULE_NAMES, rulePolicy } from './rules.js';
export type * from './types.js';
export { validateSchedule } from './validate.js';
export { renderGantt } from './viewer.js';
export { playEpisodes } from './evaluate.js';

export const jobshop: EnvEntry = {
  name: 'jobshop',
  summary: 'job-shop scheduling (Taillard, Lawrence, ...), dispatching-rule baselines',
  eval: evalCommand,
  bench: benchCommand,
  training: jobshopTraining,
};
