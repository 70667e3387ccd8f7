import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { readDs3JobFile, readDs3SocFile } from '../../../envs/soc/ds3.js';
import { etf, makespanOf } from '../../../envs/soc/static.js';
import { validateDagSchedule } from '../../../envs/soc/validate.js';

// Written for this test in DS3's text layout: two CPU cores and one accelerator.
const SOC = `# a tiny SoC
add_new_resource resource_type BIG resource_name CPU resource_ID 0 capacity 2 num_supported_functionalities 3 DVFS_mode performance
opp 1000 1000
load 12
mix 30
store 5
add_new_resource resource_type ACC resource_name FFT resource_ID 1 capacity 1 num_supported_functionalities 1 DVFS_mode none
mix 4
add_new_resource resource_type MEM resource_name MEMORY resource_ID 2 capacity 1 num_supported_functionalities 1 DVFS_mode none
None 0
comm_band_self 10000
comm_band 0 0 1000
comm_band 0 1 10
`;

const JOB = `job_name demo
add_new_tasks 3
load 0
load HEAD
load earliest_start 0 deadline 50 input_vol 64 output_vol 64
mix 1 0
mix earliest_start 0 deadline 50 input_vol 64 output_vol 32
store 2 1
store TAIL
store earliest_start 0 deadline 50
comm_vol 0 1 400
`;

const dir = mkdtempSync(join(tmpdir(), 'schedrl-ds3-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("DS3's text files", () => {
  it('read a SoC and a job, and schedule them with the transfer times DS3 would use', () => {
    const soc = readDs3SocFile(file('soc.txt', SOC));
    expect(soc.platform.names).toEqual(['CPU0', 'CPU1', 'FFT0']);
    expect(soc.platform.bandwidth[0][2]).toBe(10);
    expect(soc.platform.bandwidth[0][1]).toBe(1000);
    expect(soc.platform.bandwidth[2][2]).toBe(10000);
    const job = readDs3JobFile(file('job.txt', JOB), soc);
    expect(job.edges).toEqual([
      { from: 0, to: 1, volume: 400 },
      { from: 1, to: 2, volume: 0 },
    ]);
    const s = etf(job, soc.platform);
    expect(validateDagSchedule(job, soc.platform, s)).toEqual([]);
    // load on a CPU (12), then mix on the accelerator (400/10 = 40 to move the data, 4 to run) is
    // slower than mix on the same CPU (400/10000 rounds down to 0, 30 to run); store (5): 47.
    expect(makespanOf(s)).toBe(47);
  });

  it('refuse malformed files, naming the file and the line', () => {
    const bad = (
      name: string,
      text: string,
      read: (p: string) => unknown,
      message: RegExp,
    ): void => {
      const path = file(name, text);
      let err: unknown;
      try {
        read(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toMatch(message);
    };
    const soc = readDs3SocFile(file('ok.txt', SOC));
    bad(
      'time.txt',
      SOC.replace('load 12', 'load fast'),
      readDs3SocFile,
      /:4: expected the execution time of load .* found 'fast'/,
    );
    bad(
      'count.txt',
      SOC.replace('num_supported_functionalities 3', 'num_supported_functionalities 4'),
      readDs3SocFile,
      /:2: expected 4 functionalities for CPU/,
    );
    bad('orphan.txt', 'load 12\n', readDs3SocFile, /:1: expected add_new_resource before 'load'/);
    bad(
      'tasks.txt',
      JOB.replace('add_new_tasks 3', 'add_new_tasks 4'),
      (p) => readDs3JobFile(p, soc),
      /expected 4 tasks \(add_new_tasks\), found 3/,
    );
    bad(
      'pred.txt',
      JOB.replace('store 2 1', 'store 2 7'),
      (p) => readDs3JobFile(p, soc),
      /expected predecessor ids below 3, found 7/,
    );
    bad(
      'junk.txt',
      JOB.replace('mix 1 0', 'mix one 0'),
      (p) => readDs3JobFile(p, soc),
      /:6: expected job_name, add_new_tasks, a task line/,
    );
    bad(
      'type.txt',
      JOB.replace(/store/g, 'sort'),
      (p) => readDs3JobFile(p, soc),
      /task 2 \(sort\).*expected a task type some PE of the SoC runs/,
    );
  });
});
