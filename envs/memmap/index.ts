/** The memory-mapping environment: its registry entry and what users import. */

export { memmap } from './entry.js';
export { MemmapEnv, memmapConfig, type Placement } from './env.js';
export { MemmapGpuEnv } from './gpu.js';
export { CANDIDATE_FEATURES, GLOBAL_FEATURES } from './features.js';
export { generateTrace, generateTraces } from './generator.js';
export { bundledTraces, findTrace, liveBytesBound, parseTrace, readTraceFile } from './traces.js';
export { BASELINES, baselineConfig, baselinePolicy } from './baselines.js';
export { playBaseline, playConfig } from './play.js';
export type * from './types.js';
export { validatePlacement } from './validate.js';
export { renderPlacement } from './viewer.js';
