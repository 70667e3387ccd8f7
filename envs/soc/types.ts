/**
 * DAG-structured jobs on a heterogeneous system-on-chip: the static part (issue 5 starts here).
 * A task graph says what runs where and how long; the platform says how fast data moves.
 */

export interface Edge {
  readonly from: number;
  readonly to: number;
  /** Data volume; the transfer takes volume / bandwidth between different processors, 0 on one. */
  readonly volume: number;
}

export interface TaskGraph {
  readonly name: string;
  readonly numTasks: number;
  /** exec[t][p]: execution time of task t on processor p; Infinity where p cannot run t. */
  readonly exec: readonly (readonly number[])[];
  readonly edges: readonly Edge[];
}

export interface Platform {
  readonly numProcs: number;
  /** Processor names, for charts and tables (e.g. A7, FFT). */
  readonly names: readonly string[];
  /**
   * bandwidth[p][q]: data volume per time unit from p to q. A transfer takes volume / bandwidth;
   * on the diagonal Infinity means data stays in place for free (DS3 gives a finite local rate).
   */
  readonly bandwidth: readonly (readonly number[])[];
  /** Round transfer times down to whole time units, as DS3 does. */
  readonly truncateTransfers: boolean;
}

/** A static schedule: the processor, start and finish of every task. */
export interface DagSchedule {
  readonly proc: readonly number[];
  readonly start: readonly number[];
  readonly finish: readonly number[];
}
