/**
 * Weight initialization from schedrl's own counter-based RNG, so that a seed gives the same
 * network on every TensorFlow.js backend (tfjs's own random ops differ between backends).
 */

import { Rng } from '../core/rng.js';

/** Standard normal draws (Box-Muller) from `rng`. */
export function normals(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rng.unit(), 1e-12);
    const v = rng.unit();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * A [rows, cols] matrix (row-major) with orthonormal rows or columns, whichever are fewer, times
 * `gain`: the orthogonal initialization of Saxe et al., used by the PPO reference implementations.
 */
export function orthogonal(rng: Rng, rows: number, cols: number, gain: number): Float32Array {
  const transpose = rows < cols;
  const n = transpose ? cols : rows; // long side
  const m = transpose ? rows : cols; // short side: m orthonormal vectors of length n
  const g = normals(rng, n * m);
  const vecs: Float64Array[] = [];
  for (let k = 0; k < m; k++) {
    const v = g.subarray(k * n, (k + 1) * n).slice();
    for (const u of vecs) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += u[i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * u[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) v[i] /= norm;
    vecs.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = gain * (transpose ? vecs[r][c] : vecs[c][r]);
    }
  }
  return out;
}
