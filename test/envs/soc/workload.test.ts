import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { ds3Job, ds3Soc } from '../../../envs/soc/ds3.js';
import { arrivalGap, noisyDuration } from '../../../envs/soc/env.js';
import { TICKS_PER_UNIT, compileWorkload, type StreamSpec } from '../../../envs/soc/workload.js';

const soc = ds3Soc('ds3-16pe');
const spec: StreamSpec = {
  platform: soc.platform,
  jobs: [ds3Job('wifi_tx', soc), ds3Job('range_detection', soc)],
  mix: [1, 3],
  meanInterArrival: 50,
  jobsPerEpisode: 10,
  noise: 0.3,
};

describe('compiled SoC workloads', () => {
  it('draw exponential gaps whose mean is the requested one within 0.1%', () => {
    const w = compileWorkload(spec);
    let sum = 0;
    // Every quantile interval and interpolation step once: the exact mean of the draw.
    for (let i = 0; i < 1024; i++)
      for (let f = 0; f < 1024; f++) sum += arrivalGap(w, ((i << 22) | (f << 12)) >>> 0);
    expect(Math.abs(sum / 2 ** 20 / (50 * TICKS_PER_UNIT) - 1)).toBeLessThan(1e-3);
  });

  it('stretch execution times by a deviate with the configured relative deviation', () => {
    const w = compileWorkload(spec);
    let s1 = 0;
    let s2 = 0;
    const n = 40_000;
    for (let k = 0; k < n; k++) {
      const x = noisyDuration(w.noiseScales[0], 99, k >> 5, k & 31, 100_000) / 100_000 - 1;
      s1 += x;
      s2 += x * x;
    }
    const mean = s1 / n;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.sqrt(s2 / n - mean * mean)).toBeCloseTo(0.3, 1);
    // The same (episode, job, task) always gets the same time; no noise leaves tables as they are.
    expect(noisyDuration(w.noiseScales[0], 7, 3, 4, 5000)).toBe(
      noisyDuration(w.noiseScales[0], 7, 3, 4, 5000),
    );
    expect(
      noisyDuration(compileWorkload({ ...spec, noise: 0 }).noiseScales[0], 7, 3, 4, 5000),
    ).toBe(5000);
  });

  it('refuse bad streams, naming the field and what was expected', () => {
    const bad = (patch: Partial<StreamSpec>, field: RegExp): void => {
      expect(() => compileWorkload({ ...spec, ...patch })).toThrow(InputError);
      expect(() => compileWorkload({ ...spec, ...patch })).toThrow(field);
    };
    bad({ mix: [1] }, /mix.*one weight per job template/);
    bad({ mix: [0, 0] }, /mix.*at least one positive/);
    bad({ noise: 1.5 }, /noise.*between 0 and 1/);
    bad({ noise: [0, 1.5] }, /noise.*between 0 and 1/);
    bad({ meanInterArrival: 0 }, /meanInterArrival.*positive/);
    bad({ meanInterArrival: [50, -1] }, /meanInterArrival.*positive/);
    bad({ meanInterArrival: [] }, /meanInterArrival.*a list of 1 to 64/);
    bad({ jobsPerEpisode: 2.5 }, /jobsPerEpisode.*positive integer/);
    bad({ jobsPerEpisode: 1e6 }, /jobsPerEpisode.*outlast 2\^32 ticks/);
    bad({ maxJobsInFlight: 0 }, /maxJobsInFlight/);
    const job = spec.jobs[0];
    bad(
      {
        jobs: [{ ...job, exec: job.exec.map((row, t) => (t === 2 ? row.map(() => -1) : row)) }],
        mix: [1],
      },
      /jobs\[0\] \(.*\)\.exec\[2\]\[0\].*non-negative/,
    );
    bad(
      {
        jobs: [
          { ...job, exec: job.exec.map((row, t) => (t === 1 ? row.map(() => Infinity) : row)) },
        ],
        mix: [1],
      },
      /exec\[1\].*at least one processor/,
    );
    bad(
      {
        jobs: [{ ...job, edges: [...job.edges, { from: job.numTasks - 1, to: 0, volume: 1 }] }],
        mix: [1],
      },
      /edges.*without a cycle/,
    );
    bad(
      { jobs: [{ ...job, edges: [{ from: 0, to: job.numTasks, volume: 1 }] }], mix: [1] },
      /edges\[0\].*tasks in 0\.\./,
    );
  });
});
