/**
 * The environment contract every problem registers, and the registry: the one place under src/
 * that knows problems by name. An entry holds only what is specific to its problem (its config,
 * its two step backends, its baselines, its evaluation suites, its validator and viewer, its
 * features); the commands (`eval`, `compare`, `bench`, `train`, `export`) are written once
 * against this interface, and test/conformance.test.ts runs over every entry listed here.
 */

import { jobshop } from '../../envs/jobshop/index.js';
import { memmap } from '../../envs/memmap/index.js';
import { memmapSkyline } from '../../envs/memmap-skyline/index.js';
import { offload } from '../../envs/offload/index.js';
import { soc } from '../../envs/soc/index.js';
import type { GpuContext } from '../gpu/device.js';
import type { KernelVecEnv } from '../gpu/kernel-env.js';
import type { BatchState } from './batch-env.js';
import type { FeatureModule } from './features.js';
import type { BackendName, MetricSpec, Policy, VecEnv } from './vecenv.js';

/** A command-line option an environment adds to a subcommand (parsed with node:util parseArgs). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One line for the usage text. */
  readonly description: string;
  /** Shown in the usage text; applied by the code that reads the option. */
  readonly default?: string;
}

export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** The JSON-able record of an environment's options, saved in checkpoints. */
export type EnvOptions = Readonly<Record<string, string | number>>;

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

/**
 * A batch stepped by a WGSL kernel: asynchronous, observations kept on the device, its state
 * read back on request (`syncState`) for baselines and validators.
 */
export type KernelEnv = KernelVecEnv<BatchState>;

/** A batch of either backend, as the shared commands hold it. */
export type AnyBatch = VecEnv | KernelEnv;

/** The two step backends of one environment, built from the same config. */
export interface EnvFactory<C, Cpu extends VecEnv, Kernel extends KernelEnv> {
  /** The TypeScript reference. */
  cpu(config: C): Cpu;
  /** The WGSL kernel twin on `gpu`'s device. */
  webgpu(config: C, gpu: GpuContext): Promise<Kernel>;
}

/** One row of an evaluation table: an instance, or a cell of a scenario grid. */
export interface SuiteCell {
  /** Unique within the suite (`ta01`, `gap 25 us, noise 30%`). */
  readonly name: string;
  /** Rows summarized together (`ta 15x15`, `noise 30%`). */
  readonly group: string;
  /** Shown as extra columns (size, mode, arrival gap...). */
  readonly info: Readonly<Record<string, string | number>>;
  /** The best known value of the metric for this cell, when the literature has one. */
  readonly bestKnown?: number;
  /** Its label on a chart's x axis within its group (default: its name). */
  readonly x?: string | number;
}

/** One batch of a suite: `config` plays one episode per copy; copy i belongs to cell `cells[i]`. */
export interface SuiteBatch<C> {
  readonly config: C;
  /** Index into Suite.cells of each copy; its length is the batch's copy count. */
  readonly cells: readonly number[];
  /** Decision steps the batch takes (its longest episode), where known: for progress lines. */
  readonly steps?: number;
}

export interface Suite<C> {
  /** What the tables' titles call it (`taillard`, `ds3-16pe, default mix`). */
  readonly name: string;
  readonly cells: readonly SuiteCell[];
  readonly batches: readonly SuiteBatch<C>[];
  /** What the cells of a group vary along, for a chart's x axis (`instance`, `mean gap (us)`). */
  readonly xLabel: string;
}

/**
 * Mean figures of a validation pass: `metric`, the environment's extras by name, and
 * `reference_ratio`: the mean over the validation episodes of the episode's metric over the best
 * reference baseline's metric on the same episode (1 where the two are equal). It is scale-free:
 * each episode weighs the same however large its instance, which matters when a run validates on
 * several sizes at once.
 */
export type ValidationFigures = Readonly<Record<string, number>>;

/** How a run ranks its validations for best.json where the metric alone is not the aim. */
export interface ValidationSelection {
  /** One line on the rule, for the run's log. */
  readonly summary: string;
  /** Higher is better. */
  score(policy: ValidationFigures, baseline: ValidationFigures): number;
}

/**
 * A registered environment. `C` is its config (numEnvs included); `B` what its baselines,
 * validator and viewer read (the union of its two backends' batches).
 */
export interface EnvEntry<
  C = unknown,
  Cpu extends VecEnv = VecEnv,
  Kernel extends KernelEnv = KernelEnv,
> {
  readonly name: string;
  /** One line for `schedrl --help`. */
  readonly summary: string;
  /** The episode metric, its unit for tables (`makespan`, time units; `latency`, us). */
  readonly metric: MetricSpec & { readonly unit: string };

  /** Flags that choose the environment's distribution (instance size, arrival rate...). */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Reads those flags into a JSON-able record (saved in checkpoints); bad values throw UsageError. */
  parseOptions(values: OptionValues): EnvOptions;
  /** The config of `numEnvs` copies playing random episodes of that distribution. */
  config(options: EnvOptions, numEnvs: number): C;
  readonly create: EnvFactory<C, Cpu, Kernel>;

  /** The classic heuristics, acting through the same environment as a learned policy. */
  readonly baselines: {
    readonly names: readonly string[];
    /** Names that a training run may imitate (TrainConfig.imitationTeacher); may be empty. */
    readonly teachers: readonly string[];
    policy(name: string, seed: number): Policy<Cpu | Kernel>;
    /**
     * The config baseline `name` plays a suite batch with, when it differs from a learned
     * policy's (soc offers the heuristics every ready pair, a policy its K; memmap's heuristics
     * come with their own decision order; offload runs each heuristic's own queue discipline).
     */
    config?(config: C, name: string): C;
  };

  readonly evaluation: {
    /** Flags that choose the suite's contents beyond `--suite` (instances, schedule modes...). */
    readonly options: Readonly<Record<string, OptionSpec>>;
    /** Named suites and one line on each; the first is the default of eval and compare. */
    readonly suites: Readonly<Record<string, string>>;
    /** What else `--suite` accepts beyond the names (an instance selection syntax), if anything. */
    readonly suiteSyntax?: string;
    suite(name: string, values: OptionValues): Suite<C>;
    /**
     * The config in which every copy of `config` is played `samples` times in a row (copies
     * i * samples .. i * samples + samples - 1 replay copy i's episode), for best-of-K sampling.
     * Absent where an episode cannot be replayed.
     */
    replicate?(config: C, samples: number): C;
    /**
     * Problems with the episode copy e has just finished with `metric` (empty when valid), or
     * null where this backend keeps no record to check.
     */
    validate(env: Cpu | Kernel, config: C, e: number, metric: number): string[] | null;
    /** Extra per-episode figures reported beside the metric (jobs per ms...). */
    extras?(env: Cpu | Kernel, config: C, e: number): Readonly<Record<string, number>>;
  };

  readonly view: {
    /** The backends that keep what a picture needs (a kernel may keep no schedule). */
    readonly backends: readonly BackendName[];
    /** An SVG picture of the episode copy e has just finished (a Gantt chart), titled `title`. */
    draw(env: Cpu | Kernel, config: C, e: number, title: string): string;
  };

  /**
   * The environment's feature module (envs/<name>/features.ts's FEATURES): names, scales (recorded
   * in checkpoints), raw inputs and writers, shared by the environment, the kernel's generated
   * constants and exported dispatch modules.
   */
  readonly features: FeatureModule;

  readonly training: {
    /** Rewards are multiplied by this before learning, to keep returns near unit scale. */
    readonly rewardScale: number;
    /**
     * The fixed validation set of a run: `count` copies, each playing one episode from reset
     * `seed` (never drawn from the training streams).
     */
    validation(options: EnvOptions, count: number): { config: C; seed: number };
    /**
     * The baselines whose best on the validation set is the figure to beat (and `selection`'s
     * reference), where not every baseline should be: a baseline added later would otherwise
     * change which validation a run selects. Absent: every baseline.
     */
    readonly references?: readonly string[];
    /**
     * How a run with these options ranks its validations for best.json where the metric alone is
     * not the aim (higher is better), from the policy's and the best baseline's mean figures on
     * the validation set (ValidationFigures). Absent, or undefined for these options: the metric.
     */
    selection?(options: EnvOptions): ValidationSelection | undefined;
  };

  readonly bench: {
    /** Flags of `schedrl bench` beyond the environment's options and --batches. */
    readonly options: Readonly<Record<string, OptionSpec>>;
    readonly defaultBatches: { readonly cpu: string; readonly webgpu: string };
    /** The cases to time: options records (one per size...), each run at every batch size. */
    cases(
      values: OptionValues,
      backend: 'cpu' | 'webgpu',
    ): { label: string; options: EnvOptions }[];
  };
}

/**
 * Any registered entry. Methods are bivariant in their parameters, so an entry over its own
 * config and batches is one of these.
 */
export type AnyEnvEntry = EnvEntry<unknown, VecEnv, KernelEnv>;

export const ENVIRONMENTS: readonly AnyEnvEntry[] = [jobshop, soc, memmap, memmapSkyline, offload];

export function findEnv(name: string): AnyEnvEntry | undefined {
  return ENVIRONMENTS.find((e) => e.name === name);
}
