/**
 * A small line chart as standalone SVG: one line per series over categorical x values, for the
 * comparison tables of `schedrl compare` (e.g. mean latency per scheduler across arrival rates).
 */

export interface ChartPanel {
  readonly title: string;
  /** x categories, in order. */
  readonly x: readonly (string | number)[];
  /** One line per series: y values aligned with `x`. */
  readonly series: readonly { readonly name: string; readonly y: readonly number[] }[];
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLOURS = [
  '#c0392b',
  '#2e86c1',
  '#27ae60',
  '#8e44ad',
  '#d68910',
  '#7f8c8d',
  '#17a589',
  '#34495e',
  '#e84393',
  '#6c5ce7',
  '#a0522d',
  '#00b894',
];

/**
 * Panels side by side, `columns` to a row, sharing the y label and scale; a log scale when values
 * span a decade or more.
 */
export function lineChartSvg(
  panels: readonly ChartPanel[],
  xLabel: string,
  yLabel: string,
  columns = 4,
): string {
  const W = 320;
  const H = 260;
  const L = 60;
  const B = 46;
  const T = 30;
  const legend = 110;
  const all = panels
    .flatMap((p) => p.series.flatMap((s) => s.y))
    .filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const log = hi / lo >= 10;
  const f = (v: number): number => (log ? Math.log10(v) : v);
  const [y0, y1] = [f(lo) - (log ? 0.1 : 0), f(hi) + (log ? 0.1 : (hi - lo) * 0.05)];
  const cols = Math.max(1, Math.min(columns, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W + legend}" height="${rows * H}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
  ];
  panels.forEach((panel, i) => {
    const ox = (i % cols) * W;
    const oy = Math.floor(i / cols) * H;
    const x = (k: number): number => ox + L + ((k + 0.5) / panel.x.length) * (W - L - 10);
    const y = (v: number): number => oy + T + (1 - (f(v) - y0) / (y1 - y0 || 1)) * (H - T - B);
    parts.push(
      `<text x="${ox + L}" y="${oy + 18}" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    parts.push(
      `<line x1="${ox + L}" y1="${oy + H - B}" x2="${ox + W - 10}" y2="${oy + H - B}" stroke="black"/><line x1="${ox + L}" y1="${oy + T}" x2="${ox + L}" y2="${oy + H - B}" stroke="black"/>`,
    );
    panel.x.forEach((v, k) =>
      parts.push(
        `<text x="${x(k)}" y="${oy + H - B + 15}" text-anchor="middle">${escapeXml(String(v))}</text>`,
      ),
    );
    parts.push(
      `<text x="${ox + (L + W) / 2}" y="${oy + H - 12}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    );
    for (let t = 0; t <= 4; t++) {
      const fv = y0 + ((y1 - y0) * t) / 4;
      const v = log ? 10 ** fv : fv;
      parts.push(
        `<text x="${ox + L - 5}" y="${y(v) + 4}" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`,
      );
    }
    panel.series.forEach((s, j) => {
      const d = s.y
        .map((v, k) => `${k === 0 ? 'M' : 'L'}${x(k).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      parts.push(
        `<path d="${d}" fill="none" stroke="${COLOURS[j % COLOURS.length]}" stroke-width="2"/>`,
      );
      s.y.forEach((v, k) =>
        parts.push(
          `<circle cx="${x(k).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${COLOURS[j % COLOURS.length]}"/>`,
        ),
      );
    });
  });
  panels[0]?.series.forEach((s, j) => {
    const lx = cols * W + 8;
    parts.push(
      `<rect x="${lx}" y="${T + j * 16}" width="12" height="3" fill="${COLOURS[j % COLOURS.length]}"/><text x="${lx + 16}" y="${T + j * 16 + 5}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push(
    `<text transform="translate(14 ${(rows * H) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel + (log ? ' (log scale)' : ''))}</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
