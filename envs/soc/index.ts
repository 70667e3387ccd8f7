/** SoC job streams: the registry entry and what users import. */

export { soc } from './entry.js';
export { SOC_BASELINES, socBaseline } from './baselines.js';
export { DS3_JOBS, ds3Job, ds3Soc, readDs3JobFile, readDs3SocFile } from './ds3.js';
export { SocEnv, type FinishedJob, type SocConfig } from './env.js';
export { DEFAULT_JOBS, streamConfig, type StreamOptions } from './streams.js';
export { SocGpuEnv } from './gpu.js';
export { compileWorkload, TICKS_PER_UNIT, type StreamSpec, type Workload } from './workload.js';
export { randomDag } from './generator.js';
export { cpop, etf, heft, peft } from './static.js';
export type * from './types.js';
export { validateDagSchedule } from './validate.js';
export { renderSocGantt } from './viewer.js';
