/**
 * The contract of an environment's feature module (envs/<env>/features.ts).
 *
 * A feature module declares, once, what a policy sees: the names of the candidate and global
 * features, the fixed scales they are divided by, the ordered raw inputs each writer takes (with
 * meaning and unit), and the two writers. Everything else is derived from it: the environment
 * calls the writers, the kernel's WGSL constants (feature offsets and scales) are generated from
 * the names and scales (src/gpu/feature-constants.ts), and `schedrl export` embeds the module's
 * compiled JavaScript as it is (src/export/export.ts), so production computes the very numbers
 * the policy trained on. For that the module has no imports (a type-only import compiles away).
 */

/** One raw input of a feature writer, in the order the writer takes its arguments. */
export interface FeatureInput {
  /** The argument's name, as callers of exported dispatch modules spell it. */
  readonly name: string;
  /** What it is, in one line. */
  readonly doc: string;
  /** Its unit (e.g. 'time units', 'µs', 'operations'); '0/1' for flags. */
  readonly unit: string;
}

/** Writes features at `out[offset..]` from the inputs, positionally, allocating nothing. */
export type FeatureWriter = (out: Float32Array, offset: number, ...inputs: number[]) => void;

export interface FeatureModule {
  /** Candidate feature names, in the order they are written (lower_snake_case). */
  readonly candidate: readonly string[];
  /** Global feature names, in the order they are written (lower_snake_case). */
  readonly global: readonly string[];
  /** The arguments of writeCandidate after (out, offset), in order. */
  readonly candidateInputs: readonly FeatureInput[];
  /** The arguments of writeGlobal after (out, offset), in order. */
  readonly globalInputs: readonly FeatureInput[];
  /** Every fixed scale the features are divided by (UPPER_SNAKE_CASE), recorded in checkpoints. */
  readonly scales: Readonly<Record<string, number>>;
  readonly writeCandidate: FeatureWriter;
  readonly writeGlobal: FeatureWriter;
  /**
   * A whole episode over a caller's own data, for an exported module to offer beside dispatch()
   * (memmap's placeAll: a compiler's buffer list in, an offset per buffer out). `run` gets the
   * module's greedy dispatch and the checkpoint's environment options; it must be self-contained,
   * like the rest of the module. `dts` declares it in the module's .d.mts.
   */
  readonly embedding?: {
    readonly name: string;
    run(
      dispatch: EmbeddedDispatch,
      defaults: Readonly<Record<string, unknown>>,
      ...args: unknown[]
    ): unknown;
    readonly dts: string;
  };
  /**
   * Optional: one decision from a serving gateway's raw request (offload: the task, the edge
   * queues, recent cloud latencies), turned into dispatchState's candidates, state and legal
   * flags. Exported modules then offer `decide(request)`.
   */
  readonly raw?: RawDecider;
}

/** What `decide(request)` of an exported module runs before dispatchState. */
export interface RawDecider {
  /** The request's TypeScript type, for the exported .d.mts. */
  readonly type: string;
  /** What the returned index means. */
  readonly doc: string;
  decide(request: unknown): {
    readonly candidates: readonly Record<string, number>[];
    readonly state: Readonly<Record<string, number>>;
    readonly legal: readonly boolean[];
  };
}

/** The exported module's dispatch(), as an embedding calls it. */
export type EmbeddedDispatch = (cand: Float32Array, glob: Float32Array, mask: Uint8Array) => number;
