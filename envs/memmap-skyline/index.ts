/** The skyline memory-mapping environment: its registry entry and what users import. */

export { memmapSkyline } from './entry.js';
export { SkylineEnv, skylineConfig } from './env.js';
export { SkylineGpuEnv } from './gpu.js';
export { CANDIDATE_FEATURES, GLOBAL_FEATURES } from './features.js';
export { BASELINES, baselineConfig, baselinePolicy } from './baselines.js';
