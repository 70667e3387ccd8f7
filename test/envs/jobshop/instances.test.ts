import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../../src/core/errors.js';
import {
  bundledBounds,
  bundledNames,
  checkInstance,
  dataDir,
  formatInstance,
  instanceNameFromFile,
  loadBundled,
  parseInstance,
  readInstanceFile,
  selectInstances,
} from '../../../envs/jobshop/instances.js';
import type { Instance } from '../../../envs/jobshop/types.js';
import { randomInstance, randomSource } from '../../../envs/jobshop/generator.js';
import { groupNames } from '../../../envs/jobshop/suites.js';
import { jobshop } from '../../../envs/jobshop/entry.js';
import {
  RAGGED,
  RAGGED_STANDARD_TEXT,
  REENTRANT,
  REENTRANT_STANDARD_TEXT,
  TINY_3X3,
  TINY_3X3_STANDARD_TEXT,
  TINY_3X3_TAILLARD_LABELLED_TEXT,
  TINY_3X3_TAILLARD_SECTIONS_TEXT,
  TINY_3X3_TAILLARD_TEXT,
} from './fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'schedrl-instances-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeTemp(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const named = (inst: Instance, name: string): Instance => ({ ...inst, name });

/** Runs `fn`, which must throw an error of class `cls`, and returns that error. */
function thrown<E extends Error>(cls: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof cls) return err;
    throw new Error(`expected a ${cls.name}, got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected a ${cls.name}, nothing was thrown`);
}

/**
 * The error names the file and the line (in the message and in `location`) and says what was
 * expected; `phrases` are fragments of that expectation.
 */
function expectInputError(
  fn: () => unknown,
  file: string,
  line: number,
  ...phrases: readonly string[]
): InputError {
  const err = thrown(InputError, fn);
  expect(err.location.file).toBe(file);
  expect(err.location.line).toBe(line);
  expect(err.message).toContain(`${file}:${line}`);
  expect(err.message).toMatch(/expected/);
  for (const phrase of phrases) expect(err.message).toContain(phrase);
  return err;
}

/** Longest job and busiest machine: no schedule can be shorter. */
function trivialLowerBound(inst: Instance): number {
  const machineLoad = new Array<number>(inst.numMachines).fill(0);
  let longestJob = 0;
  for (const ops of inst.jobs) {
    let length = 0;
    for (const op of ops) {
      length += op.duration;
      machineLoad[op.machine] += op.duration;
    }
    longestJob = Math.max(longestJob, length);
  }
  return Math.max(longestJob, ...machineLoad);
}

describe('parseInstance: valid files', () => {
  it('reads the standard format, skipping comments and blank lines', () => {
    expect(parseInstance(TINY_3X3_STANDARD_TEXT, 'tiny3x3.txt')).toEqual(TINY_3X3);
  });

  it('reads Taillard files with and without labels to the same instance (machines 1-based)', () => {
    const standard = parseInstance(TINY_3X3_STANDARD_TEXT, 'tiny3x3.txt');
    for (const text of [
      TINY_3X3_TAILLARD_LABELLED_TEXT,
      TINY_3X3_TAILLARD_TEXT,
      TINY_3X3_TAILLARD_SECTIONS_TEXT,
    ]) {
      expect(parseInstance(text, 'tiny3x3.txt')).toEqual(standard);
    }
  });

  it('reads Windows line endings and extra spaces', () => {
    for (const text of [TINY_3X3_STANDARD_TEXT, TINY_3X3_TAILLARD_LABELLED_TEXT]) {
      const crlf = text.replace(/\n/g, '\r\n').replace(/ /g, '  ');
      expect(parseInstance(crlf, 'tiny3x3.txt')).toEqual(TINY_3X3);
    }
  });

  it('reads jobs with fewer operations than machines', () => {
    const inst = parseInstance(RAGGED_STANDARD_TEXT, 'ragged.txt');
    expect(inst).toEqual(RAGGED);
    expect(inst.jobs.map((ops) => ops.length)).toEqual([3, 3, 2]);
  });

  it('reads jobs that revisit a machine', () => {
    const inst = parseInstance(REENTRANT_STANDARD_TEXT, 'reentrant.txt');
    expect(inst).toEqual(REENTRANT);
    expect(inst.jobs[0].map((op) => op.machine)).toEqual([0, 1, 0]);
  });

  it('reads a zero duration and a square standard file that is not Taillard', () => {
    // 2 jobs x 2 machines: each job line has 4 values, so it cannot be mistaken for Taillard.
    const inst = parseInstance('2 2\n0 0 1 5\n1 3 0 0\n');
    expect(inst.jobs).toEqual([
      [
        { machine: 0, duration: 0 },
        { machine: 1, duration: 5 },
      ],
      [
        { machine: 1, duration: 3 },
        { machine: 0, duration: 0 },
      ],
    ]);
  });

  it('names the instance after the file, or as told', () => {
    expect(parseInstance(TINY_3X3_STANDARD_TEXT, 'some/dir/abc.txt').name).toBe('abc');
    expect(parseInstance(TINY_3X3_STANDARD_TEXT, 'x.txt', 'given').name).toBe('given');
    expect(instanceNameFromFile('/a/b/ft06.txt')).toBe('ft06');
    expect(instanceNameFromFile('la01.jss')).toBe('la01');
    expect(instanceNameFromFile('plain')).toBe('plain');
  });
});

describe('formatInstance', () => {
  it('writes the standard format', () => {
    expect(formatInstance(TINY_3X3)).toBe('3 3\n0 2 1 3 2 2\n2 1 1 4 0 3\n0 1 1 2 2 4\n');
  });

  it('round-trips the fixtures, ragged and re-entrant ones included', () => {
    for (const inst of [TINY_3X3, RAGGED, REENTRANT]) {
      expect(parseInstance(formatInstance(inst), 'x.txt', inst.name)).toEqual(inst);
    }
  });

  it('round-trips every bundled instance', () => {
    for (const name of bundledNames()) {
      const inst = loadBundled(name);
      expect(parseInstance(formatInstance(inst), `${name}.txt`)).toEqual(inst);
    }
  });
});

describe('parseInstance: bad input names the file, the line and what was expected', () => {
  const file = 'bad.txt';

  it('rejects fewer job lines than the header says (lines cut off the end)', () => {
    expectInputError(
      () => parseInstance('3 3\n0 1 1 2 2 3\n0 1 1 2 2 3\n', file),
      file,
      3, // the last line read: where the file ends
      'expected 3 job lines',
      'found 2',
    );
    // Comment lines count: the last job line is line 4 here.
    expectInputError(
      () => parseInstance('# a comment\n\n3 3\n0 1 1 2 2 3\n', file),
      file,
      4,
      'expected 3 job lines',
      'found 1',
    );
  });

  it('rejects more job lines than the header says, at the first extra line', () => {
    expectInputError(
      () => parseInstance('2 3\n0 1 1 2 2 3\n0 1 1 2 2 3\n\n0 1 1 2 2 3\n', file),
      file,
      5,
      'expected 2 job lines',
      'found 3',
    );
  });

  it('rejects a line cut in the middle of a pair', () => {
    expectInputError(() => parseInstance('2 3\n0 1 1 2 2 3\n0 1 1 2 2\n', file), file, 3, 'pairs');
  });

  it('rejects a non-numeric token, naming it', () => {
    expectInputError(
      () => parseInstance('2 2\n0 1 1 2\n1 x 0 2\n', file),
      file,
      3,
      'a duration',
      "'x'",
    );
    expectInputError(
      () => parseInstance('2 2\n0 1 1 2.5\n1 1 0 2\n', file),
      file,
      2,
      'a duration',
      "'2.5'",
    );
    expectInputError(
      () => parseInstance('2 2\n0 1 1 2\nm 1 0 2\n', file),
      file,
      3,
      'a machine index',
      "'m'",
    );
  });

  it('rejects a machine index out of range', () => {
    expectInputError(
      () => parseInstance('2 2\n0 1 2 2\n1 1 0 2\n', file),
      file,
      2,
      'a machine index in 0..1',
      'found 2',
    );
    expectInputError(
      () => parseInstance('2 2\n0 1 1 2\n-1 1 0 2\n', file),
      file,
      3,
      'a machine index in 0..1',
      'found -1',
    );
  });

  it('rejects a negative duration', () => {
    expectInputError(
      () => parseInstance('2 2\n0 1 1 2\n1 1 0 -3\n', file),
      file,
      3,
      'a duration in 0..2147483647',
      'found -3',
    );
  });

  it('rejects a bad header', () => {
    expectInputError(() => parseInstance('3\n0 1\n', file), file, 1, 'header');
    expectInputError(() => parseInstance('3 3 3\n0 1\n', file), file, 1, 'header');
    expectInputError(
      () => parseInstance('# c\nthree 3\n0 1\n', file),
      file,
      2,
      'the number of jobs',
      "'three'",
    );
    expectInputError(() => parseInstance('0 3\n', file), file, 1, 'the number of jobs >= 1');
    expectInputError(
      () => parseInstance('1 0\n0 1\n', file),
      file,
      1,
      'the number of machines >= 1',
    );
  });

  it('rejects an empty file, naming the file', () => {
    for (const text of ['', '\n\n', '# only a comment\n']) {
      const err = thrown(InputError, () => parseInstance(text, file));
      expect(err.location.file).toBe(file);
      expect(err.message).toContain(file);
      expect(err.message).toMatch(/expected a header/);
    }
  });

  it('rejects bad Taillard files at the offending line', () => {
    // 0 is not a 1-based machine (line 8 of the labelled text is the first machines row).
    const zeroMachine = TINY_3X3_TAILLARD_LABELLED_TEXT.replace('  1  2  3\n  3', '  0  2  3\n  3');
    expectInputError(
      () => parseInstance(zeroMachine, file),
      file,
      8,
      'a 1-based machine index in 1..3',
      'found 0',
    );
    const shortRow = TINY_3X3_TAILLARD_LABELLED_TEXT.replace('  1  4  3\n', '  1  4\n');
    expectInputError(() => parseInstance(shortRow, file), file, 5, 'expected 3 values');
    const negative = TINY_3X3_TAILLARD_LABELLED_TEXT.replace('  1  4  3\n', '  1  -4  3\n');
    expectInputError(() => parseInstance(negative, file), file, 5, 'a duration in 0..2147483647');
    const missingRow = TINY_3X3_TAILLARD_LABELLED_TEXT.replace(/ {2}1 {2}2 {2}3\n$/, '');
    expectInputError(
      () => parseInstance(missingRow, file),
      file,
      9,
      '3 lines of durations and 3 lines of machines',
      'found 5',
    );
  });

  it('rejects a truncated Taillard file without labels, naming a line', () => {
    const truncated = TINY_3X3_TAILLARD_TEXT.split('\n').slice(0, 6).join('\n');
    expectInputError(
      () => parseInstance(truncated, file),
      file,
      6,
      'or 6 lines of 3 values (Taillard format); the file ends early (truncated?)',
    );
  });

  it('names the path of a file read from disk', () => {
    const path = writeTemp('broken.txt', '2 2\n0 1 1 2\n1 1 7 2\n');
    expectInputError(() => readInstanceFile(path), path, 3, 'a machine index in 0..1', 'found 7');
  });
});

describe('parseInstance: the header bounds the operations per job', () => {
  const file = 'bad.txt';
  const FT06_HEAD = '6 6\n2 1 0 3 1 6 3 7 5 3 4 6\n1 8 2 5 4 10 5 10 0 10 3 4\n';
  const FT06_REST =
    '2 5 3 4 5 8 0 9 1 1 4 7\n1 5 0 5 2 5 3 3 4 8 5 9\n2 9 1 3 4 5 5 4 0 3 3 1\n1 3 3 3 5 9 0 10 4 4 2 1\n';

  it('refuses a job line with more pairs than the header has machines, at that line', () => {
    // An extra valid pair (machine 0 again) would make a 7-operation job under a `6 6` header.
    expectInputError(
      () => parseInstance(FT06_HEAD + '2 5 3 4 5 8 0 9 1 1 4 7 0 2\n' + FT06_REST.slice(24), file),
      file,
      4,
      'at most 6 operations per job',
      'found 7',
    );
  });

  it('keeps accepting ragged and re-entrant jobs within that bound', () => {
    expect(parseInstance(FT06_HEAD + FT06_REST, file).jobs.map((o) => o.length)).toEqual([
      6, 6, 6, 6, 6, 6,
    ]);
    // Job 0 revisits machine 0 and has fewer operations than machines: both legitimate.
    const inst = parseInstance('2 3\n0 1 0 2 1 3\n2 4\n', file);
    expect(inst.jobs.map((o) => o.map((op) => op.machine))).toEqual([[0, 0, 1], [2]]);
  });
});

describe('readInstanceFile: binary or non-text input is named, never dumped', () => {
  /** The message is short and carries no raw control, NUL or undecodable bytes. */
  const clean = (err: InputError, path: string): void => {
    expect(err.message).toContain(path);
    expect(err.message.length).toBeLessThan(path.length + 240);
    // eslint-disable-next-line no-control-regex
    expect(err.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/);
  };

  it('a file with NUL bytes', () => {
    const bytes = Buffer.alloc(1300);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
    const path = join(tmp, 'binary.bin');
    writeFileSync(path, bytes);
    const err = thrown(InputError, () => readInstanceFile(path));
    clean(err, path);
    expect(err.message).toMatch(/:1: expected a text file, found a NUL byte \(binary data\?\)/);
  });

  it('a file that is not UTF-8', () => {
    const path = join(tmp, 'latin1.txt');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('2 2\n0 1 1 2\n'), Buffer.from([0xe9, 0xff, 0x31, 0x0a])]),
    );
    const err = thrown(InputError, () => readInstanceFile(path));
    clean(err, path);
    expect(err.message).toMatch(/:3: expected UTF-8 text, found an invalid byte sequence/);
  });

  it('a huge single line and control characters, shown as a short escaped excerpt', () => {
    const huge = writeTemp('huge.txt', 'x'.repeat(2_000_000));
    const err = thrown(InputError, () => readInstanceFile(huge));
    clean(err, huge);
    expect(err.message).toMatch(/:1: .*'x{20,}\.\.\.' \(2000000 characters\)/);
    const control = writeTemp('control.txt', '2 2\n0 1 1 \u001b[31m2\n1 1 0 2\n');
    const err2 = thrown(InputError, () => readInstanceFile(control));
    clean(err2, control);
    expect(err2.message).toContain("found '\\x1b[31m2'");
  });
});

describe('readInstanceFile', () => {
  it('reads a file and names the instance after it', () => {
    const path = writeTemp('tiny.txt', TINY_3X3_STANDARD_TEXT);
    expect(readInstanceFile(path)).toEqual(named(TINY_3X3, 'tiny'));
  });

  it('throws InputError naming a missing file', () => {
    const path = join(tmp, 'does-not-exist.txt');
    const err = thrown(InputError, () => readInstanceFile(path));
    expect(err.location.file).toBe(path);
    expect(err.message).toContain(path);
    expect(err.message).toContain('ENOENT');
  });
});

describe('checkInstance', () => {
  it('accepts the fixtures', () => {
    for (const inst of [TINY_3X3, RAGGED, REENTRANT])
      expect(() => checkInstance(inst)).not.toThrow();
  });

  const bad: readonly (readonly [string, Instance, string])[] = [
    ['zero jobs', { ...TINY_3X3, numJobs: 0, jobs: [] }, 'numJobs'],
    ['fractional machines', { ...TINY_3X3, numMachines: 2.5 }, 'numMachines'],
    ['job count mismatch', { ...TINY_3X3, numJobs: 4 }, 'jobs'],
    ['an empty job', { ...TINY_3X3, jobs: [TINY_3X3.jobs[0], [], TINY_3X3.jobs[2]] }, 'jobs[1]'],
    [
      'a machine out of range',
      {
        ...TINY_3X3,
        jobs: [
          [...TINY_3X3.jobs[0].slice(0, 2), { machine: 3, duration: 1 }],
          ...TINY_3X3.jobs.slice(1),
        ],
      },
      'jobs[0][2].machine',
    ],
    [
      'a negative machine',
      { ...TINY_3X3, jobs: [TINY_3X3.jobs[0], [{ machine: -1, duration: 1 }], TINY_3X3.jobs[2]] },
      'jobs[1][0].machine',
    ],
    [
      'a negative duration',
      { ...TINY_3X3, jobs: [...TINY_3X3.jobs.slice(0, 2), [{ machine: 0, duration: -1 }]] },
      'jobs[2][0].duration',
    ],
    [
      'a fractional duration',
      { ...TINY_3X3, jobs: [...TINY_3X3.jobs.slice(0, 2), [{ machine: 0, duration: 1.5 }]] },
      'jobs[2][0].duration',
    ],
    [
      'a NaN duration',
      { ...TINY_3X3, jobs: [...TINY_3X3.jobs.slice(0, 2), [{ machine: 0, duration: NaN }]] },
      'jobs[2][0].duration',
    ],
  ];

  it.each(bad)('rejects %s, naming the field', (_what, inst, field) => {
    const err = thrown(InputError, () => checkInstance(inst));
    expect(err.location.field).toBe(field);
    expect(err.message).toContain(`(${field})`);
    expect(err.message).toContain(inst.name);
    expect(err.message).toMatch(/expected/);
  });
});

describe('bundled instances', () => {
  const bounds = bundledBounds();
  const names = bundledNames();

  it('lists exactly the files in data/instances', () => {
    const files = readdirSync(join(dataDir(), 'instances'))
      .filter((f) => f.endsWith('.txt'))
      .map((f) => f.slice(0, -4));
    expect([...names].sort()).toEqual(files.sort());
    expect(names.length).toBeGreaterThan(100);
    expect(new Set(names.map((n) => bounds[n].family))).toEqual(
      new Set(['ft', 'la', 'abz', 'orb', 'swv', 'yn', 'ta', 'bel']),
    );
  });

  it('every one loads, matches its recorded size and has consistent bounds', () => {
    for (const name of names) {
      const b = bounds[name];
      const inst = loadBundled(name);
      expect(inst.name).toBe(name);
      expect(name.startsWith(b.family)).toBe(true);
      expect([inst.numJobs, inst.numMachines], name).toEqual([b.jobs, b.machines]);
      expect(inst.jobs.length, name).toBe(b.jobs);
      expect(() => checkInstance(inst)).not.toThrow();
      expect(Number.isInteger(b.lowerBound) && Number.isInteger(b.upperBound), name).toBe(true);
      expect(b.lowerBound, name).toBeGreaterThan(0);
      expect(b.lowerBound, name).toBeLessThanOrEqual(b.upperBound);
      expect(b.optimal, name).toBe(b.lowerBound === b.upperBound);
      // A best-known makespan below the trivial bound would mean the file and bounds disagree.
      expect(trivialLowerBound(inst), name).toBeLessThanOrEqual(b.upperBound);
    }
  });

  it('classic instances visit every machine exactly once per job', () => {
    for (const name of names) {
      if (bounds[name].family === 'bel') continue;
      const inst = loadBundled(name);
      for (const ops of inst.jobs) {
        expect(
          [...ops.map((op) => op.machine)].sort((a, b) => a - b),
          name,
        ).toEqual(Array.from({ length: inst.numMachines }, (_, m) => m));
      }
    }
  });

  it('the bel family has ragged or re-entrant jobs', () => {
    const inst = loadBundled('bel00');
    const irregular = inst.jobs.some(
      (ops) =>
        ops.length !== inst.numMachines || new Set(ops.map((op) => op.machine)).size < ops.length,
    );
    expect(irregular).toBe(true);
  });

  it('knows the classic facts', () => {
    const ft06 = loadBundled('ft06');
    expect([ft06.numJobs, ft06.numMachines]).toEqual([6, 6]);
    expect(bounds.ft06).toMatchObject({ lowerBound: 55, upperBound: 55, optimal: true });
    // Fisher & Thompson's first job: machines 3 1 2 4 6 5 (1-based), durations 1 3 6 7 3 6.
    expect(ft06.jobs[0]).toEqual([
      { machine: 2, duration: 1 },
      { machine: 0, duration: 3 },
      { machine: 1, duration: 6 },
      { machine: 3, duration: 7 },
      { machine: 5, duration: 3 },
      { machine: 4, duration: 6 },
    ]);

    const ft10 = loadBundled('ft10');
    expect([ft10.numJobs, ft10.numMachines]).toEqual([10, 10]);
    expect(bounds.ft10).toMatchObject({ upperBound: 930, optimal: true });
    expect(ft10.jobs[0].map((op) => op.duration)).toEqual([29, 78, 9, 36, 49, 11, 62, 56, 44, 21]);

    const ta01 = loadBundled('ta01');
    expect([ta01.numJobs, ta01.numMachines]).toEqual([15, 15]);
    expect(bounds.ta01).toMatchObject({ jobs: 15, machines: 15, upperBound: 1231 });
    expect(ta01.jobs[0].map((op) => op.duration)).toEqual([
      94, 66, 10, 53, 26, 15, 65, 82, 10, 27, 93, 92, 96, 70, 83,
    ]);

    expect(bounds.la01).toMatchObject({ jobs: 10, machines: 5, upperBound: 666 });
  });

  it('loadBundled rejects an unknown name with a UsageError', () => {
    const err = thrown(UsageError, () => loadBundled('nosuch'));
    expect(err.message).toContain('nosuch');
    expect(err.hint).toBeDefined();
  });
});

describe('selectInstances', () => {
  const names = (selector: string): string[] =>
    selectInstances(selector).map((s) => s.instance.name);
  const range = (prefix: string, from: number, to: number, width = 2): string[] =>
    Array.from({ length: to - from + 1 }, (_, i) => prefix + String(from + i).padStart(width, '0'));

  it('selects one instance by name, case-insensitively, with its bounds', () => {
    const [sel, ...rest] = selectInstances('FT06');
    expect(rest).toEqual([]);
    expect(sel.instance).toEqual(loadBundled('ft06'));
    expect(sel.bounds).toEqual(bundledBounds().ft06);
  });

  it('selects ranges in order', () => {
    expect(names('ta01-ta10')).toEqual(range('ta', 1, 10));
    expect(names('ta08-12')).toEqual(range('ta', 8, 12));
    expect(names('la39-la40')).toEqual(['la39', 'la40']);
    expect(names('abz5-abz9')).toEqual(['abz5', 'abz6', 'abz7', 'abz8', 'abz9']);
  });

  it('selects families by short name and alias', () => {
    expect(names('lawrence')).toEqual(range('la', 1, 40));
    expect(names('la')).toEqual(range('la', 1, 40));
    expect(names('taillard')).toEqual(range('ta', 1, 80));
    expect(names('Fisher')).toEqual(['ft06', 'ft10', 'ft20']);
    expect(names('yamada')).toEqual(['yn1', 'yn2', 'yn3', 'yn4']);
  });

  it('selects a family by size', () => {
    expect(names('taillard:15x15')).toEqual(range('ta', 1, 10));
    expect(names('ta:20x15')).toEqual(range('ta', 11, 20));
    expect(names('lawrence:10x5')).toEqual(range('la', 1, 5));
    for (const sel of selectInstances('taillard:50x20')) {
      expect([sel.instance.numJobs, sel.instance.numMachines]).toEqual([50, 20]);
    }
  });

  it('generates random:JxM:N instances from a seed of their own, the same whatever else is selected', () => {
    const picked = selectInstances('random:15x15:3,random:20x5');
    expect(picked.map((s) => s.instance.name)).toEqual([
      'random-15x15-0',
      'random-15x15-1',
      'random-15x15-2',
      ...Array.from({ length: 10 }, (_, i) => `random-20x5-${i}`),
    ]);
    for (const sel of picked) {
      expect(sel.bounds).toBeUndefined();
      expect(sel.generated).toBe(true);
    }
    expect(picked[1].instance).toEqual(
      selectInstances('ft06,random:15x15:2').find((s) => s.instance.name === 'random-15x15-1')!
        .instance,
    );
    const [first] = picked;
    expect([first.instance.numJobs, first.instance.numMachines]).toEqual([15, 15]);
    // Not the training streams' first instance, nor the validation set's.
    expect(first.instance.jobs).not.toEqual(randomInstance(randomSource(15, 15), 1, 0).jobs);
    const { config: validation } = jobshop.training.validation({ size: '15x15' }, 1);
    if (validation.source.kind !== 'fixed') throw new Error('expected fixed validation instances');
    expect(first.instance.jobs).not.toEqual(validation.source.instances[0].jobs);
    // Sizes do not share jobs: the generator draws job by job, so one seed for every size would
    // make random-15x15-i the first 15 jobs of random-20x15-i.
    const [wider] = selectInstances('random:20x15:1');
    expect(wider.instance.jobs.slice(0, 15)).not.toEqual(first.instance.jobs);
    expect(groupNames(picked.slice(2, 4))).toEqual(['random 15x15', 'random 20x5']);
    expect(() => selectInstances('random:15')).toThrow(/expected random:JOBSxMACHINES\[:COUNT\]/);
    expect(() => selectInstances('random:15x15:3:4')).toThrow(/bad item 'random:15x15:3:4'/);
    expect(() => selectInstances('random:15x15:1e1')).toThrow(/bad count/);
    expect(names('random:015x15:1,random:15x15:1')).toEqual(['random-15x15-0']);
    expect(() => selectInstances('random:15x15:0')).toThrow(/bad count in 'random:15x15:0'/);
  });

  it("selects everything with 'all'", () => {
    expect(names('all')).toEqual(bundledNames());
    expect(names('ft06,all')).toEqual(bundledNames());
  });

  it('reads comma lists in order, without duplicates, ignoring spaces and empty items', () => {
    expect(names('ft10, ft06,ft10,')).toEqual(['ft10', 'ft06']);
    expect(names('ta01-ta03,ta02,taillard:15x15')).toEqual(range('ta', 1, 10));
    expect(names('la02,lawrence')).toEqual([
      'la02',
      ...range('la', 1, 40).filter((n) => n !== 'la02'),
    ]);
  });

  it('reads file paths, without bounds', () => {
    const path = writeTemp('mine.txt', TINY_3X3_STANDARD_TEXT);
    const [sel] = selectInstances(path);
    expect(sel.instance).toEqual(named(TINY_3X3, 'mine'));
    expect(sel.bounds).toBeUndefined();
    const withName = selectInstances(`ft06,${path}`);
    expect(withName.map((s) => s.instance.name)).toEqual(['ft06', 'mine']);
    // A path with a slash is a file even without the .txt suffix.
    const other = writeTemp('mine.jss', RAGGED_STANDARD_TEXT);
    expect(selectInstances(other)[0].instance).toEqual(named(RAGGED, 'mine'));
  });

  it('passes on the InputError of a bad or missing file', () => {
    const path = writeTemp('bad-selected.txt', '2 2\n0 1\n');
    expectInputError(() => selectInstances(path), path, 2, 'expected 2 job lines');
    const missing = join(tmp, 'missing.txt');
    expect(thrown(InputError, () => selectInstances(missing)).message).toContain(missing);
  });

  it.each([
    ['an unknown name', 'nosuch', 'nosuch'],
    ['an unknown name in a list', 'ft06,ft07', 'ft07'],
    ['a range matching nothing', 'ta90-ta99', 'ta90-ta99'],
    ['a reversed range', 'ta10-ta01', 'ta10-ta01'],
    ['a range of an unknown family', 'xx01-xx05', 'xx01-xx05'],
    ['a range mixing families', 'ta01-la05', 'ta01-la05'],
    ['a malformed size', 'taillard:15by15', '15by15'],
    ['a size the family lacks', 'taillard:7x7', '7x7'],
    ['an empty selection', '', 'empty'],
    ['a selection of only commas', ' , ,', 'empty'],
  ])('rejects %s with a UsageError', (_what, selector, mention) => {
    const err = thrown(UsageError, () => selectInstances(selector));
    expect(err.message).toContain(mention);
    expect(err.hint).toBeTruthy();
  });
});

describe('selectInstances: names that are also object properties, and order of files', () => {
  it('treats built-in property names as unknown instances', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(() => selectInstances(name)).toThrow(UsageError);
    expect(() => loadBundled('valueOf')).toThrow(UsageError);
  });

  it('keeps files in the order given and drops repeats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schedrl-order-'));
    const file = join(dir, 'mine.txt');
    writeFileSync(file, TINY_3X3_STANDARD_TEXT);
    const names = selectInstances(`${file},ft06,${file}`).map((s) => s.instance.name);
    expect(names).toEqual(['mine', 'ft06']);
  });

  it('reads 2 x jobs lines of machines values as Taillard, and names a machine row that is not a permutation', () => {
    expect(() => parseInstance('1 2\n1 5\n1 1\n', 'f.txt')).toThrow(
      /f\.txt:3 \(token 2\): expected each machine 1\.\.2 once per job \(Taillard format\), found machine 1 again/,
    );
    const labelled = 'Nb of jobs, Nb of Machines\n1 2 0 0 0 0\nTimes\n3 4\nMachines\n2 2\n';
    expect(() => parseInstance(labelled, 'g.txt')).toThrow(
      /g\.txt:6 \(token 2\): expected each machine/,
    );
  });

  it('refuses durations whose sum would overflow the 32-bit schedule', () => {
    expect(() => parseInstance('1 1\n0 3000000000\n', 'big.txt')).toThrow(
      /big\.txt:2 \(token 2\): expected a duration in 0\.\.2147483647, found 3000000000/,
    );
    expect(() => parseInstance('2 1\n0 2000000000\n0 2000000000\n', 'sum.txt')).toThrow(
      /sum\.txt: expected a total processing time of at most 2147483647/,
    );
  });
});
