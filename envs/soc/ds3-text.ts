/**
 * Readers of DS3's own text files (job and SoC descriptions), so that users can bring their DS3
 * configurations. Written from the format's description, not from DS3's code. The format, and
 * every check made here, is described in docs/soc.md ("DS3 text files"). Every error names the
 * file, the line and what was expected: a file that reads is one schedrl understands fully, never
 * one where a line was skipped or a value defaulted without a word.
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
    /** Line of the task's declaration in a text file (absent for the bundled JSON jobs). */
    readonly line?: number;
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

/** Non-blank lines split into words; DS3 skips a line whose first word contains `#`. */
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

const fail = (file: string, line: number | undefined, expected: string): never => {
  throw new InputError(line === undefined ? { file } : { file, line }, expected);
};

/** Plain decimal notation only: Number() would also take '0x10', 'Infinity' and '1e999'. */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function shown(t: string | undefined): string {
  return t === undefined ? 'nothing' : `'${t.length > 40 ? `${t.slice(0, 40)}...` : t}'`;
}

/** A non-negative integer (an id, a count) at word i, at least `min`. */
function int(file: string, l: Line, i: number, what: string, min = 0): number {
  const t = l.w[i];
  const v = t !== undefined && /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v) || v < min)
    fail(file, l.n, `expected ${what} (an integer >= ${min}), found ${shown(t)}`);
  return v;
}

/** A finite number in decimal notation at word i: non-negative, or positive when told. */
function real(file: string, l: Line, i: number, what: string, positive = false): number {
  const t = l.w[i];
  const v = t !== undefined && DECIMAL.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v) || (positive && v <= 0))
    fail(
      file,
      l.n,
      `expected ${what} (a ${positive ? 'positive' : 'non-negative'} number), found ${shown(t)}`,
    );
  return v;
}

/** The line has exactly `count` words, shaped as `shape`. */
function arity(file: string, l: Line, count: number, shape: string): void {
  if (l.w.length !== count)
    fail(file, l.n, `expected '${shape}' (${count} words), found ${l.w.length} words`);
}

// ---------------------------------------------------------------------------------------------
// Job files

interface TaskDraft {
  id: number;
  name: string;
  preds: number[];
  head: boolean;
  tail: boolean;
  /** Line of `NAME ID PREDS`, of HEAD/TAIL, of the closing line. */
  line: number;
  markLine: number;
  closed: boolean;
}

/** The keys of a task's closing line, and whether each must be there. */
const CLOSING_KEYS = { earliest_start: true, deadline: true, input_vol: false, output_vol: false };

export function parseDs3Job(text: string, file: string): Ds3JobDescription {
  let name: { value: string; line: number } | undefined;
  let declared: { count: number; line: number } | undefined;
  const tasks: TaskDraft[] = [];
  const byName = new Map<string, TaskDraft>();
  const byId = new Map<number, TaskDraft>();
  // comm_vol lines, keyed "from>to".
  const volumes = new Map<string, { volume: number; line: number }>();
  let open: TaskDraft | undefined;
  const unclosed = (t: TaskDraft, before: string): never =>
    fail(
      file,
      t.line,
      `expected task '${t.name}' to be closed by '${t.name} earliest_start T deadline T ...' before ${before}`,
    );

  for (const l of lines(text)) {
    const [first, second] = l.w;
    if (first === 'job_name') {
      if (name !== undefined)
        fail(file, l.n, `expected one job_name line (first at line ${name.line})`);
      arity(file, l, 2, 'job_name NAME');
      name = { value: second, line: l.n };
    } else if (first === 'add_new_tasks') {
      if (declared !== undefined)
        fail(file, l.n, `expected one add_new_tasks line (first at line ${declared.line})`);
      if (tasks.length > 0) fail(file, l.n, 'expected add_new_tasks before the first task');
      arity(file, l, 2, 'add_new_tasks N');
      declared = { count: int(file, l, 1, 'the number of tasks', 1), line: l.n };
    } else if (first === 'comm_vol') {
      if (open !== undefined) unclosed(open, `line ${l.n}`);
      arity(file, l, 4, 'comm_vol FROM TO VOLUME');
      const from = int(file, l, 1, 'a task id');
      const to = int(file, l, 2, 'a task id');
      const key = `${from}>${to}`;
      const before = volumes.get(key);
      if (before !== undefined)
        fail(
          file,
          l.n,
          `expected one comm_vol per edge, found ${from} -> ${to} again (first at line ${before.line})`,
        );
      volumes.set(key, { volume: real(file, l, 3, 'a volume'), line: l.n });
    } else if (second === 'HEAD' || second === 'TAIL') {
      if (open?.name !== first)
        fail(
          file,
          l.n,
          `expected '${first} ${second}' right after the line declaring task '${first}' (NAME ID PREDECESSORS), before its earliest_start line`,
        );
      arity(file, l, 2, `${first} ${second}`);
      const t = open!;
      if (second === 'HEAD' && t.preds.length > 0)
        fail(
          file,
          l.n,
          `expected the HEAD task to have no predecessors, found '${first}' with ${t.preds.length}`,
        );
      for (const other of tasks) {
        const marked = second === 'HEAD' ? other.head : other.tail;
        if (marked)
          fail(
            file,
            l.n,
            `expected one ${second} task, found '${first}' after '${other.name}' (line ${other.markLine})`,
          );
      }
      if (second === 'HEAD') t.head = true;
      else t.tail = true;
      t.markLine = l.n;
    } else if (second === 'earliest_start') {
      if (open?.name !== first)
        fail(
          file,
          l.n,
          `expected '${open?.name ?? 'NAME'} earliest_start ...' closing ${open === undefined ? 'a task declared before it' : `task '${open.name}'`}, found '${first} earliest_start'`,
        );
      readClosing(file, l);
      open!.closed = true;
      open = undefined;
    } else if (second !== undefined && /^\d+$/.test(second)) {
      if (declared === undefined) fail(file, l.n, 'expected add_new_tasks N before the first task');
      if (open !== undefined) unclosed(open, `line ${l.n}`);
      const same = byName.get(first);
      if (same !== undefined)
        fail(
          file,
          l.n,
          `expected each task name once, found '${first}' again (first at line ${same.line})`,
        );
      const id = int(file, l, 1, 'a task id');
      const sameId = byId.get(id);
      if (sameId !== undefined)
        fail(
          file,
          l.n,
          `expected each task id once, found ${id} again (first at line ${sameId.line})`,
        );
      const preds = l.w.slice(2).map((_, i) => int(file, l, i + 2, 'a predecessor id'));
      const repeated = preds.find((p, i) => preds.indexOf(p) !== i);
      if (repeated !== undefined)
        fail(file, l.n, `expected each predecessor once, found ${repeated} again`);
      const t: TaskDraft = {
        id,
        name: first,
        preds,
        head: false,
        tail: false,
        line: l.n,
        markLine: l.n,
        closed: false,
      };
      tasks.push(t);
      byName.set(first, t);
      byId.set(id, t);
      open = t;
    } else {
      fail(
        file,
        l.n,
        `expected job_name, add_new_tasks, a task line (NAME ID PREDECESSORS), NAME HEAD/TAIL, NAME earliest_start ..., or comm_vol; found ${shown(l.w.join(' '))}`,
      );
    }
  }
  if (open !== undefined) unclosed(open, 'the end of the file');
  if (name === undefined) return fail(file, undefined, 'expected a job_name line');
  if (declared === undefined) return fail(file, undefined, 'expected an add_new_tasks line');
  if (tasks.length !== declared.count)
    fail(
      file,
      declared.line,
      `expected ${declared.count} tasks (add_new_tasks), found ${tasks.length}`,
    );
  const list = [...tasks].sort((a, b) => a.id - b.id);
  list.forEach((t, i) => {
    if (t.id !== i)
      fail(
        file,
        t.line,
        `expected task ids 0..${list.length - 1} without gaps, found ${t.id} where ${i} is missing`,
      );
  });
  for (const t of list)
    for (const p of t.preds)
      if (p >= list.length)
        fail(file, t.line, `expected predecessor ids below ${list.length}, found ${p}`);
  checkAcyclic(file, list);
  const edges: [number, number, number][] = [];
  const used = new Set<string>();
  for (const t of list) {
    for (const p of t.preds) {
      const v = volumes.get(`${p}>${t.id}`);
      if (v === undefined)
        fail(file, t.line, `expected a comm_vol line for every edge; ${p} -> ${t.id} has none`);
      used.add(`${p}>${t.id}`);
      edges.push([p, t.id, v!.volume]);
    }
  }
  for (const [key, v] of volumes) {
    if (!used.has(key))
      fail(
        file,
        v.line,
        `expected comm_vol on an edge of the job (FROM is a predecessor of TO), found ${key.replace('>', ' -> ')}, which is not one`,
      );
  }
  for (const t of list) {
    const succ = list.find((s) => s.preds.includes(t.id));
    if (t.tail && succ !== undefined)
      fail(
        file,
        t.markLine,
        `expected the TAIL task to have no successors, found '${t.name}' (task ${t.id}) before task ${succ.id}`,
      );
  }
  return {
    name: name.value,
    tasks: list.map((t) => ({
      id: t.id,
      name: t.name,
      type: t.name,
      head: t.head,
      tail: t.tail,
      line: t.line,
    })),
    edges,
  };
}

/** `NAME earliest_start T deadline T [input_vol V] [output_vol V]`: checked, then set aside. */
function readClosing(file: string, l: Line): void {
  const seen = new Set<string>();
  if ((l.w.length - 1) % 2 !== 0)
    fail(
      file,
      l.n,
      `expected 'KEY VALUE' pairs after the task name, found ${l.w.length - 1} words`,
    );
  for (let i = 1; i < l.w.length; i += 2) {
    const key = l.w[i];
    if (!Object.hasOwn(CLOSING_KEYS, key))
      fail(
        file,
        l.n,
        `expected earliest_start, deadline, input_vol or output_vol, found ${shown(key)}`,
      );
    if (seen.has(key)) fail(file, l.n, `expected ${key} once`);
    seen.add(key);
    real(file, l, i + 1, key);
  }
  for (const [key, required] of Object.entries(CLOSING_KEYS))
    if (required && !seen.has(key))
      fail(file, l.n, `expected '${key} T' on the earliest_start line`);
}

/** Refuses a cycle at the line declaring an edge that closes it (the edge p -> t is on t's line). */
function checkAcyclic(file: string, tasks: readonly TaskDraft[]): void {
  const succs = tasks.map(() => [] as number[]);
  for (const t of tasks) for (const p of t.preds) succs[p].push(t.id);
  // 0 unvisited, 1 on the current path, 2 done.
  const state = new Uint8Array(tasks.length);
  const path: number[] = [];
  for (const root of tasks) {
    if (state[root.id] !== 0) continue;
    // Iterative depth-first search: a job may be a chain of thousands of tasks.
    const stack: [number, number][] = [[root.id, 0]];
    state[root.id] = 1;
    path.push(root.id);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [u, k] = top;
      if (k < succs[u].length) {
        top[1]++;
        const v = succs[u][k];
        if (state[v] === 1) {
          const cycle = [...path.slice(path.indexOf(v)), v];
          fail(
            file,
            tasks[v].line,
            `expected a job graph without cycles; the edge ${u} -> ${v} closes the cycle ${cycle.join(' -> ')}`,
          );
        }
        if (state[v] === 0) {
          state[v] = 1;
          path.push(v);
          stack.push([v, 0]);
        }
      } else {
        state[u] = 2;
        path.pop();
        stack.pop();
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// SoC files

/** The keyed form of add_new_resource, in DS3's order (its positional form gives the values only). */
const RESOURCE_KEYS = [
  'resource_type',
  'resource_name',
  'resource_ID',
  'capacity',
  'num_supported_functionalities',
  'DVFS_mode',
] as const;

/** Lines of a resource that describe power and frequency, which schedrl does not model. */
const POWER_KEYWORDS = new Set([
  'opp',
  'trip_freq',
  'DTPM_trip_freq',
  'power_profile',
  'PG_profile',
  'mesh_information',
]);

interface Resource {
  type: string;
  name: string;
  id: number;
  capacity: number;
  functions: number;
  exec: Map<string, { time: number; line: number }>;
  line: number;
}

function readResource(file: string, l: Line): Resource {
  const keyed = l.w[1] === 'resource_type' || l.w.length === 1 + 2 * RESOURCE_KEYS.length;
  let values: readonly string[];
  if (keyed) {
    if (l.w.length !== 1 + 2 * RESOURCE_KEYS.length)
      fail(
        file,
        l.n,
        `expected add_new_resource with 6 values: ${RESOURCE_KEYS.map((k) => `${k} VALUE`).join(' ')}; found ${l.w.length - 1} words`,
      );
    RESOURCE_KEYS.forEach((k, i) => {
      if (l.w[1 + 2 * i] !== k)
        fail(file, l.n, `expected '${k}' as word ${2 + 2 * i}, found ${shown(l.w[1 + 2 * i])}`);
    });
    values = RESOURCE_KEYS.map((_, i) => l.w[2 + 2 * i]);
  } else {
    if (l.w.length !== 1 + RESOURCE_KEYS.length)
      fail(
        file,
        l.n,
        `expected add_new_resource with 6 values (TYPE NAME ID CAPACITY FUNCTIONALITIES DVFS_MODE, or each after its key), found ${l.w.length - 1} words`,
      );
    values = l.w.slice(1);
  }
  // Positions of the values within the line, for the number readers' messages.
  const at = (k: number): number => (keyed ? 2 + 2 * k : 1 + k);
  return {
    type: values[0],
    name: values[1],
    id: int(file, l, at(2), 'resource_ID'),
    capacity: int(file, l, at(3), 'capacity', 1),
    functions: int(file, l, at(4), 'num_supported_functionalities'),
    exec: new Map(),
    line: l.n,
  };
}

export function parseDs3Soc(text: string, file: string): Ds3SocDescription {
  const resources: Resource[] = [];
  let current: Resource | undefined;
  let self: { bandwidth: number; line: number } | undefined;
  // Once comm_band lines start, the resources are over.
  let bandSection = false;
  const bands: { a: number; b: number; bandwidth: number; line: number }[] = [];
  for (const l of lines(text)) {
    const w = l.w;
    if (w[0] === 'add_new_resource') {
      if (bandSection)
        fail(file, l.n, 'expected every add_new_resource before the comm_band lines');
      const r = readResource(file, l);
      const sameId = resources.find((o) => o.id === r.id);
      if (sameId !== undefined)
        fail(
          file,
          l.n,
          `expected each resource_ID once, found ${r.id} again (first at line ${sameId.line})`,
        );
      const sameName = resources.find((o) => o.name === r.name);
      if (sameName !== undefined)
        fail(
          file,
          l.n,
          `expected each resource_name once, found '${r.name}' again (first at line ${sameName.line})`,
        );
      resources.push(r);
      current = r;
    } else if (w[0] === 'comm_band_self') {
      if (self !== undefined)
        fail(file, l.n, `expected one comm_band_self line (first at line ${self.line})`);
      arity(file, l, 2, 'comm_band_self BANDWIDTH');
      self = { bandwidth: real(file, l, 1, 'a bandwidth', true), line: l.n };
      bandSection = true;
    } else if (w[0] === 'comm_band') {
      arity(file, l, 4, 'comm_band ID_A ID_B BANDWIDTH');
      const a = int(file, l, 1, 'a resource_ID');
      const b = int(file, l, 2, 'a resource_ID');
      const same = bands.find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
      if (same !== undefined)
        fail(
          file,
          l.n,
          `expected each pair of resources once, found ${a} ${b} again (first at line ${same.line})`,
        );
      // The bandwidth is checked once the resources are known (0 is allowed to the memory).
      bands.push({ a, b, bandwidth: real(file, l, 3, 'a bandwidth'), line: l.n });
      bandSection = true;
    } else if (bandSection) {
      fail(
        file,
        l.n,
        `expected comm_band or comm_band_self after the first comm_band line, found ${shown(w[0])}`,
      );
    } else if (current === undefined) {
      fail(file, l.n, `expected add_new_resource before ${shown(w[0])}`);
    } else if (POWER_KEYWORDS.has(w[0])) {
      continue;
    } else {
      // A functionality: the task type and its execution time (us) on one PE of this resource.
      if (w.length !== 2)
        fail(
          file,
          l.n,
          `expected one execution time after '${w[0]}', found ${w.length - 1} values`,
        );
      const first = current.exec.get(w[0]);
      if (first !== undefined)
        fail(
          file,
          l.n,
          `expected each functionality once per resource, found '${w[0]}' again (first at line ${first.line}; DS3 would use the first time)`,
        );
      current.exec.set(w[0], {
        time: real(file, l, 1, `the execution time of ${w[0]}`),
        line: l.n,
      });
    }
  }
  for (const r of resources) {
    if (r.exec.size !== r.functions)
      fail(
        file,
        r.line,
        `expected ${r.functions} functionalities for ${r.name} (num_supported_functionalities), found ${r.exec.size}`,
      );
  }
  const runsTasks = (r: Resource): boolean => r.type !== 'MEM';
  const byId = new Map(resources.map((r) => [r.id, r]));
  for (const band of bands) {
    for (const id of [band.a, band.b])
      if (!byId.has(id))
        fail(
          file,
          band.line,
          `expected the resource_ID of a resource (${[...byId.keys()].join(', ')}), found ${id}`,
        );
    if (band.bandwidth <= 0 && runsTasks(byId.get(band.a)!) && runsTasks(byId.get(band.b)!))
      fail(
        file,
        band.line,
        `expected a bandwidth (a positive number) between resources that run tasks, found '${band.bandwidth}'`,
      );
  }
  const pes = resources
    .filter(runsTasks)
    .flatMap((r) => Array.from({ length: r.capacity }, (_, i) => ({ r, i })));
  if (pes.length === 0)
    fail(file, undefined, 'expected at least one resource that runs tasks (a type other than MEM)');
  // DS3's defaults: a pair of resources never given has bandwidth 1, and so does the same PE
  // without comm_band_self. docs/soc.md says so; a reader cannot tell a forgotten line from these.
  const band = (a: Resource, b: Resource): number =>
    bands.find((x) => (x.a === a.id && x.b === b.id) || (x.a === b.id && x.b === a.id))
      ?.bandwidth ?? 1;
  const selfBandwidth = self?.bandwidth ?? 1;
  return {
    platform: {
      numProcs: pes.length,
      names: pes.map(({ r, i }) => `${r.name}${i}`),
      bandwidth: pes.map((p, a) => pes.map((q, b) => (a === b ? selfBandwidth : band(p.r, q.r)))),
      truncateTransfers: true,
    },
    exec: (type, p) => pes[p].r.exec.get(type)?.time ?? Infinity,
  };
}
