/**
 * The learning curve as SVG: the training episodes' mean metric and the greedy validation metric
 * against the global step, with the best baseline's validation metric as a dashed line.
 */

import type { MetricsRow } from './log.js';

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function learningCurveSvg(
  rows: readonly MetricsRow[],
  metric: string,
  title: string,
): string {
  const W = 720;
  const H = 380;
  const L = 70;
  const R = 20;
  const T = 40;
  const B = 50;
  const series = [
    { key: `charts/episodic_${metric}`, label: `training episodes (${metric})`, colour: '#7aa6d8' },
    { key: `eval/greedy_${metric}`, label: `greedy on validation`, colour: '#c0392b' },
    {
      key: `eval/baseline_${metric}`,
      label: 'best baseline on validation',
      colour: '#555',
      dash: '6 4',
    },
  ];
  const points = series.map((s) =>
    rows.filter((r) => Number.isFinite(r[s.key])).map((r) => [r.global_step, r[s.key]] as const),
  );
  const all = points.flat();
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  parts.push(`<text x="${L}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  if (all.length === 0) {
    parts.push(`<text x="${L}" y="${H / 2}">no episodes finished yet</text></svg>`);
    return parts.join('\n') + '\n';
  }
  const xMax = Math.max(...all.map((p) => p[0]), 1);
  let yMin = Math.min(...all.map((p) => p[1]));
  let yMax = Math.max(...all.map((p) => p[1]));
  if (yMax === yMin) [yMin, yMax] = [yMin - 1, yMax + 1];
  const x = (v: number): number => L + (v / xMax) * (W - L - R);
  const y = (v: number): number => T + (1 - (v - yMin) / (yMax - yMin)) * (H - T - B);
  parts.push(
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
  );
  for (let i = 0; i <= 4; i++) {
    const vy = yMin + ((yMax - yMin) * i) / 4;
    const vx = (xMax * i) / 4;
    parts.push(`<text x="${L - 6}" y="${y(vy) + 4}" text-anchor="end">${vy.toFixed(0)}</text>`);
    parts.push(
      `<text x="${x(vx)}" y="${H - B + 16}" text-anchor="middle">${Math.round(vx)}</text>`,
    );
  }
  parts.push(
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">environment steps</text>`,
  );
  series.forEach((s, i) => {
    const p = points[i];
    if (p.length === 0) return;
    const d = p
      .map(([a, b], j) => `${j === 0 ? 'M' : 'L'}${x(a).toFixed(1)},${y(b).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dash !== undefined ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
    );
    parts.push(
      `<rect x="${W - R - 200}" y="${T + i * 16}" width="12" height="3" fill="${s.colour}"/><text x="${W - R - 184}" y="${T + i * 16 + 5}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
