/**
 * A run folder belongs to one run at a time (docs/agents.md, "Run folders").
 *
 * While a run writes, it holds `run.lock`, created exclusively (`wx`) and holding its pid and start
 * time: a second run on the folder is refused instead of interleaving its logs and checkpoints
 * with the first's. A lock whose process is gone (a run killed with SIGKILL) is taken over with a
 * note. Creating the lock is also the check that the folder is writable, made before any work.
 *
 * A folder that already holds a finished or stopped run is refused too, unless the run is being
 * resumed there or `force` asks to replace it; replacing removes the old run's files first, so
 * nothing of it stays mixed in with the new one. Files that are not a run's are left alone.
 */

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';

export const LOCK_FILE = 'run.lock';

/** The files a run writes (writeFileAtomic's temporaries are `<file>.<pid>.<time>.tmp`). */
export const RUN_FILES = [
  'config.json',
  'metrics.jsonl',
  'metrics.csv',
  'checkpoint.json',
  'best.json',
  'learning_curve.svg',
] as const;

/** The run files present in `dir` (none if it does not exist). */
export function runFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return RUN_FILES.filter((f) => names.includes(f));
}

interface LockInfo {
  readonly pid: number;
  readonly started: string;
}

export interface RunFolder {
  /** Removes the lock if it is still ours. */
  release(): void;
}

export interface RunFolderOptions {
  /** Replace a run the folder holds (its files are removed first). */
  readonly force: boolean;
  /** The folder's run is being resumed: its files stay (the logs are cut back by MetricsLog). */
  readonly resuming: boolean;
  /** Notes for the user (a stale lock taken over, a run replaced). */
  readonly log: (line: string) => void;
}

/** Takes the folder for this run, or throws a UsageError saying why it cannot. */
export function acquireRunFolder(dir: string, options: RunFolderOptions): RunFolder {
  const lockPath = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, started: new Date().toISOString() };
  const unwritable = (err: unknown): UsageError =>
    new UsageError(
      `run folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)}); nothing was trained`,
      'choose another --out',
    );
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw unwritable(err);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockPath, JSON.stringify(mine) + '\n', { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(err);
    }
    const held = readLock(lockPath);
    // A second failure means another run took the stale lock over first.
    if (attempt > 0 || held === 'unreadable' || isAlive(held)) throw inUse(dir, held);
    if (held !== 'gone')
      options.log(
        `run folder ${dir}: taking over the lock of run pid ${held.pid} (started ${held.started}), which is no longer running`,
      );
    rmSync(lockPath, { force: true });
  }

  const release = (): void => {
    const held = readLock(lockPath);
    if (typeof held === 'object' && held.pid === mine.pid && held.started === mine.started)
      rmSync(lockPath, { force: true });
  };
  try {
    const existing = runFilesIn(dir);
    if (existing.length > 0 && !options.resuming) {
      if (!options.force)
        throw new UsageError(
          `run folder ${dir} already holds a run (${existing.join(', ')}); not overwriting it`,
          `replace it with --force, continue it with --resume ${join(dir, 'checkpoint.json')}, or choose another --out`,
        );
      options.log(`replacing the run in ${dir} (--force): removing ${existing.join(', ')}`);
      clearRun(dir);
    }
  } catch (err) {
    release();
    throw err;
  }
  return { release };
}

/** Removes the run files of `dir` and any temporaries they left; other files stay. */
function clearRun(dir: string): void {
  for (const name of readdirSync(dir)) {
    const isRunFile = (RUN_FILES as readonly string[]).includes(name);
    const isTemporary = RUN_FILES.some((f) => name.startsWith(`${f}.`) && name.endsWith('.tmp'));
    if (isRunFile || isTemporary) rmSync(join(dir, name), { force: true });
  }
}

/**
 * The lock's owner; 'gone' if the file vanished meanwhile; 'unreadable' if it cannot be parsed
 * yet is recent (its owner may be between creating and writing it). An old unparsable lock is
 * treated as a dead owner's.
 */
function readLock(path: string): LockInfo | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isSafeInteger(info.pid) && typeof info.started === 'string')
      return { pid: info.pid!, started: info.started };
  } catch {
    // fall through
  }
  try {
    if (Date.now() - statSync(path).mtimeMs < 10_000) return 'unreadable';
  } catch {
    return 'gone';
  }
  return { pid: -1, started: 'unknown' };
}

function isAlive(held: LockInfo | 'gone'): boolean {
  if (held === 'gone' || held.pid <= 0) return false;
  try {
    process.kill(held.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, held: LockInfo | 'gone' | 'unreadable'): UsageError {
  const who = typeof held === 'object' ? ` (pid ${held.pid}, started ${held.started})` : '';
  return new UsageError(
    `run folder ${dir} is in use by another run${who}; its files were left as they are`,
    `wait for that run to finish, or choose another --out`,
  );
}
