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
comm_vol 1 2 0
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
      /:8 \(task 2 \(sort\)\): expected a task type some PE of the SoC runs/,
    );
  });

  describe('refuse every inconsistency, naming the file, the line and what was expected', () => {
    const soc = readDs3SocFile(file('good-soc.txt', SOC));
    const readJob = (p: string): unknown => readDs3JobFile(p, soc);
    let n = 0;
    /** Writes `text`, reads it with `read`, and checks the InputError against `message`. */
    const refuses = (text: string, read: (p: string) => unknown, message: RegExp): void => {
      const path = file(`case${n++}.txt`, text);
      let err: unknown;
      try {
        read(path);
      } catch (e) {
        err = e;
      }
      expect(err, String(message)).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain(path);
      expect((err as Error).message).toMatch(message);
    };
    const socCase = (from: string, to: string, message: RegExp): void => {
      expect(SOC).toContain(from);
      refuses(SOC.replace(from, to), readDs3SocFile, message);
    };
    const jobCase = (from: string, to: string, message: RegExp): void => {
      expect(JOB).toContain(from);
      refuses(JOB.replace(from, to), readJob, message);
    };

    it('SoC: a duplicate resource_ID (it would rewire the bandwidths)', () => {
      socCase(
        'resource_ID 1',
        'resource_ID 0',
        /:7: expected each resource_ID once, found 0 again \(first at line 2\)/,
      );
    });
    it('SoC: comm_band to a resource that does not exist', () => {
      socCase(
        'comm_band 0 1 10',
        'comm_band 0 7 10',
        /:13: expected the resource_ID of a resource .*found 7/,
      );
    });
    it('SoC: an extra number on a functionality line', () => {
      socCase(
        'mix 4\n',
        'mix 4 4\n',
        /:8: expected one execution time after 'mix', found 2 values/,
      );
    });
    it('SoC: capacity 0 and other bad resource fields', () => {
      socCase(
        'capacity 1 num_supported_functionalities 1 DVFS_mode none\nmix',
        'capacity 0 num_supported_functionalities 1 DVFS_mode none\nmix',
        /:7: expected capacity \(an integer >= 1\), found '0'/,
      );
      socCase(
        'resource_name CPU',
        'resoruce_name CPU',
        /:2: expected 'resource_name' as word 4, found 'resoruce_name'/,
      );
      socCase(' DVFS_mode performance', '', /:2: expected add_new_resource with 6 values/);
      socCase(
        'resource_name FFT',
        'resource_name CPU',
        /:7: expected each resource_name once, found 'CPU' again \(first at line 2\)/,
      );
    });
    it('SoC: negative, non-finite or non-decimal times and bandwidths', () => {
      socCase('load 12', 'load -12', /:4: expected the execution time of load .*found '-12'/);
      socCase('load 12', 'load 1e999', /:4: expected the execution time of load .*found '1e999'/);
      socCase('load 12', 'load 0x10', /:4: expected the execution time of load .*found '0x10'/);
      socCase(
        'comm_band_self 10000',
        'comm_band_self 0',
        /:11: expected a bandwidth \(a positive number\)/,
      );
      socCase(
        'comm_band 0 1 10',
        'comm_band 0 1 0',
        /:13: expected a bandwidth \(a positive number\).*found '0'/,
      );
    });
    it('SoC: a functionality twice, a pair given twice, and lines out of place', () => {
      socCase(
        'mix 30\n',
        'load 30\n',
        /:5: expected each functionality once per resource, found 'load' again \(first at line 4/,
      );
      socCase(
        'comm_band 0 1 10\n',
        'comm_band 0 1 10\ncomm_band 1 0 20\n',
        /:14: expected each pair of resources once, found 1 0 again \(first at line 13\)/,
      );
      socCase(
        'comm_band 0 1 10\n',
        'comm_band 0 1 10\nsort 3\n',
        /:14: expected comm_band or comm_band_self after the first comm_band line, found 'sort'/,
      );
      socCase(
        'comm_band_self 10000\n',
        'comm_band_self 10000\ncomm_band_self 10\n',
        /:12: expected one comm_band_self line \(first at line 11\)/,
      );
      socCase(
        'comm_band 0 1 10',
        'comm_band 0 1 10 5',
        /:13: expected 'comm_band ID_A ID_B BANDWIDTH'/,
      );
    });
    it('SoC: bandwidth 0 is allowed to the memory only (DS3 writes it there)', () => {
      const soc0 = readDs3SocFile(file('mem0.txt', `${SOC}comm_band 2 2 0\ncomm_band 0 2 0\n`));
      expect(soc0.platform.numProcs).toBe(3);
    });
    it('SoC: the positional form of add_new_resource reads the same', () => {
      const positional = SOC.replace(
        'resource_type BIG resource_name CPU resource_ID 0 capacity 2 num_supported_functionalities 3 DVFS_mode performance',
        'BIG CPU 0 2 3 performance',
      );
      const a = readDs3SocFile(file('positional.txt', positional));
      expect(a.platform).toEqual(readDs3SocFile(file('keyed.txt', SOC)).platform);
    });

    it('job: comm_vol on an edge that does not exist, twice, or with extra words', () => {
      jobCase(
        'comm_vol 1 2 0\n',
        'comm_vol 1 2 0\ncomm_vol 0 2 5\n',
        /:13: expected comm_vol on an edge of the job \(FROM is a predecessor of TO\), found 0 -> 2, which is not one/,
      );
      jobCase(
        'comm_vol 1 2 0\n',
        'comm_vol 1 2 0\ncomm_vol 0 1 5\n',
        /:13: expected one comm_vol per edge, found 0 -> 1 again \(first at line 11\)/,
      );
      jobCase('comm_vol 1 2 0', 'comm_vol 1 2 0 7', /:12: expected 'comm_vol FROM TO VOLUME'/);
      jobCase('comm_vol 1 2 0', 'comm_vol 1 2 -3', /:12: expected a volume .*found '-3'/);
    });
    it('job: an edge without its comm_vol (it would silently carry nothing)', () => {
      jobCase(
        'comm_vol 1 2 0\n',
        '',
        /:8: expected a comm_vol line for every edge; 1 -> 2 has none/,
      );
    });
    it('job: a task without its closing earliest_start line', () => {
      jobCase(
        'mix earliest_start 0 deadline 50 input_vol 64 output_vol 32\n',
        '',
        /:6: expected task 'mix' to be closed by 'mix earliest_start T deadline T \.\.\.' before line 7/,
      );
      jobCase(
        'store earliest_start 0 deadline 50\n',
        '',
        /:8: expected task 'store' to be closed by 'store earliest_start T deadline T \.\.\.' before line 10/,
      );
      refuses(
        JOB.slice(0, JOB.indexOf('store earliest_start')),
        readJob,
        /:8: expected task 'store' to be closed by 'store earliest_start T deadline T \.\.\.' before the end of the file/,
      );
      jobCase('load earliest_start', 'mix earliest_start', /:5: expected 'load earliest_start/);
    });
    it('job: a cycle, at the line of an edge that closes it', () => {
      jobCase(
        'mix 1 0\n',
        'mix 1 0 2\n',
        /:6: expected a job graph without cycles; the edge 2 -> 1 closes the cycle 1 -> 2 -> 1/,
      );
      jobCase(
        'mix 1 0\n',
        'mix 1 1\n',
        /:6: expected a job graph without cycles; the edge 1 -> 1 closes the cycle 1 -> 1/,
      );
    });
    it('job: duplicate ids and predecessors, HEAD and TAIL out of place', () => {
      jobCase(
        'store 2 1',
        'store 1 0',
        /:8: expected each task id once, found 1 again \(first at line 6\)/,
      );
      jobCase('store 2 1', 'store 2 1 1', /:8: expected each predecessor once, found 1 again/);
      jobCase(
        'mix 1 0\n',
        'mix 1 0\nmix TAIL\n',
        /:10: expected one TAIL task, found 'store' after 'mix' \(line 7\)/,
      );
      refuses(
        JOB.replace('load HEAD', 'load TAIL').replace('store TAIL\n', ''),
        readJob,
        /:4: expected the TAIL task to have no successors, found 'load' \(task 0\) before task 1/,
      );
      jobCase(
        'mix 1 0\n',
        'mix 1 0\nmix HEAD\n',
        /:7: expected the HEAD task to have no predecessors, found 'mix'/,
      );
    });
    it('job: missing or repeated job_name and add_new_tasks, unknown keywords', () => {
      jobCase('job_name demo\n', '', /expected a job_name line/);
      jobCase('add_new_tasks 3\n', '', /:2: expected add_new_tasks N before the first task/);
      jobCase(
        'job_name demo\n',
        'job_name demo\njob_name again\n',
        /:2: expected one job_name line \(first at line 1\)/,
      );
      jobCase('job_name demo', 'job_name my demo', /:1: expected 'job_name NAME'/);
      jobCase('add_new_tasks 3', 'add_new_tasks 3 4', /:2: expected 'add_new_tasks N'/);
    });
    it('job: missing, unknown, negative or non-finite fields on the closing line', () => {
      jobCase(
        'store earliest_start 0 deadline 50',
        'store earliest_start 0',
        /:10: expected 'deadline T' on the earliest_start line/,
      );
      jobCase(
        'store earliest_start 0 deadline 50',
        'store earliest_start 0 deadline -50',
        /:10: expected deadline .*found '-50'/,
      );
      jobCase(
        'store earliest_start 0 deadline 50',
        'store earliest_start 0 deadline Infinity',
        /:10: expected deadline .*found 'Infinity'/,
      );
      jobCase(
        'store earliest_start 0 deadline 50',
        'store earliest_start 0 deadline 50 priority 3',
        /:10: expected earliest_start, deadline, input_vol or output_vol, found 'priority'/,
      );
      jobCase(
        'store earliest_start 0 deadline 50',
        'store earliest_start 0 deadline 50 deadline 60',
        /:10: expected deadline once/,
      );
    });
  });
});
