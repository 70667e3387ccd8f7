import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, UsageError } from './errors.js';

/**
 * Writes a file so that readers see either the old content or the new one, never half of it:
 * write a temporary file beside the target, then rename it over the target.
 */
export function writeFileAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Checks before long work that `path` can be written as a file: not empty, not a directory, and
 * its folder is absent (it will be created) or a folder. Throws UsageError naming the flag.
 */
export function checkOutputPath(path: string, flagName: string): void {
  if (path.trim() === '') throw new UsageError(`--${flagName} needs a file name`);
  const kind = (p: string): 'file' | 'dir' | 'none' => {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'file';
    } catch {
      return 'none';
    }
  };
  if (kind(path) === 'dir')
    throw new UsageError(`--${flagName} ${path} is a directory; give a file name`);
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const k = kind(dir);
    if (k === 'file') throw new UsageError(`--${flagName} ${path}: ${dir} is a file, not a folder`);
    if (k === 'dir' || dirname(dir) === dir) break;
  }
}

/** Reads a UTF-8 file, or throws an InputError naming it: "expected a readable <what> (ENOENT)". */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(
      { file: path },
      `expected a readable ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}
