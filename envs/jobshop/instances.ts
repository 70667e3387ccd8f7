/**
 * Job-shop instance files, the bundled benchmark sets and their best-known bounds.
 *
 * Two text formats are read, and told apart by their shape rather than by the file name (many
 * files called "Taillard" are in the standard format):
 * - standard (OR-Library): `<jobs> <machines>`, then one line per job of `<machine> <duration>`
 *   pairs, machines 0-based. Lines may be shorter than 2 * machines (jobs with fewer operations)
 *   and may repeat a machine (re-entrant jobs).
 * - Taillard: `<jobs> <machines>` (Taillard's own files put seeds and bounds after them on a
 *   header line under "Nb of jobs, ..."), then `jobs` lines of `machines` durations (optionally
 *   under a "Times" line), then `jobs` lines of 1-based machines (optionally under "Machines").
 * Lines starting with `#` are comments.
 */

import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, UsageError } from '../../src/core/errors.js';
import { streamSeed } from '../../src/core/rng.js';
import { packageRoot } from '../../src/core/paths.js';
import { MAX_TIME, randomInstance, randomSource } from './generator.js';
import type { Instance, Operation } from './types.js';

export type InstanceFormat = 'standard' | 'taillard';

interface DataLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly tokens: readonly string[];
}

/** Longest excerpt of a line or token that an error message quotes. */
const EXCERPT = 24;

/**
 * A token or line as an error message shows it: control characters escaped and long text cut, so
 * that a binary or huge file never fills the terminal with its bytes.
 */
export function excerpt(text: string): string {
  const cut = text.length > EXCERPT ? text.slice(0, EXCERPT) : text;
  // eslint-disable-next-line no-control-regex -- control characters are what is escaped
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) =>
    c === '\ufffd' ? '\\ufffd' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return text.length > EXCERPT ? `'${escaped}...' (${text.length} characters)` : `'${escaped}'`;
}

const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Instance files are text: a NUL byte means a binary file was given. */
function checkText(text: string, file: string): void {
  const nul = text.indexOf('\u0000');
  if (nul >= 0)
    throw new InputError(
      { file, line: lineOf(text, nul) },
      'expected a text file, found a NUL byte (binary data?)',
    );
}

/**
 * Decodes a file's bytes as UTF-8, refusing NUL bytes and invalid sequences at their line
 * (readFileSync's 'utf8' would turn them into U+FFFD without a word).
 */
function decodeText(bytes: Uint8Array, file: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const nul = bytes.indexOf(0);
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (nul >= start && nul < end)
      throw new InputError({ file, line }, 'expected a text file, found a NUL byte (binary data?)');
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      throw new InputError(
        { file, line },
        'expected UTF-8 text, found an invalid byte sequence (a binary file, or another encoding?)',
      );
    }
    start = end + 1;
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function dataLines(text: string): DataLine[] {
  const out: DataLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '' || t.startsWith('#')) continue;
    out.push({ line: i + 1, tokens: t.split(/\s+/) });
  }
  return out;
}

function integer(
  file: string,
  dl: DataLine,
  index: number,
  what: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const token = dl.tokens[index];
  if (!/^[+-]?\d+$/.test(token)) {
    throw new InputError(
      { file, line: dl.line, field: `token ${index + 1}` },
      `expected ${what} (an integer), found ${excerpt(token)}`,
    );
  }
  const v = Number(token);
  if (v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
    throw new InputError(
      { file, line: dl.line, field: `token ${index + 1}` },
      `expected ${what} ${range}, found ${v}`,
    );
  }
  return v;
}

const isKeyword = (dl: DataLine, word: string): boolean =>
  dl.tokens[0].toLowerCase().startsWith(word);

/** Parses instance text in either format. `file` names the source in error messages. */
export function parseInstance(
  text: string,
  file = '<string>',
  name = instanceNameFromFile(file),
): Instance {
  checkText(text, file);
  let lines = dataLines(text);
  // Taillard's own files: "Nb of jobs, Nb of Machines, ..." then the values, "Times", ..., "Machines", ...
  const labelled = lines.length > 0 && isKeyword(lines[0], 'nb');
  if (labelled) lines = lines.slice(1);
  if (lines.length === 0)
    throw new InputError({ file }, 'expected a header line `<jobs> <machines>`, found no data');
  const header = lines[0];
  if (header.tokens.length < 2 || (!labelled && header.tokens.length !== 2)) {
    throw new InputError(
      { file, line: header.line },
      `expected a header line '<jobs> <machines>', found ${excerpt(header.tokens.join(' '))}`,
    );
  }
  const numJobs = integer(file, header, 0, 'the number of jobs', 1);
  const numMachines = integer(file, header, 1, 'the number of machines', 1);
  const body = lines.slice(1).filter((dl) => !isKeyword(dl, 'times') && !isKeyword(dl, 'machines'));
  const format = detectFormat(body, numJobs, numMachines, labelled);
  const jobs =
    format === 'taillard'
      ? readTaillard(file, body, numJobs, numMachines)
      : readStandard(file, body, header, numJobs, numMachines);
  const instance = { name, numJobs, numMachines, jobs };
  checkTotalWork(instance, file);
  return instance;
}

/** Times are 32-bit integers; the makespan is at most the total work, so that must fit. */
function checkTotalWork(inst: Instance, file: string): void {
  let total = 0;
  for (const ops of inst.jobs) for (const op of ops) total += op.duration;
  if (total > MAX_TIME) {
    throw new InputError(
      { file },
      `expected a total processing time of at most ${MAX_TIME} (schedules are 32-bit integers), found ${total}`,
    );
  }
}

function detectFormat(
  body: readonly DataLine[],
  numJobs: number,
  numMachines: number,
  labelled: boolean,
): InstanceFormat {
  if (labelled) return 'taillard';
  // A standard file has exactly one line per job, so 2 * jobs lines of `machines` values can only
  // be Taillard's layout (readTaillard then checks that machine rows are permutations).
  const square = body.every((dl) => dl.tokens.length === numMachines);
  return body.length === 2 * numJobs && square ? 'taillard' : 'standard';
}

function readStandard(
  file: string,
  body: readonly DataLine[],
  header: DataLine,
  numJobs: number,
  numMachines: number,
): Operation[][] {
  if (body.length !== numJobs) {
    // Rows of exactly `machines` values between n and 2n lines look like a cut Taillard file.
    const taillardLike =
      body.length > numJobs &&
      body.length < 2 * numJobs &&
      body.every((dl) => dl.tokens.length === numMachines);
    const where = taillardLike
      ? `or ${2 * numJobs} lines of ${numMachines} values (Taillard format); the file ends early (truncated?)`
      : body.length < numJobs
        ? 'the file ends early (truncated?)'
        : `line ${body[numJobs].line} is one too many`;
    const last = body.length > 0 ? body[body.length - 1].line : header.line;
    throw new InputError(
      { file, line: taillardLike || body.length < numJobs ? last : body[numJobs].line },
      `expected ${numJobs} job lines after the header '${numJobs} ${numMachines}', found ${body.length}: ${where}`,
    );
  }
  return body.map((dl) => {
    if (dl.tokens.length % 2 !== 0) {
      throw new InputError(
        { file, line: dl.line },
        `expected '<machine> <duration>' pairs, found an odd number of values (${dl.tokens.length})`,
      );
    }
    // The header's machine count bounds the operations per job too (docs/jobshop.md): fewer
    // (ragged) and repeated machines (re-entrant) are allowed, more would be an extra pair.
    if (dl.tokens.length > 2 * numMachines)
      throw new InputError(
        { file, line: dl.line },
        `expected at most ${numMachines} operations per job (the header's machine count), found ${dl.tokens.length / 2}`,
      );
    const ops: Operation[] = [];
    for (let i = 0; i < dl.tokens.length; i += 2) {
      const machine = integer(file, dl, i, 'a machine index', 0, numMachines - 1);
      const duration = integer(file, dl, i + 1, 'a duration', 0, MAX_TIME);
      ops.push({ machine, duration });
    }
    if (ops.length === 0)
      throw new InputError(
        { file, line: dl.line },
        'expected at least one operation on a job line',
      );
    return ops;
  });
}

function readTaillard(
  file: string,
  body: readonly DataLine[],
  numJobs: number,
  numMachines: number,
): Operation[][] {
  if (body.length !== 2 * numJobs) {
    throw new InputError(
      body.length > 0 ? { file, line: body[body.length - 1].line } : { file },
      `expected ${numJobs} lines of durations and ${numJobs} lines of machines (Taillard format), found ${body.length} lines`,
    );
  }
  const jobs: Operation[][] = [];
  for (let j = 0; j < numJobs; j++) {
    const times = body[j];
    const machines = body[numJobs + j];
    for (const dl of [times, machines]) {
      if (dl.tokens.length !== numMachines) {
        throw new InputError(
          { file, line: dl.line },
          `expected ${numMachines} values (Taillard format), found ${dl.tokens.length}`,
        );
      }
    }
    const ops: Operation[] = [];
    const seen = new Set<number>();
    for (let o = 0; o < numMachines; o++) {
      const duration = integer(file, times, o, 'a duration', 0, MAX_TIME);
      const machine = integer(file, machines, o, 'a 1-based machine index', 1, numMachines) - 1;
      if (seen.has(machine)) {
        throw new InputError(
          { file, line: machines.line, field: `token ${o + 1}` },
          `expected each machine 1..${numMachines} once per job (Taillard format), found machine ${machine + 1} again`,
        );
      }
      seen.add(machine);
      ops.push({ machine, duration });
    }
    jobs.push(ops);
  }
  return jobs;
}

/** Reads an instance file; errors name the file and line. */
export function readInstanceFile(path: string): Instance {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InputError(
      { file: path },
      `expected a readable instance file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return parseInstance(decodeText(bytes, path), path);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function instanceNameFromFile(file: string): string {
  return basename(file).replace(/\.(txt|jss|jsp|data?)$/i, '');
}

/** Structural check of an instance built in code (files are checked while parsing). */
export function checkInstance(inst: Instance): void {
  const file = `instance ${inst.name}`;
  if (!Number.isInteger(inst.numJobs) || inst.numJobs < 1)
    throw new InputError(
      { file, field: 'numJobs' },
      `expected a positive integer, found ${inst.numJobs}`,
    );
  if (!Number.isInteger(inst.numMachines) || inst.numMachines < 1)
    throw new InputError(
      { file, field: 'numMachines' },
      `expected a positive integer, found ${inst.numMachines}`,
    );
  if (inst.jobs.length !== inst.numJobs)
    throw new InputError(
      { file, field: 'jobs' },
      `expected ${inst.numJobs} jobs, found ${inst.jobs.length}`,
    );
  inst.jobs.forEach((ops, j) => {
    if (ops.length === 0)
      throw new InputError({ file, field: `jobs[${j}]` }, 'expected at least one operation');
    ops.forEach((op, o) => {
      if (!Number.isInteger(op.machine) || op.machine < 0 || op.machine >= inst.numMachines) {
        throw new InputError(
          { file, field: `jobs[${j}][${o}].machine` },
          `expected an integer in 0..${inst.numMachines - 1}, found ${op.machine}`,
        );
      }
      if (!Number.isInteger(op.duration) || op.duration < 0) {
        throw new InputError(
          { file, field: `jobs[${j}][${o}].duration` },
          `expected a non-negative integer, found ${op.duration}`,
        );
      }
    });
  });
  checkTotalWork(inst, file);
}

/** Writes an instance in the standard format. */
export function formatInstance(inst: Instance): string {
  const lines = [`${inst.numJobs} ${inst.numMachines}`];
  for (const ops of inst.jobs)
    lines.push(ops.map((op) => `${op.machine} ${op.duration}`).join(' '));
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Bundled benchmark sets

export interface BestKnown {
  readonly family: string;
  readonly jobs: number;
  readonly machines: number;
  /** Best proved lower bound on the optimal makespan. */
  readonly lowerBound: number;
  /** Best known makespan (upper bound). Gaps are measured against it. */
  readonly upperBound: number;
  readonly optimal: boolean;
}

/** Family names and the aliases a user may type for them. */
export const FAMILIES: Readonly<Record<string, readonly string[]>> = {
  ft: ['fisher', 'fisher-thompson'],
  la: ['lawrence'],
  abz: ['adams'],
  orb: ['applegate'],
  swv: ['storer'],
  yn: ['yamada'],
  ta: ['taillard'],
  bel: ['boveroux'],
};

export function dataDir(): string {
  return join(packageRoot(), 'envs', 'jobshop', 'data');
}

let boundsCache: Readonly<Record<string, BestKnown>> | undefined;

/** Best-known bounds of every bundled instance, keyed by name, in the order of data/bounds.json. */
export function bundledBounds(): Readonly<Record<string, BestKnown>> {
  if (boundsCache === undefined) {
    const file = join(dataDir(), 'bounds.json');
    let parsed: { instances?: Record<string, BestKnown> };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
    } catch (err) {
      throw new InputError({ file }, `expected readable JSON (${(err as Error).message})`);
    }
    if (parsed.instances === undefined)
      throw new InputError({ file, field: 'instances' }, 'expected an object of instances');
    boundsCache = parsed.instances;
  }
  return boundsCache;
}

export function bundledNames(): string[] {
  return Object.keys(bundledBounds());
}

export function loadBundled(name: string): Instance {
  if (!Object.hasOwn(bundledBounds(), name))
    throw new UsageError(`unknown instance '${name}'`, selectionHint());
  return readInstanceFile(join(dataDir(), 'instances', `${name}.txt`));
}

export function selectionHint(): string {
  const fams = Object.entries(FAMILIES)
    .map(([f, aliases]) => [f, ...aliases].join('|'))
    .join(', ');
  return `select instances by name (ta01), range (ta01-ta10), family (${fams}), family:JxM (taillard:15x15), 'all', random:JxM[:N] (N random Taillard-style instances, default ${RANDOM_COUNT}), or a file path; separate items with commas`;
}

function familyOf(word: string): string | undefined {
  const w = word.toLowerCase();
  for (const [f, aliases] of Object.entries(FAMILIES)) if (f === w || aliases.includes(w)) return f;
  return undefined;
}

export interface SelectedInstance {
  readonly instance: Instance;
  /** Undefined for instances read from a user's file or generated. */
  readonly bounds: BestKnown | undefined;
  /** True for the instances of a `random:JxM:N` item. */
  readonly generated?: boolean;
}

/**
 * `random:JxM:N` instances come from a seed of their own, apart from training's and validation's,
 * so that checkpoints can be compared on random instances of any size without selecting on a
 * benchmark. Instance i of a size is stream i of a seed drawn from this one and the size,
 * whatever else the selection holds.
 */
const RANDOM_SELECTION_SEED = 20_260_103;
/** Instances of a `random:JxM` item without a count. */
const RANDOM_COUNT = 10;

/** The instances of a `random:JxM[:N]` item. */
function randomItem(item: string): Instance[] {
  const [, size, countWord, ...extra] = item.split(':');
  const m = /^(\d+)x(\d+)$/i.exec(size ?? '');
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1 || extra.length > 0)
    throw new UsageError(
      `bad item '${item}': expected random:JOBSxMACHINES[:COUNT] such as random:15x15:20`,
      selectionHint(),
    );
  if (countWord !== undefined && !/^\d+$/.test(countWord))
    throw new UsageError(`bad count in '${item}': expected an integer from 1 to 10000`);
  const count = countWord === undefined ? RANDOM_COUNT : Number(countWord);
  if (count < 1 || count > 10_000)
    throw new UsageError(`bad count in '${item}': expected an integer from 1 to 10000`);
  const [jobs, machines] = [Number(m[1]), Number(m[2])];
  const source = randomSource(jobs, machines);
  // A seed per size: instance i of two sizes would otherwise share its first jobs (the
  // generator draws job by job), and a comparison across sizes would not be independent.
  const seed = streamSeed(RANDOM_SELECTION_SEED, jobs * 65_536 + machines);
  return Array.from({ length: count }, (_, i) =>
    randomInstance(source, seed, i, `random-${jobs}x${machines}-${i}`),
  );
}

/**
 * Resolves a selection such as `ta01-ta10,lawrence,taillard:15x15,my/file.txt` to instances, in
 * the order given, without duplicates. Unknown names are a UsageError (exit code 2).
 */
export function selectInstances(selector: string): SelectedInstance[] {
  const bounds = bundledBounds();
  const names = Object.keys(bounds);
  // Bundled names and file paths, in the order given.
  const picked: { name?: string; file?: string; generated?: Instance }[] = [];
  for (const raw of selector.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const bundled = Object.hasOwn(bounds, item.toLowerCase());
    if (item.includes('/') || item.endsWith('.txt') || (!bundled && isFile(item))) {
      picked.push({ file: item });
      continue;
    }
    if (item.toLowerCase() === 'all') {
      picked.push(...names.map((name) => ({ name })));
      continue;
    }
    const [familyWord, size] = item.split(':');
    if (familyWord.toLowerCase() === 'random') {
      picked.push(...randomItem(item).map((generated) => ({ generated })));
      continue;
    }
    const family = familyOf(familyWord);
    if (family !== undefined) {
      let members = names.filter((n) => bounds[n].family === family);
      if (size !== undefined) {
        const m = /^(\d+)x(\d+)$/i.exec(size);
        if (m === null)
          throw new UsageError(
            `bad size '${size}' in '${item}': expected JOBSxMACHINES such as 15x15`,
            selectionHint(),
          );
        members = members.filter(
          (n) => bounds[n].jobs === Number(m[1]) && bounds[n].machines === Number(m[2]),
        );
        if (members.length === 0) {
          const sizes = [
            ...new Set(
              names
                .filter((n) => bounds[n].family === family)
                .map((n) => `${bounds[n].jobs}x${bounds[n].machines}`),
            ),
          ];
          throw new UsageError(
            `no ${family} instance has size ${size}`,
            `sizes of ${family}: ${sizes.join(', ')}`,
          );
        }
      }
      picked.push(...members.map((name) => ({ name })));
      continue;
    }
    const range = /^([a-z]+)(\d+)-([a-z]*)(\d+)$/i.exec(item);
    if (range !== null) {
      const [, prefix, from, prefix2, to] = range;
      if (prefix2 !== '' && prefix2.toLowerCase() !== prefix.toLowerCase())
        throw new UsageError(`range '${item}' mixes families`, selectionHint());
      const lo = Number(from);
      const hi = Number(to);
      const members = names.filter((n) => {
        const m = /^([a-z]+)(\d+)$/.exec(n);
        return (
          m !== null && m[1] === prefix.toLowerCase() && Number(m[2]) >= lo && Number(m[2]) <= hi
        );
      });
      if (members.length === 0)
        throw new UsageError(`range '${item}' matches no bundled instance`, selectionHint());
      picked.push(...members.map((name) => ({ name })));
      continue;
    }
    if (!Object.hasOwn(bounds, item.toLowerCase()))
      throw new UsageError(`unknown instance '${item}'`, selectionHint());
    picked.push({ name: item.toLowerCase() });
  }
  if (picked.length === 0)
    throw new UsageError(`instance selection '${selector}' is empty`, selectionHint());
  const seen = new Set<string>();
  const taken = new Set<string>();
  const out: SelectedInstance[] = [];
  for (const p of picked) {
    const key =
      p.generated !== undefined
        ? `random:${p.generated.name}`
        : p.name !== undefined
          ? `name:${p.name}`
          : `file:${p.file}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (p.generated !== undefined) {
      out.push({ instance: p.generated, bounds: undefined, generated: true });
    } else if (p.name !== undefined) {
      out.push({ instance: loadBundled(p.name), bounds: bounds[p.name] });
    } else {
      const inst = readInstanceFile(p.file!);
      // Two files with one base name (a/x.txt, b/x.txt) keep their paths as names.
      out.push({
        instance: taken.has(inst.name) ? { ...inst, name: p.file! } : inst,
        bounds: undefined,
      });
    }
    taken.add(out[out.length - 1].instance.name);
  }
  return out;
}
