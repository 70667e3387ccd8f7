import { describe, expect, it } from 'vitest';
import { renderGantt } from '../../../envs/jobshop/viewer.js';
import { TINY_3X3, TINY_3X3_OPTIMAL_SCHEDULE, TINY_3X3_OPTIMUM } from './fixtures.js';

describe('Gantt chart', () => {
  const svg = renderGantt(TINY_3X3, TINY_3X3_OPTIMAL_SCHEDULE, { title: 'tiny <3x3> & co' });

  it('draws one bar per operation on its machine row, with its times', () => {
    const bars = [...svg.matchAll(/<title>job (\d+) op (\d+): (\d+)-(\d+) on M(\d+)<\/title>/g)];
    expect(bars).toHaveLength(9);
    for (const [, j, o, start, end, m] of bars) {
      const op = TINY_3X3.jobs[Number(j)][Number(o)];
      expect(Number(m)).toBe(op.machine);
      expect(Number(start)).toBe(TINY_3X3_OPTIMAL_SCHEDULE.start[Number(j)][Number(o)]);
      expect(Number(end) - Number(start)).toBe(op.duration);
    }
  });

  it('labels machines, marks the makespan and escapes the title', () => {
    for (let m = 0; m < 3; m++) expect(svg).toContain(`>M${m}</text>`);
    expect(svg).toContain(`makespan ${TINY_3X3_OPTIMUM}`);
    expect(svg).toContain('tiny &#60;3x3&#62; &#38; co');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('skips unscheduled operations of a partial schedule', () => {
    const partial = {
      start: TINY_3X3_OPTIMAL_SCHEDULE.start.map((row, j) =>
        row.map((t, o) => (j === 0 && o === 2 ? -1 : t)),
      ),
      end: TINY_3X3_OPTIMAL_SCHEDULE.end.map((row, j) =>
        row.map((t, o) => (j === 0 && o === 2 ? -1 : t)),
      ),
    };
    expect([...renderGantt(TINY_3X3, partial).matchAll(/<title>/g)]).toHaveLength(8);
  });
});
