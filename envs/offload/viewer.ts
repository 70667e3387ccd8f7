/**
 * One offloading episode as a standalone SVG Gantt chart (src/core/gantt.ts): a row per edge
 * device and one for the cloud (whose calls overlap), a bar per task run, coloured by model,
 * from the records the state keeps of the finished episode.
 */

import { ganttSvg, type GanttBar } from '../../src/core/gantt.js';
import { onTime, type TaskRecord } from './records.js';
import type { OffloadConfig } from './types.js';

export function renderOffloadGantt(
  records: readonly TaskRecord[],
  c: OffloadConfig,
  title: string,
): string {
  const rows = [...Array.from({ length: c.edges }, (_, d) => `edge ${d}`), 'cloud'];
  const bars: GanttBar[] = [];
  let end = 1;
  for (const r of records) {
    if (r.place === 'drop') continue;
    end = Math.max(end, r.finish);
    const name = c.models[r.model].name;
    bars.push({
      row: r.place === 'cloud' ? c.edges : r.place,
      start: r.start,
      end: r.finish,
      job: r.model,
      label: name,
      title: `task ${r.index} (${name}, drone ${r.drone}, arrived ${r.arrival} ms, deadline ${r.deadline} ms): ${r.start}-${r.finish} ms, ${onTime(r) ? 'in time' : 'missed'}`,
    });
  }
  return ganttSvg(
    {
      rows,
      bars,
      horizon: end,
      marker: { at: c.segments * 1000, label: 'last segment' },
      axisLabel: 'time (ms)',
      labels: bars.length <= 200,
    },
    { title },
  );
}
