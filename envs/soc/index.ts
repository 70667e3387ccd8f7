/** SoC job streams: what the registry and users import. */

import type { EnvEntry } from '../../src/core/registry.js';
import { socEvalCommand } from './evaluate.js';
import { socBenchCommand } from './bench.js';
import { socTraining } from './training.js';

export { SOC_BASELINES, socBaseline } from './baselines.js';
export { DS3_JOBS, ds3Job, ds3Soc, readDs3JobFile, readDs3SocFile } from './ds3.js';
export { SocEnv, type FinishedJob, type SocConfig } from './env.js';
export { DEFAULT_JOBS, streamConfig, type StreamOptions } from './evaluate.js';
export { SocGpuEnv } from './gpu.js';
export { compileWorkload, TICKS_PER_UNIT, type StreamSpec, type Workload } from './workload.js';
export { randomDag } from './generator.js';
export { cpop, etf, heft, peft } from './static.js';
export type * from './types.js';
export { validateDagSchedule } from './validate.js';

export const soc: EnvEntry = {
  name: 'soc',
  summary: 'DAG jobs streaming onto a heterogeneous SoC (DS3 workloads), HEFT-family baselines',
  eval: socEvalCommand,
  bench: socBenchCommand,
  training: socTraining,
};
