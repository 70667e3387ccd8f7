import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_TRAINING, cli } from '../support/cli.js';
import { soc } from '../../envs/soc/entry.js';

const tmp = mkdtempSync(join(tmpdir(), 'schedrl-soc-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

// A user's own DS3 files (docs/soc.md): two CPU cores and an accelerator; a chain and a fork.
const SOC = `add_new_resource resource_type BIG resource_name CPU resource_ID 0 capacity 2 num_supported_functionalities 4 DVFS_mode performance
load 12
mix 30
split 8
store 5
add_new_resource resource_type ACC resource_name FFT resource_ID 1 capacity 1 num_supported_functionalities 1 DVFS_mode none
mix 4
add_new_resource resource_type MEM resource_name MEMORY resource_ID 2 capacity 1 num_supported_functionalities 1 DVFS_mode none
None 0
comm_band_self 10000
comm_band 0 0 1000
comm_band 0 1 10
`;
const CHAIN = `job_name chain
add_new_tasks 3
load 0
load HEAD
load earliest_start 0 deadline 50
mix 1 0
mix earliest_start 0 deadline 50
store 2 1
store TAIL
store earliest_start 0 deadline 50
comm_vol 0 1 400
comm_vol 1 2 40
`;
const FORK = `job_name fork
add_new_tasks 4
load 0
load HEAD
load earliest_start 0 deadline 90
mix 1 0
mix earliest_start 0 deadline 90
split 2 0
split earliest_start 0 deadline 90
store 3 1 2
store TAIL
store earliest_start 0 deadline 90
comm_vol 0 1 100
comm_vol 0 2 100
comm_vol 1 3 10
comm_vol 2 3 10
`;

describe("soc on a user's own DS3 files (--soc FILE, --jobs FILE,FILE)", () => {
  const socFile = write('soc.txt', SOC);
  const chain = write('chain.txt', CHAIN);
  const fork = write('fork.txt', FORK);
  const grid = [
    '--gap',
    '100,25',
    '--noise',
    '0,0.1',
    '--episodes',
    '2',
    '--jobs-per-episode',
    '5',
  ];
  const flags = ['--env', 'soc', '--soc', socFile, '--jobs', `${chain},${fork}`, ...grid];

  it('eval runs every cell on them, validated', async () => {
    const out = join(tmp, 'eval.json');
    const r = await cli('eval', ...flags, '--policy', 'heft,etf', '--out', out);
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as {
      validated: boolean;
      results: { policy: string; metric: number }[];
    };
    expect(json.validated).toBe(true);
    // 2 gaps x 2 noise levels, 2 policies (each row the mean of its cell's 2 episodes).
    expect(json.results).toHaveLength(8);
    for (const row of json.results) expect(row.metric).toBeGreaterThan(0);
    expect(r.out).toContain('soc.txt, chain.txt, fork.txt');
  });

  it('compare runs on them too', async () => {
    const r = await cli('compare', ...flags, '--policy', 'heft,random');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/heft/);
    expect(r.out).toMatch(/random/);
  });

  it('a malformed file exits 1 naming the file and the line', async () => {
    const bad = write('bad-soc.txt', SOC.replace('split 8', 'split 8 8'));
    const r = await cli('eval', '--env', 'soc', '--soc', bad, '--jobs', chain, ...grid);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:4: expected one execution time after 'split'`);
    const cyclic = write('cycle.txt', FORK.replace('mix 1 0\n', 'mix 1 0 3\n'));
    const c = await cli('compare', '--env', 'soc', '--soc', socFile, '--jobs', cyclic, ...grid);
    expect(c.code).toBe(1);
    expect(c.err).toContain(`${cyclic}:6: expected a job graph without cycles`);
  });

  it('records absolute paths in the options a checkpoint keeps, and refuses a file that is gone', () => {
    const options = soc.parseOptions({ soc: socFile, jobs: `${chain},${fork}` });
    expect(JSON.parse(JSON.stringify(options))).toEqual(options);
    expect(options.soc).toBe(socFile);
    expect(options.jobs).toBe(`${chain},${fork}`);
    // A relative path is recorded absolute, so that another working directory finds the file.
    expect(soc.parseOptions({ soc: relative(process.cwd(), socFile), jobs: fork }).soc).toBe(
      socFile,
    );
    const gone = write('gone.txt', CHAIN);
    const recorded = soc.parseOptions({ soc: socFile, jobs: gone });
    rmSync(gone);
    expect(() => soc.config(recorded, 1)).toThrow(
      `${gone}: expected a readable DS3 job file (ENOENT)`,
    );
  });

  it('train on them, then evaluate the checkpoint again; bench runs on them', async () => {
    const run = join(tmp, 'run');
    const t = await cli(
      'train',
      '--env',
      'soc',
      '--soc',
      socFile,
      '--jobs',
      `${chain},${fork}`,
      '--jobs-per-episode',
      '5',
      '--steps',
      '256',
      '--eval-every',
      '1',
      ...TINY_TRAINING,
      '--out',
      run,
    );
    expect(t.err).not.toMatch(/error/i);
    expect(t.code).toBe(0);
    const saved = JSON.parse(readFileSync(join(run, 'checkpoint.json'), 'utf8')) as {
      env: { options: Record<string, unknown> };
    };
    expect(saved.env.options).toMatchObject({ soc: socFile, jobs: `${chain},${fork}` });
    const e = await cli(
      'eval',
      ...flags,
      '--policy',
      `heft,checkpoint:${join(run, 'checkpoint.json')}`,
    );
    expect(e.code).toBe(0);
    const b = await cli(
      'bench',
      '--env',
      'soc',
      '--soc',
      socFile,
      '--jobs',
      chain,
      '--batches',
      '1',
      '--seconds',
      '0.05',
      '--windows',
      '1',
    );
    expect(b.err).not.toMatch(/error/i);
    expect(b.code).toBe(0);
  });

  it('an unknown name that is not a file is a usage error listing both', async () => {
    const r = await cli('eval', '--env', 'soc', '--soc', 'nosuch', ...grid);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown SoC 'nosuch'/);
    expect(r.err).toMatch(/ds3-16pe, ds3-16pe-2016, or the path of a SoC file/);
  });
});
