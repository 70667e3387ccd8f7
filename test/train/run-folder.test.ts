import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { train, type TrainConfig } from '../../src/train/train.js';
import { quiet, rows, tiny as tinyRun } from '../support/training.js';

const BATCH = 8 * 36;

/** A smaller tiny run: 8 copies x 36 steps per update, two epochs, a narrow network. */
const tiny = (out: string, patch: Partial<TrainConfig> = {}): TrainConfig =>
  tinyRun(out, { numEnvs: 8, updateEpochs: 2, hidden: 16, evalInstances: 4, ...patch });

const fresh = (): string => mkdtempSync(join(tmpdir(), 'schedrl-folder-'));

const jsonlSteps = (dir: string): number[] => rows(dir).map((r) => r.global_step);

const csvSteps = (dir: string): number[] =>
  readFileSync(join(dir, 'metrics.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[0]));

/** Global steps 1..n updates of BATCH, each once. */
const updates = (n: number): number[] => Array.from({ length: n }, (_, i) => (i + 1) * BATCH);

/**
 * Makes `dir` unwritable (chmod, or the immutable attribute when running as root, whom chmod does
 * not stop); returns the undo, or null where neither works.
 */
function makeUnwritable(dir: string): (() => void) | null {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
}

describe('run folders', () => {
  it('refuses a folder that holds a run, naming it and suggesting --force or --resume', async () => {
    const out = fresh();
    await train(tiny(out, { totalSteps: BATCH }), quiet);
    const before = readFileSync(join(out, 'checkpoint.json'), 'utf8');
    const second = train(tiny(out, { totalSteps: BATCH, seed: 2 }), quiet);
    await expect(second).rejects.toThrow(
      new RegExp(`run folder ${out} already holds a run \\(config\\.json, metrics\\.jsonl`),
    );
    await expect(second).rejects.toHaveProperty(
      'hint',
      expect.stringMatching(/--force.*--resume .*checkpoint\.json/),
    );
    expect(readFileSync(join(out, 'checkpoint.json'), 'utf8')).toBe(before);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  });

  it('replaces the run with force: none of the old files remain, other files stay', async () => {
    const out = fresh();
    await train(tiny(out, { totalSteps: 3 * BATCH, evalEvery: 1 }), quiet);
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    writeFileSync(join(out, 'checkpoint.json.123.456.tmp'), 'half a checkpoint');
    const notes: string[] = [];
    await train(
      tiny(out, { totalSteps: BATCH, seed: 2, evalEvery: 5 }),
      { update: () => undefined, log: (l) => notes.push(l) },
      undefined,
      undefined,
      { force: true },
    );
    expect(notes.join('\n')).toMatch(/replacing the run in .* \(--force\)/);
    expect(jsonlSteps(out)).toEqual(updates(1));
    expect(csvSteps(out)).toEqual(updates(1));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).seed).toBe(2);
    expect(readCheckpoint(join(out, 'best.json')).training.seed).toBe(2);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(out, 'checkpoint.json.123.456.tmp'))).toBe(false);
  });

  it('refuses a second concurrent run on the folder; the first completes intact', async () => {
    const out = fresh();
    const first = train(tiny(out, { totalSteps: 3 * BATCH, evalEvery: 1 }), quiet);
    const second = train(tiny(out, { totalSteps: 3 * BATCH, evalEvery: 1, seed: 2 }), quiet);
    await expect(second).rejects.toThrow(
      new RegExp(`run folder ${out} is in use by another run \\(pid ${process.pid}, started `),
    );
    const result = await first;
    expect(result.stopped).toBeNull();
    expect(jsonlSteps(out)).toEqual(updates(3));
    expect(csvSteps(out)).toEqual(updates(3));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).seed).toBe(1);
    expect(readCheckpoint(join(out, 'checkpoint.json')).training.seed).toBe(1);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  });

  it('takes over the lock of a run that is no longer running, with a note', async () => {
    const out = fresh();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(out, 'run.lock'), JSON.stringify({ pid: dead, started: 'earlier' }));
    const notes: string[] = [];
    const result = await train(tiny(out, { totalSteps: BATCH }), {
      update: () => undefined,
      log: (l) => notes.push(l),
    });
    expect(result.stopped).toBeNull();
    expect(notes.join('\n')).toContain(
      `taking over the lock of run pid ${dead} (started earlier), which is no longer running`,
    );
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  });

  it('fails at once on an unwritable folder, naming it', async (ctx) => {
    const parent = fresh();
    const undo = makeUnwritable(parent);
    if (undo === null) ctx.skip();
    try {
      const out = join(parent, 'run');
      const started = performance.now();
      await expect(train(tiny(out, { totalSteps: 100 * BATCH }), quiet)).rejects.toThrow(
        new RegExp(`run folder ${out} is not writable \\(E[A-Z]+\\); nothing was trained`),
      );
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      undo?.();
    }
  });
});

describe('stopping and resuming', () => {
  it('stops between updates on its signal: a checkpoint at the last update, the curve, the lock released', async () => {
    const out = fresh();
    const controller = new AbortController();
    const config = tiny(out, { totalSteps: 6 * BATCH, evalEvery: 10 });
    const result = await train(
      config,
      {
        update: (step) => {
          if (step === 3 * BATCH) controller.abort('SIGINT');
        },
        log: () => undefined,
      },
      undefined,
      undefined,
      { signal: controller.signal },
    );
    expect(result.interrupted).toBe('SIGINT');
    expect(result.stopped).toBe(
      `stopped by SIGINT at step ${3 * BATCH}; resume with: schedrl train --env jobshop --resume ${join(out, 'checkpoint.json')}`,
    );
    const checkpoint = readCheckpoint(join(out, 'checkpoint.json'));
    expect([checkpoint.training.steps, checkpoint.training.updates]).toEqual([3 * BATCH, 3]);
    expect(readFileSync(join(out, 'learning_curve.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
    // The folder resumes from there, each global step logged once.
    const resumed = await train(config, quiet, checkpoint);
    expect(resumed.stopped).toBeNull();
    expect(jsonlSteps(out)).toEqual(updates(6));
    expect(csvSteps(out)).toEqual(updates(6));
  });

  it('cuts the logs back to the checkpoint on resume, so every global step appears once', async () => {
    const out = fresh();
    const config = tiny(out, { totalSteps: 4 * BATCH, evalEvery: 2 });
    // A run killed after logging update 3, whose last checkpoint is update 2's.
    await expect(
      train(config, {
        update: (step) => {
          if (step === 3 * BATCH) throw new Error('killed');
        },
        log: () => undefined,
      }),
    ).rejects.toThrow('killed');
    expect(jsonlSteps(out)).toEqual(updates(3));
    const checkpoint = readCheckpoint(join(out, 'checkpoint.json'));
    expect(checkpoint.training.updates).toBe(2);
    await train(config, quiet, checkpoint);
    expect(jsonlSteps(out)).toEqual(updates(4));
    expect(csvSteps(out)).toEqual(updates(4));
  });
});
