/** The job-shop environment: its registry entry and what users import. */

export { jobshop } from './entry.js';
export { JobShopEnv, MAKESPAN, jobShopConfig } from './env.js';
export { JobShopGpuEnv } from './gpu.js';
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
export { playEpisodes } from './play.js';
