import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_TRAINING, cli, evalOnFt06 } from '../support/cli.js';
import { packageRoot } from '../../src/core/paths.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';

const tmp = mkdtempSync(join(tmpdir(), 'schedrl-cli-'));

describe('schedrl eval', () => {
  it('prints instance, size, makespan, best known and gap, and the mean gap per size group', async () => {
    const r = await cli('eval', '--env', 'jobshop', '--suite', 'ta01-ta10', '--policy', 'mwkr');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\| cell \| size\s+\| mode\s+\| best known \| makespan \| gap % \|/);
    expect(r.out).toMatch(/\| ta01 \| 15x15 \| active \|\s+1231 \|\s+\d+ \|/);
    expect(r.out).toMatch(
      /mean makespan gap % to best known per group[\s\S]*\| ta 15x15 \|\s+10 \|/,
    );
  });

  it('writes JSON with --out and a Gantt chart with --gantt', async () => {
    const out = join(tmp, 'eval.json');
    const svg = join(tmp, 'ft06.svg');
    const r = await cli(
      'eval',
      '--suite',
      'ft06,la01',
      '--policy',
      'spt,mwkr',
      '--mode',
      'all',
      '--out',
      out,
      '--view',
      svg,
      '--view-cell',
      'ft06 (active)',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      results: {
        cell: string;
        info: { mode: string };
        policy: string;
        metric: number;
        gapPercent: number;
      }[];
    };
    expect(json.results).toHaveLength(2 * 2 * 3);
    const ft06 = json.results.find(
      (x) => x.cell === 'ft06 (active)' && x.policy === 'spt' && x.info.mode === 'active',
    )!;
    expect(ft06.metric).toBeGreaterThanOrEqual(55);
    expect(ft06.gapPercent).toBeCloseTo((100 * (ft06.metric - 55)) / 55, 9);
    const chart = readFileSync(svg, 'utf8');
    expect(chart).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(chart).toContain(`makespan ${ft06.metric}`);
  });

  it('evaluates a user instance file, and reports a malformed one with file and line (exit 1)', async () => {
    const good = join(tmp, 'mine.txt');
    writeFileSync(good, '2 2\n0 3 1 2\n1 4 0 1\n');
    const ok = await cli('eval', '--suite', good, '--policy', 'spt');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/\| mine \| 2x2\s+\| active \|\s+\d+ \|/);
    // Without best-known values, the summary shows mean makespans, not a table of '-'.
    const summary = await cli('eval', '--suite', good, '--policy', 'spt', '--summary');
    expect(summary.out).toMatch(
      /mean makespan \(time units\) per group[\s\S]*\| file 2x2 \|\s+1 \|\s+\d+ \| spt/,
    );
    const bad = join(tmp, 'bad.txt');
    writeFileSync(bad, '2 2\n0 3 1 2\n1 x 0 1\n');
    const r = await cli('eval', '--suite', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:3`);
    expect(r.err).toMatch(/expected a duration \(an integer\), found 'x'/);
  });

  it('exits with 2 and a hint on unknown instances, policies, modes and flags', async () => {
    const cases: [string[], RegExp][] = [
      [['eval', '--suite', 'ta99'], /unknown instance 'ta99'[\s\S]*select instances by name/],
      [['eval', '--suite', 'taillard:7x7'], /no ta instance has size 7x7[\s\S]*15x15/],
      [['eval', '--policy', 'best'], /unknown policy 'best'[\s\S]*mwkr/],
      [['eval', '--mode', 'fast'], /--mode must be one of active, conflict, nondelay, all/],
      [
        ['eval', '--frobnicate'],
        /Unknown option '--frobnicate'\nsee: schedrl eval --env jobshop --help/,
      ],
      [
        [
          'compare',
          '--env',
          'soc',
          '--samples',
          '4',
          '--policy',
          'checkpoint:checkpoints/soc-ppo.json',
        ],
        /soc episodes cannot be replayed/,
      ],
      [
        ['eval', '--env', 'soc', '--view', join(tmp, 'v.svg'), '--backend', 'webgpu'],
        /--view: soc draws episodes on the cpu backend only/,
      ],
      [['eval', '--env', 'soc', '--gap', '50,50'], /--gap lists a value twice/],
      [['eval', '--env', 'chess'], /unknown environment 'chess'[\s\S]*jobshop/],
      [
        ['evaluate'],
        /unknown command 'evaluate'[\s\S]*commands: train, eval, compare, bench, export/,
      ],
      [['bench', '--batches', '0'], /--batches expects an integer >= 1/],
      [['bench', '--size', '15by15'], /expected sizes like 15x15/],
      [['eval', '--view-cell', 'ft06'], /--view-cell needs --view/],
      [['eval', '--suite', 'ft06', '--out', tmp], /--out .* is a directory/],
      [['eval', '--suite', 'ft06', '--out', ''], /--out needs a file name/],
      [
        ['eval', '--suite', 'ft06', '--view', join(tmp, 'eval.json', 'x.svg')],
        /is a file, not a folder/,
      ],
      [['eval', '--mode', 'fast'], /see: schedrl eval --env jobshop --help/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  });

  it('draws the very schedule the table reports, even for the random rule', async () => {
    const svg = join(tmp, 'random.svg');
    const r = await cli(
      'eval',
      '--suite',
      'ta01,ta02',
      '--policy',
      'random',
      '--seed',
      '7',
      '--view',
      svg,
      '--view-cell',
      'ta02',
    );
    const row = /\| ta02 \| 15x15 \| active \|\s+\d+ \|\s+(\d+) \|/.exec(r.out);
    expect(row).not.toBeNull();
    expect(readFileSync(svg, 'utf8')).toContain(`makespan ${row![1]}`);
    // The random rule's result depends on the seed and the instance, not on what else is selected.
    const alone = await cli('eval', '--suite', 'ta02', '--policy', 'random', '--seed', '7');
    expect(alone.out).toContain(row![0]);
  });

  it('reads files named without a slash, keeps same-named files apart, and shows makespans for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schedrl-files-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    for (const d of [a, b]) {
      mkdirSync(d);
      writeFileSync(join(d, 'x.txt'), '2 2\n0 3 1 2\n1 4 0 1\n');
    }
    writeFileSync(join(dir, 'noext'), '2 2\n0 3 1 2\n1 4 0 1\n');
    const r = await cli(
      'eval',
      '--suite',
      `${join(a, 'x.txt')},${join(b, 'x.txt')}`,
      '--policy',
      'spt,mwkr',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('### makespan (time units): ');
    expect(r.out).toMatch(/\| x\s+\| 2x2\s+\|/);
    expect(r.out).toContain(join(b, 'x.txt'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect((await cli('eval', '--suite', 'noext', '--policy', 'spt')).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
  });

  it('prints usage with --help (exit 0) and without a command (exit 2)', async () => {
    const help = await cli('eval', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--suite <value>\s+what to evaluate on: taillard/);
    expect((await cli()).code).toBe(2);
  });
});

describe('schedrl bench', () => {
  it('prints JSON with decisions per second per size and batch, and the machine', async () => {
    const r = await cli(
      'bench',
      '--size',
      '6x6',
      '--batches',
      '1,8',
      '--seconds',
      '0.05',
      '--windows',
      '2',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      machine: { cpu: string };
      results: {
        options: { size: string };
        batch: number;
        decisionsPerSecond: number;
        samples: number[];
      }[];
    };
    expect(json.machine.cpu).toBeTypeOf('string');
    expect(json.results.map((x) => [x.options.size, x.batch])).toEqual([
      ['6x6', 1],
      ['6x6', 8],
    ]);
    for (const x of json.results) {
      expect(x.samples).toHaveLength(2);
      expect(x.decisionsPerSecond).toBeGreaterThan(0);
    }
  });
});

describe('the installed binary', () => {
  const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
  it.skipIf(!existsSync(bin))('exits on its own with the documented codes', () => {
    expect(
      execFileSync('node', [bin, 'eval', '--suite', 'ft06', '--policy', 'spt'], {
        encoding: 'utf8',
      }),
    ).toMatch(/ft06/);
    expect(spawnSync('node', [bin, 'eval', '--suite', 'nope'], { encoding: 'utf8' }).status).toBe(
      2,
    );
  });
});

describe('schedrl train, export and eval with checkpoints', () => {
  it('trains a tiny run, exports it, and evaluates the checkpoint next to the rules', async () => {
    const run = join(tmp, 'run');
    const t = await cli(
      'train',
      '--env',
      'jobshop',
      '--size',
      '5x4',
      '--steps',
      '512',
      '--eval-every',
      '1',
      ...TINY_TRAINING,
      '--out',
      run,
    );
    expect(t.code, t.err).toBe(0);
    expect(t.out).toContain(`checkpoint: ${join(run, 'checkpoint.json')}`);
    const dispatch = join(tmp, 'policy.mjs');
    const x = await cli('export', '--checkpoint', join(run, 'checkpoint.json'), '--out', dispatch);
    expect(x.code, x.err).toBe(0);
    expect(readFileSync(dispatch, 'utf8')).toContain('export function dispatch(');
    expect(readFileSync(join(tmp, 'policy.d.mts'), 'utf8')).toContain(
      'export declare function dispatch(',
    );
    const e = await cli(
      'eval',
      '--suite',
      'ft06,la01',
      '--policy',
      `spt,checkpoint:${join(run, 'checkpoint.json')}`,
      '--tf-backend',
      'cpu',
    );
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(
      /\| cell \| size \| mode\s+\| best known \| spt gap % \| checkpoint gap % \|/,
    );
  });

  it('refuses bad training flags (exit 2) and broken checkpoints (exit 1)', async () => {
    expect((await cli('train', '--algo', 'dqn')).err).toMatch(/--algo must be one of ppo, a2c/);
    expect((await cli('train', '--steps', '-5')).code).toBe(2);
    expect((await cli('train', '--tf-backend', 'tpu')).err).toMatch(
      /--tf-backend must be one of js, wasm, cpu, webgpu, tensorflow/,
    );
    expect((await cli('train', '--backend', 'tpu')).err).toMatch(
      /--backend must be one of cpu, webgpu/,
    );
    expect((await cli('train', '--teacher', 'spt')).err).toMatch(/Unknown option '--teacher'/);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"format": "schedrl-checkpoint", "version": 1, "env": {"name": "jobs');
    const r = await cli('train', '--resume', broken);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.json: expected a JSON checkpoint .*truncated\?/);
    expect((await cli('export', '--checkpoint', broken)).code).toBe(1);
    expect((await cli('export')).err).toMatch(/export needs --checkpoint FILE/);
    expect((await cli('eval', '--policy', `checkpoint:${broken}`)).code).toBe(1);
  });

  it('refuses out-of-range settings and resumes that would change a run', async () => {
    const config = join(tmp, 'bad-config.json');
    writeFileSync(config, JSON.stringify({ numMinibatches: 0 }));
    const r = await cli('train', '--config', config, '--steps', '512');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${config} (numMinibatches): expected an integer from 1 to numEnvs x numSteps`,
    );
    const ckpt = join(tmp, 'run', 'checkpoint.json'); // from the tiny run above
    expect((await cli('train', '--resume', ckpt, '--lr', '0.1')).err).toMatch(
      /--resume continues a run with its own settings; drop --lr/,
    );
    expect((await cli('train', '--resume', ckpt, '--steps', '256')).err).toMatch(
      /--steps 256: the run has done 512 steps already/,
    );
  });

  it('keeps a checkpoint named like a baseline apart from the baseline', async () => {
    const copy = join(tmp, 'mwkr.json');
    writeFileSync(copy, readFileSync('checkpoints/jobshop-ppo.json'));
    const r = await cli(
      'compare',
      '--suite',
      'ft06,la01',
      '--policy',
      `checkpoint:${copy}`,
      '--out',
      join(tmp, 'clash.json'),
    );
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(readFileSync(join(tmp, 'clash.json'), 'utf8')) as {
      results: { policy: string; cell: string; metric: number }[];
    };
    const labels = [...new Set(json.results.map((x) => x.policy))];
    expect(labels).toContain('mwkr');
    expect(labels).toContain(copy);
    // One row per policy and cell: nothing averaged across the two.
    expect(json.results).toHaveLength(labels.length * 2);
    const rule = await cli(
      'eval',
      '--suite',
      'ft06,la01',
      '--policy',
      'mwkr',
      '--out',
      join(tmp, 'rule.json'),
    );
    expect(rule.code).toBe(0);
    const alone = JSON.parse(readFileSync(join(tmp, 'rule.json'), 'utf8')) as typeof json;
    expect(json.results.filter((x) => x.policy === 'mwkr').map((x) => x.metric)).toEqual(
      alone.results.map((x) => x.metric),
    );
  });

  it('ships a job-shop checkpoint that loads and matches the environment', async () => {
    const r = await evalOnFt06('checkpoints/jobshop-ppo.json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\| ft06 \| 6x6\s+\| active \|\s+55 \|\s+\d+ \|/);
  });

  it('ships a self-labeled job-shop checkpoint trained by the recipe npm run train:jobshop-self-label runs', async () => {
    const shipped = expectTrainedByRecipe('jobshop-self-label');
    const script = (
      JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    ).scripts['train:jobshop-self-label'];
    for (const [option, value] of Object.entries(shipped.env.options))
      expect(script, option).toContain(`--${option} ${String(value)}`);
    expect(shipped.optimizer).toBeNull();
    const r = await evalOnFt06('checkpoints/jobshop-self-label.json');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\| ft06 \| 6x6\s+\| active \|\s+55 \|\s+\d+ \|/);
  });

  it('ships a SoC checkpoint trained by the recipe npm run train:soc runs', async () => {
    expectTrainedByRecipe('soc-ppo');
    const r = await cli(
      'compare',
      '--env',
      'soc',
      '--policy',
      'heft,checkpoint:checkpoints/soc-ppo.json',
      '--gap',
      '25',
      '--noise',
      '0.3',
      '--episodes',
      '2',
      '--jobs-per-episode',
      '6',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/\|\s+heft \|\s+etf \|[\s\S]*\|\s+soc-ppo \|/);
    expect(r.out).toMatch(/mean ratio of latency to the best baseline per group/);
  });
});

/** checkpoints/NAME.json records every setting of configs/NAME.json, its recipe; returns it. */
function expectTrainedByRecipe(name: string): ReturnType<typeof readCheckpoint> {
  const recipe = JSON.parse(readFileSync(`configs/${name}.json`, 'utf8')) as Record<
    string,
    unknown
  >;
  const shipped = readCheckpoint(`checkpoints/${name}.json`);
  for (const [key, value] of Object.entries(recipe))
    expect(shipped.training.hyperparameters[key], `${name}: ${key}`).toEqual(value);
  return shipped;
}

describe('checkpoints given to a command', () => {
  it('hint at --env when the checkpoint is of another environment', async () => {
    const r = await evalOnFt06('checkpoints/soc-ppo.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'checkpoints/soc-ppo.json (env.name): expected a jobshop checkpoint, found soc',
    );
    expect(r.err).toContain('this is a soc checkpoint: add --env soc');
  });

  it('refuse an edited normalization constant in eval and export, naming it', async () => {
    const o = JSON.parse(readFileSync('checkpoints/jobshop-ppo.json', 'utf8')) as {
      features: { normalization: Record<string, number> };
    };
    o.features.normalization.OPS_SCALE = 25;
    const file = join(tmp, 'edited-scale.json');
    writeFileSync(file, JSON.stringify(o));
    const e = await evalOnFt06(file);
    expect(e.code).toBe(1);
    expect(e.err).toContain(
      "(features.normalization.OPS_SCALE): expected 20 (jobshop's OPS_SCALE), found 25",
    );
    const x = await cli('export', '--checkpoint', file, '--out', join(tmp, 'edited.mjs'));
    expect(x.code).toBe(1);
    expect(x.err).toContain('(features.normalization.OPS_SCALE)');
    expect(existsSync(join(tmp, 'edited.mjs'))).toBe(false);
  });
});

describe('flags', () => {
  it("take negative numbers as values, refused by the flag's own range check", async () => {
    for (const [argv, message] of [
      [
        ['train', '--env', 'jobshop', '--seed', '-1', '--out', join(tmp, 'neg')],
        "--seed expects an integer >= 0 and <= 4294967295, got '-1'",
      ],
      [
        ['train', '--env', 'jobshop', '--lr', '-0.1', '--out', join(tmp, 'neg')],
        "--lr expects a number >= 0, got '-0.1'",
      ],
      [
        ['eval', '--env', 'jobshop', '--suite', 'ft06', '--samples', '-2'],
        '--samples expects an integer >= 1',
      ],
    ] as const) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toContain('ambiguous');
    }
  });

  it('output paths are checked for writability before any work, naming the flag and the path', async () => {
    for (const [argv, message] of [
      [
        ['bench', '--env', 'jobshop', '--out', '/proc/schedrl/b.json'],
        '--out /proc/schedrl/b.json: cannot write in folder /proc',
      ],
      [
        ['eval', '--env', 'jobshop', '--suite', 'ft06', '--chart', '/proc/c.svg'],
        '--chart /proc/c.svg: cannot write in folder /proc',
      ],
      [
        ['eval', '--env', 'jobshop', '--suite', 'ft06', '--view', '/proc/v.svg'],
        '--view /proc/v.svg: cannot write in folder /proc',
      ],
      [
        ['export', '--checkpoint', 'checkpoints/jobshop-ppo.json', '--out', '/proc/d.mjs'],
        '--out /proc/d.mjs: cannot write in folder /proc',
      ],
    ] as const) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).not.toContain('wrote');
    }
    // The .d.mts beside an exported module is checked too, before the module is written.
    mkdirSync(join(tmp, 'taken.d.mts'), { recursive: true });
    const r = await cli(
      'export',
      '--checkpoint',
      'checkpoints/jobshop-ppo.json',
      '--out',
      join(tmp, 'taken.mjs'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--out ${join(tmp, 'taken.d.mts')} is a directory`);
    expect(existsSync(join(tmp, 'taken.mjs'))).toBe(false);
  });
});

describe('schedrl train: run folders, signals and flags', () => {
  const quick = ['--env', 'jobshop', '--size', '5x4', ...TINY_TRAINING];

  it('refuses a folder that holds a run (exit 2), and replaces it with --force', async () => {
    const run = join(tmp, 'taken');
    expect((await cli('train', ...quick, '--steps', '256', '--out', run)).code).toBe(0);
    const again = await cli('train', ...quick, '--steps', '512', '--out', run);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`run folder ${run} already holds a run (config.json,`);
    expect(again.err).toContain(
      `replace it with --force, continue it with --resume ${join(run, 'checkpoint.json')}`,
    );
    const forced = await cli('train', ...quick, '--steps', '512', '--out', run, '--force');
    expect(forced.code, forced.err).toBe(0);
    expect(readCheckpoint(join(run, 'checkpoint.json')).training.steps).toBe(512);
    expect(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('resumes a moved run folder where it is now', async () => {
    const first = join(tmp, 'before-move');
    expect((await cli('train', ...quick, '--steps', '256', '--out', first)).code).toBe(0);
    const moved = join(tmp, 'after-move');
    renameSync(first, moved);
    const r = await cli('train', '--resume', join(moved, 'checkpoint.json'), '--steps', '512');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(first)).toBe(false);
    expect(readCheckpoint(join(moved, 'checkpoint.json')).training.steps).toBe(512);
    const steps = readFileSync(join(moved, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { global_step: number }).global_step);
    expect(steps).toEqual([256, 512]);
  });

  it('says when --steps rounds to whole updates', async () => {
    const r = await cli('train', ...quick, '--steps', '100', '--out', join(tmp, 'rounded'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      'totalSteps 100 is not a whole number of updates of 256 steps (numEnvs 8 x numSteps 32): training 1 update = 256 steps',
    );
  });

  it('checks the range of every setting, naming the flag or the field', async () => {
    const config = (text: string): string => {
      const file = join(tmp, `settings-${text.length}.json`);
      writeFileSync(file, text);
      return file;
    };
    const cases: [string[], number, RegExp][] = [
      [['--steps', '1000000000000'], 2, /--steps expects an integer >= 1 and <= 10000000000/],
      [['--lr', '0'], 2, /--lr 0: learningRate expected a finite number > 0/],
      [
        ['--config', config('{"totalSteps": 1e12}')],
        1,
        /\(totalSteps\): expected an integer from 1 to 1e10/,
      ],
      [['--config', config('{"learningRate": 1e999}')], 1, /\(learningRate\): expected a finite/],
      [
        ['--config', config('{"numMinibatches": 3}')],
        1,
        /\(numMinibatches\): expected an integer from 1 to numEnvs x numSteps that divides it \(8 x 32 = 256\)/,
      ],
      [['--config', config('{"clipCoef": 0}')], 1, /\(clipCoef\): expected a finite number > 0/],
    ];
    for (const [argv, code, message] of cases) {
      // One update at most where a flag can say so (a flag would override the config's
      // totalSteps): a setting wrongly accepted trains briefly, then fails the test.
      const steps =
        argv[0] === '--config' && argv[1].endsWith('-20.json') ? [] : ['--steps', '256'];
      const r = await cli('train', ...quick, ...steps, '--out', join(tmp, 'never'), ...argv);
      expect(r.code, argv.join(' ')).toBe(code);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('fails at once on an unwritable --out, naming the folder', async (ctx) => {
    const parent = mkdtempSync(join(tmpdir(), 'schedrl-ro-'));
    let undo: () => void;
    try {
      if (process.getuid?.() === 0) {
        execFileSync('chattr', ['+i', parent], { stdio: 'ignore' });
        undo = () => execFileSync('chattr', ['-i', parent], { stdio: 'ignore' });
      } else {
        chmodSync(parent, 0o555);
        undo = () => chmodSync(parent, 0o755);
      }
    } catch {
      return ctx.skip();
    }
    try {
      const out = join(parent, 'run');
      const r = await cli('train', ...quick, '--steps', '2560', '--out', out);
      expect(r.code).toBe(2);
      // Refused before any work: the output path check names the folder that cannot be written.
      expect(r.err).toContain(
        `--out ${join(out, 'checkpoint.json')}: cannot write in folder ${parent}`,
      );
      expect(existsSync(out)).toBe(false);
    } finally {
      undo();
    }
  });

  const bin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
  it.skipIf(!existsSync(bin))(
    'Ctrl-C: a message, a checkpoint, the curve, exit 130; --resume then logs every step once',
    async () => {
      const run = join(tmp, 'interrupted');
      const args = [bin, 'train', ...quick, '--steps', '100000', '--eval-every', '3'];
      const child = spawn(process.execPath, [...args, '--out', run]);
      let err = '';
      const code = await new Promise<number | null>((done) => {
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          // The first progress line follows the first validation (update 3).
          if (/\d+% /.test(err) && !child.killed) child.kill('SIGINT');
        });
        child.on('exit', (c) => done(c));
      });
      expect(code, err).toBe(130);
      const checkpoint = join(run, 'checkpoint.json');
      const at = readCheckpoint(checkpoint).training.steps;
      expect(err).toContain(
        `stopped by SIGINT at step ${at}; resume with: schedrl train --env jobshop --resume ${checkpoint}`,
      );
      expect(readFileSync(join(run, 'learning_curve.svg'), 'utf8')).toMatch(/^<svg/);
      expect(existsSync(join(run, 'run.lock'))).toBe(false);
      const resumed = await cli(
        'train',
        '--env',
        'jobshop',
        '--resume',
        checkpoint,
        '--steps',
        String(at + 2 * 256),
      );
      expect(resumed.code, resumed.err).toBe(0);
      const expected = Array.from({ length: at / 256 + 2 }, (_, i) => (i + 1) * 256);
      const jsonl = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { global_step: number }).global_step);
      const csv = readFileSync(join(run, 'metrics.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',')[0]));
      expect(jsonl).toEqual(expected);
      expect(csv).toEqual(expected);
    },
    60_000,
  );
});
