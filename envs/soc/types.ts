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
  /** bandwidth[p][q] for p != q (data volume per time unit); the diagonal is unused. */
  readonly bandwidth: readonly (readonly number[])[];
}

/** A static schedule: the processor, start and finish of every task. */
export interface DagSchedule {
  readonly proc: readonly number[];
  readonly start: readonly number[];
  readonly finish: readonly number[];
}
