/** Edge/cloud offloading of DNN inference: the registry entry and what users import. */

export { offload } from './entry.js';
export {
  OFFLOAD_BASELINES,
  BASELINE_DISCIPLINE,
  baselineConfig,
  offloadBaseline,
} from './baselines.js';
export { OffloadEnv, type OffloadBatch } from './env.js';
export { OffloadGpuEnv } from './gpu.js';
export { LOADS, loadModels, modelTable, type Load, type ModelSpec } from './models.js';
export {
  episodeFigures,
  finishedTasks,
  qoeUtility,
  qosUtility,
  type TaskRecord,
} from './records.js';
export {
  DEFAULT_SCENARIO,
  NETWORK_PRESETS,
  offloadConfig,
  readScenarioFile,
  scenarioFromFlags,
} from './scenario.js';
export type * from './types.js';
export { validateEpisode } from './validate.js';
export { renderOffloadGantt } from './viewer.js';
