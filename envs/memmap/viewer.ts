/**
 * A placement as ML compilers' memory viewers draw it, a standalone SVG: time to the right,
 * address upwards, one rectangle per placed buffer (its live range by its size), the capacity and
 * the peak as dashed lines, and the spilled buffers listed below.
 */

import { escapeXml, jobColour, niceStep } from '../../src/core/gantt.js';
import type { Placement } from './env.js';
import type { Trace } from './types.js';

export interface PlacementViewOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

export function renderPlacement(
  trace: Trace,
  placement: Placement,
  options: PlacementViewOptions = {},
): string {
  const W = options.width ?? 900;
  const H = options.height ?? 420;
  const left = 80;
  const top = 40;
  const bottom = 50;
  const right = 20;
  const horizon = Math.max(1, ...trace.buffers.map((b) => b.end));
  const t0 = Math.min(...trace.buffers.map((b) => b.start));
  let peak = 0;
  const spilled: string[] = [];
  trace.buffers.forEach((b, i) => {
    const o = placement[i];
    if (o === null) spilled.push(b.id);
    else peak = Math.max(peak, o + b.size);
  });
  const ymax = Math.max(peak, trace.capacity) * 1.05;
  const x = (t: number): number =>
    left + ((t - t0) / Math.max(1, horizon - t0)) * (W - left - right);
  const y = (a: number): number => top + (1 - a / ymax) * (H - top - bottom);
  const parts: string[] = [];
  const title = options.title ?? trace.name;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 20}" viewBox="0 0 ${W} ${H + 20}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${escapeXml(title)}</text>`,
  );
  trace.buffers.forEach((b, i) => {
    const o = placement[i];
    if (o === null) return;
    const h = Math.max(0.5, y(o) - y(o + b.size));
    parts.push(
      `<rect x="${x(b.start).toFixed(2)}" y="${y(o + b.size).toFixed(2)}" width="${Math.max(0.5, x(b.end) - x(b.start)).toFixed(2)}" height="${h.toFixed(2)}" fill="${jobColour(i)}" stroke="#333" stroke-width="0.3"><title>${escapeXml(`${b.id}: time [${b.start}, ${b.end}), address [${o}, ${o + b.size})`)}</title></rect>`,
    );
  });
  const line = (a: number, label: string, colour: string): void => {
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${y(a).toFixed(2)}" y2="${y(a).toFixed(2)}" stroke="${colour}" stroke-dasharray="6 4"/>`,
      `<text x="${W - right}" y="${(y(a) - 3).toFixed(2)}" text-anchor="end" fill="${colour}">${escapeXml(label)}</text>`,
    );
  };
  line(trace.capacity, `capacity ${trace.capacity}`, '#c00');
  line(peak, `peak ${peak} (${(peak / trace.capacity).toFixed(3)}x capacity)`, '#006');
  // Axes: address ticks on the left, time ticks below.
  const aStep = niceStep(ymax, 6);
  for (let a = 0; a <= ymax; a += aStep)
    parts.push(`<text x="${left - 6}" y="${(y(a) + 4).toFixed(2)}" text-anchor="end">${a}</text>`);
  const tStep = niceStep(Math.max(1, horizon - t0), 8);
  for (let t = Math.ceil(t0 / tStep) * tStep; t <= horizon; t += tStep)
    parts.push(
      `<text x="${x(t).toFixed(2)}" y="${H - bottom + 16}" text-anchor="middle">${t}</text>`,
    );
  parts.push(
    `<line x1="${left}" x2="${W - right}" y1="${y(0)}" y2="${y(0)}" stroke="#000"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${y(0)}" stroke="#000"/>`,
    `<text x="${(left + W - right) / 2}" y="${H - bottom + 34}" text-anchor="middle">time</text>`,
    `<text x="14" y="${(top + H - bottom) / 2}" transform="rotate(-90 14 ${(top + H - bottom) / 2})" text-anchor="middle">address (bytes)</text>`,
  );
  if (spilled.length > 0)
    parts.push(
      `<text x="${left}" y="${H + 12}">${escapeXml(`spilled to slow memory (${spilled.length}): ${spilled.slice(0, 40).join(', ')}${spilled.length > 40 ? ', ...' : ''}`)}</text>`,
    );
  parts.push('</svg>');
  return parts.join('\n');
}
