import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { checkOutputPath } from '../../src/core/files.js';

describe('checkOutputPath', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schedrl-files-'));

  it('accepts a new file in a writable folder, or under folders yet to be made, leaving nothing', () => {
    checkOutputPath(join(dir, 'a.json'), 'out');
    checkOutputPath(join(dir, 'new', 'deeper', 'a.json'), 'out');
    writeFileSync(join(dir, 'old.json'), '{}');
    checkOutputPath(join(dir, 'old.json'), 'out');
    expect(readdirSync(dir)).toEqual(['old.json']);
  });

  it('refuses a folder where nothing can be created, naming the flag, the path and the folder', () => {
    const f = (): void => checkOutputPath('/proc/schedrl/a.json', 'chart');
    expect(f).toThrow(UsageError);
    expect(f).toThrow(
      /^--chart \/proc\/schedrl\/a\.json: cannot write in folder \/proc \(E[A-Z]+\)$/,
    );
  });
});
