/**
 * Readers of DS3's own text files (job and SoC descriptions), so that users can bring their DS3
 * configurations. Written from the format's description, not from DS3's code. Errors name the
 * file, the line and what was expected.
 *
 * Job file: `job_name NAME`, `add_new_tasks N`, then per task `NAME ID [PREDECESSOR_IDS...]`,
 * optionally `NAME HEAD` or `NAME TAIL`, and `NAME earliest_start T deadline T [...]`, which closes
 * the task; then `comm_vol FROM TO VOLUME` lines (an edge without one carries volume 0).
 * SoC file: per resource `add_new_resource resource_type T resource_name N resource_ID ID capacity
 * K num_supported_functionalities F DVFS_mode M` (or the same six values by position), optional
 * `opp`, `trip_freq`, `power_profile`... lines, then F lines `TASK_NAME TIME`; a MEM resource runs
 * nothing; then `comm_band_self BW` and `comm_band ID_A ID_B BW` (both directions; pairs never
 * given have bandwidth 1). Lines whose first word contains `#` are comments.
 */

import { InputError } from '../../src/core/errors.js';
import type { Platform } from './types.js';

export interface Ds3JobDescription {
  readonly name: string;
  readonly tasks: readonly {
    readonly id: number;
    readonly name: string;
    readonly type: string;
    readonly head: boolean;
    readonly tail: boolean;
  }[];
  readonly edges: readonly (readonly [number, number, number])[];
}

export interface Ds3SocDescription {
  readonly platform: Platform;
  /** Execution time of a task type on processor p (Infinity where p cannot run it). */
  exec(type: string, p: number): number;
}

interface Line {
  readonly n: number;
  readonly w: readonly string[];
}

function lines(text: string): Line[] {
  return text
    .split(/\r?\n/)
    .map((l, i) => ({
      n: i + 1,
      w: l
        .trim()
        .split(/\s+/)
        .filter((x) => x !== ''),
    }))
    .filter((l) => l.w.length > 0 && !l.w[0].includes('#'));
}

function num(file: string, l: Line, i: number, what: string, integer = true): number {
  const t = l.w[i];
  const v = Number(t);
  if (t === undefined || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < 0) {
    throw new InputError(
      { file, line: l.n },
      `expected ${what} (a non-negative ${integer ? 'integer' : 'number'}) as word ${i + 1}, found ${t === undefined ? 'nothing' : `'${t}'`}`,
    );
  }
  return v;
}

export function parseDs3Job(text: string, file: string): Ds3JobDescription {
  const ls = lines(text);
  let name: string | undefined;
  let expected = -1;
  const tasks = new Map<
    string,
    { id: number; name: string; head: boolean; tail: boolean; preds: number[]; closed: boolean }
  >();
  const volumes = new Map<string, number>();
  for (const l of ls) {
    const [first, second] = l.w;
    if (first === 'job_name') name = l.w[1];
    else if (first === 'add_new_tasks') expected = num(file, l, 1, 'the number of tasks');
    else if (first === 'comm_vol')
      volumes.set(
        `${num(file, l, 1, 'a task id')}>${num(file, l, 2, 'a task id')}`,
        num(file, l, 3, 'a volume', false),
      );
    else if (second === 'HEAD' || second === 'TAIL') {
      const t = tasks.get(first);
      if (t === undefined)
        throw new InputError(
          { file, line: l.n },
          `expected task '${first}' to be declared (NAME ID ...) before ${second}`,
        );
      if (second === 'HEAD') t.head = true;
      else t.tail = true;
    } else if (second === 'earliest_start') {
      const t = tasks.get(first);
      if (t === undefined)
        throw new InputError(
          { file, line: l.n },
          `expected task '${first}' to be declared before its earliest_start line`,
        );
      t.closed = true;
    } else if (second !== undefined && /^\d+$/.test(second)) {
      if (tasks.has(first))
        throw new InputError(
          { file, line: l.n },
          `expected each task name once, found '${first}' again`,
        );
      tasks.set(first, {
        id: Number(second),
        name: first,
        head: false,
        tail: false,
        preds: l.w.slice(2).map((_, i) => num(file, l, i + 2, 'a predecessor id')),
        closed: false,
      });
    } else {
      throw new InputError(
        { file, line: l.n },
        `expected job_name, add_new_tasks, a task line (NAME ID PREDECESSORS), NAME HEAD/TAIL, NAME earliest_start ..., or comm_vol; found '${l.w.join(' ')}'`,
      );
    }
  }
  if (name === undefined) throw new InputError({ file }, 'expected a job_name line');
  const list = [...tasks.values()].sort((a, b) => a.id - b.id);
  if (expected >= 0 && list.length !== expected)
    throw new InputError(
      { file },
      `expected ${expected} tasks (add_new_tasks), found ${list.length}`,
    );
  list.forEach((t, i) => {
    if (t.id !== i)
      throw new InputError(
        { file, field: `task ${t.name}` },
        `expected task ids 0..${list.length - 1} without gaps, found ${t.id}`,
      );
  });
  const edges: [number, number, number][] = [];
  for (const t of list) {
    for (const p of t.preds) {
      if (p >= list.length)
        throw new InputError(
          { file, field: `task ${t.name}` },
          `expected predecessor ids below ${list.length}, found ${p}`,
        );
      edges.push([p, t.id, volumes.get(`${p}>${t.id}`) ?? 0]);
    }
  }
  return {
    name,
    tasks: list.map((t) => ({ id: t.id, name: t.name, type: t.name, head: t.head, tail: t.tail })),
    edges,
  };
}

export function parseDs3Soc(text: string, file: string): Ds3SocDescription {
  interface Resource {
    type: string;
    name: string;
    id: number;
    capacity: number;
    functions: number;
    exec: Map<string, number>;
    line: number;
  }
  const resources: Resource[] = [];
  let current: Resource | undefined;
  let self = 1;
  const bands: [number, number, number][] = [];
  const ignored = new Set([
    'opp',
    'trip_freq',
    'DTPM_trip_freq',
    'power_profile',
    'PG_profile',
    'mesh_information',
  ]);
  for (const l of lines(text)) {
    const w = l.w;
    if (w[0] === 'add_new_resource') {
      const keyed = w[1] === 'resource_type';
      const get = (key: string, pos: number): string | undefined =>
        keyed ? w[w.indexOf(key) + 1] : w[pos];
      const type = get('resource_type', 1);
      const name = get('resource_name', 2);
      const at = (key: string, pos: number): number => (keyed ? w.indexOf(key) + 1 : pos);
      if (type === undefined || name === undefined)
        throw new InputError({ file, line: l.n }, 'expected resource_type and resource_name');
      current = {
        type,
        name,
        id: num(file, l, at('resource_ID', 3), 'resource_ID'),
        capacity: num(file, l, at('capacity', 4), 'capacity'),
        functions: num(
          file,
          l,
          at('num_supported_functionalities', 5),
          'num_supported_functionalities',
        ),
        exec: new Map(),
        line: l.n,
      };
      resources.push(current);
    } else if (w[0] === 'comm_band_self') self = num(file, l, 1, 'a bandwidth', false);
    else if (w[0] === 'comm_band')
      bands.push([
        num(file, l, 1, 'a resource id'),
        num(file, l, 2, 'a resource id'),
        num(file, l, 3, 'a bandwidth', false),
      ]);
    else if (ignored.has(w[0])) continue;
    else {
      if (current === undefined)
        throw new InputError({ file, line: l.n }, `expected add_new_resource before '${w[0]}'`);
      current.exec.set(w[0], num(file, l, 1, `the execution time of ${w[0]}`, false));
    }
  }
  for (const r of resources) {
    if (r.exec.size !== r.functions) {
      throw new InputError(
        { file, line: r.line },
        `expected ${r.functions} functionalities for ${r.name} (num_supported_functionalities), found ${r.exec.size}`,
      );
    }
  }
  const pes = resources
    .filter((r) => r.type !== 'MEM')
    .flatMap((r) => Array.from({ length: r.capacity }, (_, i) => ({ r, i })));
  if (pes.length === 0)
    throw new InputError({ file }, 'expected at least one resource that runs tasks');
  const band = (a: Resource, b: Resource): number =>
    bands.find(([x, y]) => (x === a.id && y === b.id) || (x === b.id && y === a.id))?.[2] ?? 1;
  return {
    platform: {
      numProcs: pes.length,
      names: pes.map(({ r, i }) => `${r.name}${i}`),
      bandwidth: pes.map((p, a) => pes.map((q, b) => (a === b ? self : band(p.r, q.r)))),
      truncateTransfers: true,
    },
    exec: (type, p) => {
      const { r } = pes[p];
      return r.exec.get(type) ?? Infinity;
    },
  };
}
