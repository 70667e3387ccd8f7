import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  parseCheckpoint,
  readCheckpoint,
  serializeCheckpoint,
  writeCheckpoint,
} from '../../src/train/checkpoint.js';
import { jobshopCheckpoint } from '../support/checkpoints.js';

const dir = mkdtempSync(join(tmpdir(), 'schedrl-ckpt-'));

describe('checkpoints', () => {
  it('round-trip every weight exactly and leave no temporary file behind', () => {
    const c = jobshopCheckpoint(3);
    const path = join(dir, 'c.json');
    writeCheckpoint(path, c);
    writeCheckpoint(path, c); // overwrite in place
    expect(readdirSync(dir).filter((f) => f.startsWith('c.json'))).toEqual(['c.json']);
    const back = readCheckpoint(path);
    for (const [name, w] of c.weights) expect(back.weights.get(name)).toEqual(w);
    expect(back.architecture).toEqual(c.architecture);
    expect(back.features.candidate).toEqual(c.features.candidate);
  });

  const text = serializeCheckpoint(jobshopCheckpoint(3));
  /** The serialized form, as far as the edits below touch it. */
  interface Raw {
    format: unknown;
    version: unknown;
    weights: Record<string, { shape: unknown; data: string }>;
    architecture: { hidden: unknown };
    features: { candidate: string[] };
  }
  const edited = (f: (o: Raw) => void): string => {
    const o = JSON.parse(text) as Raw;
    f(o);
    return JSON.stringify(o);
  };
  const refuse = (t: string, message: RegExp): void => {
    let err: unknown;
    try {
      parseCheckpoint(t, 'bad.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^bad\.json/);
    expect((err as Error).message).toMatch(message);
  };

  it('refuses a truncated file, naming it', () => {
    refuse(text.slice(0, text.length / 2), /expected a JSON checkpoint .*truncated\?/);
    expect(() => readCheckpoint(join(dir, 'missing.json'))).toThrow(
      /missing\.json: expected a readable checkpoint file \(ENOENT\)/,
    );
  });

  it('refuses edited files, naming the field and what was expected', () => {
    refuse(
      edited((o) => (o.format = 'pytorch')),
      /\(format\): expected 'schedrl-checkpoint'/,
    );
    refuse(
      edited((o) => (o.version = 2)),
      /\(version\): expected 1, found 2/,
    );
    refuse(
      edited((o) => (o.weights.W1.shape = [3, 3])),
      /\(weights\.W1\.shape\): expected \[14, 16\]/,
    );
    refuse(
      edited((o) => (o.weights.b1.data = o.weights.b1.data.slice(8))),
      /\(weights\.b1\.data\): expected 16 float32 values \(64 bytes\)/,
    );
    refuse(
      edited((o) => (o.weights.b1.data = '!!notbase64')),
      /\(weights\.b1\.data\): expected base64 text/,
    );
    refuse(
      edited((o) => {
        delete o.weights.wo;
      }),
      /\(weights\.wo\): expected an object/,
    );
    refuse(
      edited((o) => (o.weights.extra = o.weights.b1)),
      /\(weights\): unexpected tensors extra/,
    );
    refuse(
      edited((o) => (o.architecture.hidden = 0)),
      /\(architecture\.hidden\): expected an integer >= 1/,
    );
    refuse(
      edited((o) => o.features.candidate.pop()),
      /\(architecture\.candidateFeatures\): expected 9/,
    );
    const nan = Buffer.from(new Float32Array(16).fill(Number.NaN).buffer).toString('base64');
    refuse(
      edited((o) => (o.weights.b1.data = nan)),
      /\(weights\.b1\.data\): expected finite values, found NaN/,
    );
  });

  it('never leaves a half-written file when writing fails', () => {
    const path = join(dir, 'keep.json');
    writeFileSync(path, text);
    expect(() =>
      writeCheckpoint(join(path, 'not-a-dir', 'x.json'), jobshopCheckpoint(1)),
    ).toThrow();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
