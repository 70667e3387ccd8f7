/**
 * Buffer traces: minimalloc's CSV format (`id,lower,upper,size`, half-open live ranges) with two
 * optional columns, `alignment` and `benefit`, read strictly (every problem names file:line and
 * what was expected); the bundled minimalloc benchmarks; and the facts every consumer needs (the
 * lower bound of the peak, the decision orders).
 */

import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, UsageError } from '../../src/core/errors.js';
import { readTextFile } from '../../src/core/files.js';
import { packageRoot } from '../../src/core/paths.js';
import type { DecisionOrder, MemBuffer, Trace } from './types.js';

/** Largest time, size, offset or capacity: the state is 32-bit signed integers. */
export const MAX_VALUE = 0x3fffffff;
/**
 * Largest sum of a trace's sizes and alignment paddings (size + alignment - 1 per buffer): every
 * offset, top and peak, and every sum of two, stays below 2^31 on the device.
 */
export const MAX_TOTAL_SIZE = 0x3fffffff;
/** Largest alignment. */
export const MAX_ALIGNMENT = 1 << 20;
/** Largest sum of a trace's benefits: exact in a double. */
export const MAX_TOTAL_BENEFIT = Number.MAX_SAFE_INTEGER;

const REQUIRED = ['id', 'lower', 'upper', 'size'] as const;
const OPTIONAL = ['alignment', 'benefit'] as const;

/** A size x lifetime benefit, the default where a trace gives none. */
export function defaultBenefit(b: Pick<MemBuffer, 'start' | 'end' | 'size'>): number {
  return b.size * (b.end - b.start);
}

/** Parses a trace's text; `file` names it in errors, `capacity` is its fast-memory size. */
export function parseTrace(text: string, file: string, name: string, capacity: number): Trace {
  if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_VALUE)
    throw new InputError({ file, field: 'capacity' }, `expected an integer in 1..${MAX_VALUE}`);
  const lines = text.split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').trim();
  const columns = header.split(',').map((c) => c.trim());
  for (const c of REQUIRED)
    if (!columns.includes(c))
      throw new InputError(
        { file, line: 1 },
        `expected a header naming the columns ${REQUIRED.join(',')} (optionally ${OPTIONAL.join(', ')}), got '${header.slice(0, 80)}'`,
      );
  for (const c of columns)
    if (
      !(REQUIRED as readonly string[]).includes(c) &&
      !(OPTIONAL as readonly string[]).includes(c)
    )
      throw new InputError(
        { file, line: 1, field: c },
        `unknown column; expected ${[...REQUIRED, ...OPTIONAL].join(', ')}`,
      );
  if (new Set(columns).size !== columns.length)
    throw new InputError({ file, line: 1 }, 'expected each column once');
  const at = (c: string): number => columns.indexOf(c);
  const buffers: MemBuffer[] = [];
  const ids = new Map<string, number>();
  let totalSize = 0;
  let totalBenefit = 0;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '');
    if (raw.trim() === '') {
      if (lines.slice(i).every((l) => l.trim() === '')) break;
      throw new InputError({ file, line: i + 1 }, 'expected a buffer, got an empty line');
    }
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length !== columns.length)
      throw new InputError(
        { file, line: i + 1 },
        `expected ${columns.length} comma-separated values (${columns.join(',')}), got ${cells.length}`,
      );
    const int = (c: string, min: number, max: number): number => {
      const text = cells[at(c)];
      const v = /^\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(v) || v < min || v > max)
        throw new InputError(
          { file, line: i + 1, field: c },
          `expected an integer in ${min}..${max}, got '${text.slice(0, 40)}'`,
        );
      return v;
    };
    const id = cells[at('id')];
    if (id === '') throw new InputError({ file, line: i + 1, field: 'id' }, 'expected a name');
    const seen = ids.get(id);
    if (seen !== undefined)
      throw new InputError(
        { file, line: i + 1, field: 'id' },
        `expected a unique id, '${id.slice(0, 40)}' is also on line ${seen}`,
      );
    ids.set(id, i + 1);
    const start = int('lower', 0, MAX_VALUE - 1);
    const end = int('upper', 0, MAX_VALUE);
    if (end <= start)
      throw new InputError(
        { file, line: i + 1, field: 'upper' },
        `expected upper > lower (${start}): live ranges are half-open [lower, upper)`,
      );
    const size = int('size', 1, MAX_VALUE);
    const alignment = at('alignment') >= 0 ? int('alignment', 1, MAX_ALIGNMENT) : 1;
    const benefit =
      at('benefit') >= 0
        ? int('benefit', 0, MAX_TOTAL_BENEFIT)
        : defaultBenefit({ start, end, size });
    totalSize += size + alignment - 1;
    totalBenefit += benefit;
    if (totalSize > MAX_TOTAL_SIZE)
      throw new InputError(
        { file, line: i + 1, field: 'size' },
        `expected the sizes (each with its alignment - 1) to sum to at most ${MAX_TOTAL_SIZE}`,
      );
    if (totalBenefit > MAX_TOTAL_BENEFIT)
      throw new InputError(
        { file, line: i + 1, field: 'benefit' },
        `expected the benefits to sum to at most ${MAX_TOTAL_BENEFIT}`,
      );
    buffers.push({ id, start, end, size, alignment, benefit });
  }
  if (buffers.length === 0) throw new InputError({ file, line: 2 }, 'expected at least one buffer');
  return { name, capacity, buffers };
}

/**
 * minimalloc's file names carry the capacity: `A.1048576.csv` is instance A at 1048576 bytes.
 * Returns the name and that capacity, or the capacity given.
 */
export function traceNameAndCapacity(
  path: string,
  capacity?: number,
): { name: string; capacity: number } {
  const file = basename(path).replace(/\.csv$/i, '');
  const m = /^(.*)\.(\d+)$/.exec(file);
  if (capacity !== undefined) return { name: m === null ? file : m[1], capacity };
  if (m === null)
    throw new InputError(
      { file: path },
      'expected a capacity: name the file NAME.CAPACITY.csv (minimalloc style) or give --capacity',
    );
  return { name: m[1], capacity: Number(m[2]) };
}

/** Reads a trace file (capacity from its name unless given). */
export function readTraceFile(path: string, capacity?: number): Trace {
  const { name, capacity: c } = traceNameAndCapacity(path, capacity);
  return parseTrace(readTextFile(path, 'trace (CSV id,lower,upper,size)'), path, name, c);
}

export function dataDir(): string {
  return join(packageRoot(), 'envs', 'memmap', 'data');
}

/** The bundled trace sets, by folder. */
export const BUNDLED_SETS = ['challenging', 'examples'] as const;
export type BundledSet = (typeof BUNDLED_SETS)[number];

/** Every trace of a bundled set, in name order. */
export function bundledTraces(set: BundledSet): Trace[] {
  const dir = join(dataDir(), set);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .map((f) => readTraceFile(join(dir, f)));
}

/** A bundled trace by name (`A`, `input`), or a user's file. */
export function findTrace(word: string, capacity?: number): Trace {
  if (word.endsWith('.csv')) return readTraceFile(word, capacity);
  for (const set of BUNDLED_SETS) {
    const t = bundledTraces(set).find((x) => x.name === word);
    if (t !== undefined) return capacity === undefined ? t : { ...t, capacity };
  }
  throw new UsageError(
    `unknown trace '${word}'`,
    `bundled traces: ${BUNDLED_SETS.map((s) =>
      bundledTraces(s)
        .map((t) => t.name)
        .join(' '),
    ).join(' ')}, or a FILE.csv`,
  );
}

/** The most bytes alive at one time: no placement's peak is below it. */
export function liveBytesBound(buffers: readonly MemBuffer[]): number {
  const events: [number, number][] = [];
  for (const b of buffers) events.push([b.start, b.size], [b.end, -b.size]);
  // Ends before starts at the same time: half-open ranges [s, e) and [e, f) never meet.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let most = 0;
  for (const [, d] of events) {
    live += d;
    if (live > most) most = live;
  }
  return most;
}

/** The trace's buffer indices in decision order (ties: the trace's order). */
export function decisionOrder(buffers: readonly MemBuffer[], order: DecisionOrder): number[] {
  const idx = buffers.map((_, i) => i);
  const life = (i: number): number => buffers[i].end - buffers[i].start;
  const key: Record<DecisionOrder, (a: number, b: number) => number> = {
    start: (a, b) => buffers[a].start - buffers[b].start || buffers[b].size - buffers[a].size,
    size: (a, b) => buffers[b].size - buffers[a].size || life(b) - life(a),
    duration: (a, b) => life(b) - life(a) || buffers[b].size - buffers[a].size,
    given: () => 0,
  };
  return idx.sort((a, b) => key[order](a, b) || a - b);
}
