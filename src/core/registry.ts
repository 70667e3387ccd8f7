/**
 * The registry of environments: the one place under src/ that knows problems by name. The command
 * line and (later) the trainer find an environment here and talk to it only through the typed
 * entry below.
 */

import { jobshop } from '../../envs/jobshop/index.js';
import { soc } from '../../envs/soc/index.js';
import type { GpuContext } from '../gpu/device.js';
import type { DeviceVecEnv } from '../gpu/device-env.js';
import type { FeatureModule } from './features.js';
import type { Observation, Policy, VecEnv } from './vecenv.js';

/** A command-line option an environment adds to a subcommand (parsed with node:util parseArgs). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One line for the usage text. */
  readonly description: string;
  /** Shown in the usage text; applied by the environment itself. */
  readonly default?: string;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** What a subcommand run returns: machine-readable JSON and text for people. */
export interface CommandReport {
  readonly json: unknown;
  readonly text: string;
}

export interface EnvCommand {
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The command gives --out its own meaning (train: a run folder) instead of "results as JSON". */
  readonly ownsOut?: boolean;
  run(values: OptionValues, log: (line: string) => void): Promise<CommandReport>;
}

/** A fixed validation set: greedy evaluation of a policy, next to the best baseline on the same set. */
export interface Validation {
  /** Copies in one pass (one per validation instance). */
  readonly numEnvs: number;
  /** The best baseline heuristic's mean metric on the same instances. */
  readonly baseline: { readonly name: string; readonly metric: number };
  /** Plays `choose` once on every instance and returns the mean metric. */
  evaluate(choose: (obs: Observation, numEnvs: number) => Promise<Int32Array>): Promise<number>;
}

/** What the generic trainer needs from an environment. */
export interface TrainingAdapter {
  /** Flags that choose the training distribution (instance size, mode...). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Reads those flags into a JSON-able record, saved in checkpoints. */
  parse(values: OptionValues): Record<string, string | number>;
  /** A CPU vectorized environment on random training instances drawn from its seed. */
  makeEnv(options: Readonly<Record<string, unknown>>, numEnvs: number): VecEnv;
  /** The same environment stepped by WGSL kernels on `gpu`, observations kept on the device. */
  makeDeviceEnv(
    options: Readonly<Record<string, unknown>>,
    numEnvs: number,
    gpu: GpuContext,
  ): Promise<DeviceVecEnv>;
  /**
   * Heuristics a run can imitate before PPO (TrainConfig.imitationTeacher), acting on the CPU
   * environment that makeEnv returns.
   */
  readonly teachers?: {
    readonly names: readonly string[];
    policy(name: string): Policy<VecEnv>;
  };
  /** Rewards are multiplied by this before learning, to keep returns near unit scale. */
  readonly rewardScale: number;
  /** The fixed scales the features are divided by, recorded in checkpoints. */
  readonly normalization: Readonly<Record<string, number>>;
  validation(options: Readonly<Record<string, unknown>>, count: number): Promise<Validation>;
  /**
   * The environment's feature module (envs/<env>/features.ts's FEATURES): what `schedrl export`
   * embeds, as compiled, in dispatch modules.
   */
  readonly features: FeatureModule;
}

export interface EnvEntry {
  readonly name: string;
  /** One line for `schedrl --help`. */
  readonly summary: string;
  /** `schedrl eval`: baselines (and later learned policies) on benchmark instances. */
  readonly eval: EnvCommand;
  /** `schedrl bench`: environment throughput, printed as JSON. */
  readonly bench: EnvCommand;
  /** `schedrl train`: what the generic trainer needs. */
  readonly training: TrainingAdapter;
}

export const ENVIRONMENTS: readonly EnvEntry[] = [jobshop, soc];

export function findEnv(name: string): EnvEntry | undefined {
  return ENVIRONMENTS.find((e) => e.name === name);
}
