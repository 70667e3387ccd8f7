import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialParameters } from '../../src/agents/network.js';
import { checkCompatible, learnedPolicy, type LearnedPolicy } from '../../src/agents/learned.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import { jobshop } from '../../envs/jobshop/entry.js';
import { soc } from '../../envs/soc/entry.js';
import {
  parseCheckpoint,
  readCheckpoint,
  readResumeCheckpoint,
  serializeCheckpoint,
  weightsOnly,
  writeCheckpoint,
  type Checkpoint,
} from '../../src/train/checkpoint.js';
import { playEpisodes } from '../../envs/jobshop/play.js';
import { loadBundled } from '../../envs/jobshop/instances.js';
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

  it('refuses unknown keys wherever the format is closed, naming the key', () => {
    const add = (path: string[], key: string): string => {
      const o = JSON.parse(text) as Record<string, unknown>;
      let at = o;
      for (const p of path) at = at[p] as Record<string, unknown>;
      at[key] = 1;
      return JSON.stringify(o);
    };
    refuse(
      add([], 'weigths'),
      /bad\.json \(weigths\): unknown key 'weigths'; expected only format, version/,
    );
    refuse(add(['env'], 'size'), /\(env\.size\): unknown key 'size'/);
    refuse(add(['features'], 'scales'), /\(features\.scales\): unknown key 'scales'/);
    refuse(add(['architecture'], 'layers'), /\(architecture\.layers\): unknown key 'layers'/);
    refuse(add(['weights', 'W1'], 'dtype'), /\(weights\.W1\.dtype\): unknown key 'dtype'/);
    refuse(add(['training'], 'note'), /\(training\.note\): unknown key 'note'/);
    refuse(
      add(['features', 'normalization'], 'X').replace('"X":1', '"X":"1"'),
      /\(features\.normalization\.X\): expected a finite number, found "1"/,
    );
    // Open records stay open: the environment and the trainer check what they read of them.
    expect(() => parseCheckpoint(add(['env', 'options'], 'extra'), 'ok.json')).not.toThrow();
    expect(() =>
      parseCheckpoint(add(['training', 'hyperparameters'], 'x'), 'ok.json'),
    ).not.toThrow();
  });

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

  describe('without optimizer state (shipped policies, best.json)', () => {
    const base = jobshopCheckpoint(3);
    const full: Checkpoint = {
      ...base,
      optimizer: {
        step: 12,
        m: initialParameters(base.architecture, 4),
        v: initialParameters(base.architecture, 5),
      },
    };
    const fullText = serializeCheckpoint(full);
    // The edit docs/agents.md gives for stripping a file by hand (a node one-liner).
    const strip = (t: string): string => {
      const o = JSON.parse(t) as Record<string, unknown>;
      o.optimizer = null;
      return JSON.stringify(o, null, 1) + '\n';
    };

    it('is what weightsOnly writes and what stripping a file by hand gives', () => {
      const stripped = serializeCheckpoint(weightsOnly(full));
      expect(strip(fullText)).toBe(stripped);
      expect(stripped.length).toBeLessThan(fullText.length / 2);
      const back = parseCheckpoint(stripped, 'stripped.json');
      expect(back.optimizer).toBeNull();
      for (const [name, w] of full.weights) expect(back.weights.get(name)).toEqual(w);
      expect(back.training).toEqual(full.training);
      // A file that leaves the field out altogether loads the same.
      const o = JSON.parse(stripped) as Record<string, unknown>;
      delete o.optimizer;
      expect(parseCheckpoint(JSON.stringify(o), 'absent.json').optimizer).toBeNull();
    });

    it('still validates the optimizer state where a file has it', () => {
      const back = parseCheckpoint(fullText, 'full.json');
      expect(back.optimizer?.step).toBe(12);
      for (const [name, m] of full.optimizer!.m) expect(back.optimizer?.m.get(name)).toEqual(m);
      const o = JSON.parse(fullText) as {
        optimizer: { v: Record<string, { shape: unknown }> };
      };
      o.optimizer.v.W1.shape = [2, 2];
      refuse(JSON.stringify(o), /\(optimizer\.v\.W1\.shape\): expected \[14, 16\]/);
    });

    it('plays exactly as the checkpoint it was stripped from', async () => {
      const play = async (c: Checkpoint): Promise<number[][]> => {
        const opened: LearnedPolicy[] = [];
        const outcomes = await playEpisodes(
          ['ft06', 'la01'].map(loadBundled),
          async () => {
            const p = await learnedPolicy(c, 'p', { sample: false, seed: 1, backend: 'cpu' });
            opened.push(p);
            return p;
          },
          'active',
        );
        opened.forEach((p) => p.dispose());
        return outcomes.map((o) => [o.makespan, ...o.schedule.start.flat()]);
      };
      const stripped = parseCheckpoint(strip(fullText), 'stripped.json');
      expect(await play(stripped)).toEqual(await play(parseCheckpoint(fullText, 'full.json')));
    });

    it('cannot be resumed: the refusal names the file and says what it lacks', () => {
      const path = join(dir, 'policy.json');
      writeFileSync(path, strip(fullText));
      expect(() => readResumeCheckpoint(path)).toThrow(InputError);
      expect(() => readResumeCheckpoint(path)).toThrow(
        /policy\.json \(optimizer\): holds no optimizer state .*cannot be resumed; resume from the run folder's checkpoint\.json/,
      );
      const fullPath = join(dir, 'checkpoint.json');
      writeFileSync(fullPath, fullText);
      expect(readResumeCheckpoint(fullPath).optimizer.step).toBe(12);
    });

    it('ships that way: the bundled policies hold weights only', () => {
      for (const file of [
        'checkpoints/jobshop-ppo.json',
        'checkpoints/jobshop-self-label.json',
        'checkpoints/soc-ppo.json',
        'checkpoints/memmap-ppo.json',
        'checkpoints/memmap-capacity-ppo.json',
      ]) {
        expect(readCheckpoint(file).optimizer, file).toBeNull();
        expect(() => readResumeCheckpoint(file)).toThrow(/holds no optimizer state/);
      }
    });
  });
});

describe('checkpoints against the environment', () => {
  const jobshopSpec = {
    maxCandidates: 1,
    candidateFeatures: jobshop.features.candidate,
    globalFeatures: jobshop.features.global,
  };
  const socSpec = {
    maxCandidates: 1,
    candidateFeatures: soc.features.candidate,
    globalFeatures: soc.features.global,
  };
  const withScales = (c: Checkpoint, normalization: Record<string, number>): Checkpoint => ({
    ...c,
    features: { ...c.features, normalization },
  });
  const refuse = (f: () => void, message: string): void => {
    expect(f).toThrow(InputError);
    expect(f).toThrow(message);
  };

  it("refuses an edited, unknown or missing normalization constant (the environment's scales)", () => {
    const c = jobshopCheckpoint(3);
    expect(() => checkCompatible(c, 'c.json', 'jobshop', jobshopSpec)).not.toThrow();
    expect(() =>
      checkCompatible(readCheckpoint('checkpoints/jobshop-ppo.json'), 'j', 'jobshop', jobshopSpec),
    ).not.toThrow();
    refuse(
      () =>
        checkCompatible(
          withScales(c, { TIME_SCALE: 50, WORK_SCALE: 1000, OPS_SCALE: 20 }),
          'c.json',
          'jobshop',
          jobshopSpec,
        ),
      "c.json (features.normalization.TIME_SCALE): expected 100 (jobshop's TIME_SCALE), found 50",
    );
    refuse(
      () =>
        checkCompatible(
          withScales(c, { ...jobshop.features.scales, SPEED: 2 }),
          'c.json',
          'jobshop',
          jobshopSpec,
        ),
      "c.json (features.normalization.SPEED): unknown constant; jobshop's are {TIME_SCALE: 100, WORK_SCALE: 1000, OPS_SCALE: 20}",
    );
    refuse(
      () => checkCompatible(withScales(c, { TIME_SCALE: 100 }), 'c.json', 'jobshop', jobshopSpec),
      'c.json (features.normalization.WORK_SCALE): missing; expected 1000',
    );
  });

  it('accepts soc checkpoints that recorded only TIME_SCALE, as the first shipped one did (its other scales were literals of the same value)', () => {
    const shipped = readCheckpoint('checkpoints/soc-ppo.json');
    expect(() => checkCompatible(shipped, 's.json', 'soc', socSpec)).not.toThrow();
    const older = withScales(shipped, { TIME_SCALE: 100 });
    expect(() => checkCompatible(older, 's.json', 'soc', socSpec)).not.toThrow();
    refuse(
      () =>
        checkCompatible(
          withScales(shipped, { TIME_SCALE: 100, JOBS_SCALE: 9 }),
          's.json',
          'soc',
          socSpec,
        ),
      "s.json (features.normalization.JOBS_SCALE): expected 8 (soc's JOBS_SCALE), found 9",
    );
  });

  it('names the flag when the checkpoint belongs to another environment', () => {
    const f = (): void =>
      checkCompatible(readCheckpoint('checkpoints/soc-ppo.json'), 's.json', 'jobshop', jobshopSpec);
    expect(f).toThrow(UsageError);
    expect(f).toThrow('s.json (env.name): expected a jobshop checkpoint, found soc');
    try {
      f();
    } catch (e) {
      expect((e as UsageError).hint).toBe('this is a soc checkpoint: add --env soc');
    }
  });
});
