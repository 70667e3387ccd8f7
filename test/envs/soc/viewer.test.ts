import { describe, expect, it } from 'vitest';
import { socBaseline } from '../../../envs/soc/baselines.js';
import { ds3Job, ds3Soc } from '../../../envs/soc/ds3.js';
import { SocEnv, type FinishedJob } from '../../../envs/soc/env.js';
import { renderSocGantt } from '../../../envs/soc/viewer.js';

const soc = ds3Soc('ds3-16pe-2016');
const jobs = [ds3Job('wifi_tx', soc), ds3Job('wifi_rx', soc)];

/** Copy 0's first finished episode under ETF. */
function episode(): FinishedJob[] {
  const env = new SocEnv({
    numEnvs: 2,
    platform: soc.platform,
    jobs,
    mix: [1, 1],
    meanInterArrival: 40,
    jobsPerEpisode: 5,
    noise: 0.2,
    maxCandidates: 32,
  });
  env.reset(3);
  const policy = socBaseline('etf');
  const actions = new Int32Array(env.numEnvs);
  for (;;) {
    policy.act(env, actions);
    if (env.step(actions).terminated[0] === 1) return env.finishedJobs[0];
  }
}

describe('SoC Gantt chart', () => {
  const finished = episode();
  const rowHeight = 20;
  const svg = renderSocGantt(finished, soc.platform, {
    title: 'wifi <tx> & rx',
    rowHeight,
    templateNames: jobs.map((j) => j.name),
  });

  it('is one well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // Every element is self-closed or closed, in order.
    const open: string[] = [];
    for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (close === '/') expect(open.pop()).toBe(name);
      else if (selfClose !== '/') open.push(name);
    }
    expect(open).toEqual([]);
    expect(svg).toContain('wifi &#60;tx&#62; &#38; rx');
    expect(svg).toContain('time (µs)');
  });

  it('draws one bar per task, on the row of its PE, with its times', () => {
    const bars = [
      ...svg.matchAll(
        /<rect x="[\d.]+" y="(\d+)"[^>]*><title>job (\d+) \((\w+), arrived [\d.]+ µs\) task (\d+): ([\d.]+)-([\d.]+) µs on (\S+)<\/title>/g,
      ),
    ];
    expect(bars).toHaveLength(finished.reduce((n, j) => n + j.schedule.proc.length, 0));
    const top = 40; // below the title
    for (const [, y, j, type, t, start, finish, pe] of bars) {
      const job = finished[Number(j)];
      const p = job.schedule.proc[Number(t)];
      expect(type).toBe(jobs[job.template].name);
      expect(pe).toBe(soc.platform.names[p]);
      expect((Number(y) - 2 - top) / rowHeight).toBe(p);
      expect(Number(start)).toBe(job.schedule.start[Number(t)]);
      expect(Number(finish)).toBe(job.schedule.finish[Number(t)]);
    }
  });

  it('names every PE row', () => {
    for (const name of soc.platform.names)
      expect(svg).toContain(`text-anchor="end">${name}</text>`);
  });
});
