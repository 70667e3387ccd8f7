import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
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
 * Checks before long work that `path` can be written as a file: not empty, not a directory, its
 * folder absent (it will be created) or a folder, and writable: an existing file must be
 * writable, and a probe file is created and removed in the nearest existing folder (permission
 * bits alone miss read-only mounts, and root passes every access() check). Throws UsageError
 * naming the flag, the path and the reason.
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
  const target = kind(path);
  if (target === 'dir')
    throw new UsageError(`--${flagName} ${path} is a directory; give a file name`);
  let dir = dirname(path);
  for (; ; dir = dirname(dir)) {
    const k = kind(dir);
    if (k === 'file') throw new UsageError(`--${flagName} ${path}: ${dir} is a file, not a folder`);
    if (k === 'dir' || dirname(dir) === dir) break;
  }
  const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);
  if (target === 'file') {
    try {
      accessSync(path, constants.W_OK);
    } catch (err) {
      throw new UsageError(`--${flagName} ${path}: the file is not writable (${code(err)})`);
    }
  }
  const probe = join(dir, `.schedrl-write-probe-${process.pid}-${Date.now()}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    throw new UsageError(`--${flagName} ${path}: cannot write in folder ${dir} (${code(err)})`);
  }
  unlinkSync(probe);
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
