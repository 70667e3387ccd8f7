/**
 * The registry of environments: the one place under src/ that knows problems by name. The command
 * line and (later) the trainer find an environment here and talk to it only through the typed
 * entry below.
 */

import { jobshop } from '../../envs/jobshop/index.js';

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
  run(values: OptionValues, log: (line: string) => void): Promise<CommandReport>;
}

export interface EnvEntry {
  readonly name: string;
  /** One line for `schedrl --help`. */
  readonly summary: string;
  /** `schedrl eval`: baselines (and later learned policies) on benchmark instances. */
  readonly eval: EnvCommand;
  /** `schedrl bench`: environment throughput, printed as JSON. */
  readonly bench: EnvCommand;
}

export const ENVIRONMENTS: readonly EnvEntry[] = [jobshop];

export function findEnv(name: string): EnvEntry | undefined {
  return ENVIRONMENTS.find((e) => e.name === name);
}
