/**
 * The few dense kernels the JavaScript learner (src/agents/js-scorer.ts) is made of, on float32
 * arrays: a matrix product, a transpose and tanh. The product and tanh run as WebAssembly SIMD
 * (src/agents/simd.ts) where it is available and the product's width is a multiple of 16, and as
 * the plain JavaScript below otherwise (double-precision accumulation, Math.tanh-accurate tanh).
 */

import { SIMD } from './simd.js';

/**
 * c[M, N] = a[M, K] b[K, N] + bias[N] (bias null: 0), row-major, then tanh when `activate`.
 * With `accumulate`, the product is added to c instead (bias and tanh ignored).
 */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | Float64Array,
  M: number,
  N: number,
  K: number,
  bias: Float32Array | null,
  accumulate = false,
  activate = false,
): void {
  if (SIMD !== null && N % 16 === 0) {
    SIMD.matmul(a, b, c, M, N, K, bias, accumulate, activate);
    return;
  }
  if (N === 1 && SIMD !== null && c instanceof Float32Array && !accumulate)
    SIMD.matvec(a, b, c, M, K, bias === null ? 0 : bias[0]);
  else if (N === 1) matvec(a, b, c, M, K, bias === null ? 0 : bias[0], accumulate);
  else matmulJs(a, b, c, M, N, K, bias, accumulate);
  if (activate && !accumulate) for (let i = 0; i < M * N; i++) c[i] = tanh(c[i]);
}

/** c[I, O] += a[R, I]^T b[R, O], for weight gradients (x^T dy). */
export function matmulTN(
  a: Float32Array,
  b: Float32Array,
  c: Float64Array,
  R: number,
  I: number,
  O: number,
): void {
  if (SIMD !== null && O % 16 === 0) {
    SIMD.matmulTN(a, b, c, R, I, O);
    return;
  }
  for (let r = 0; r < R; r++)
    for (let i = 0; i < I; i++) {
      const x = a[r * I + i];
      for (let o = 0; o < O; o++) c[i * O + o] += x * b[r * O + o];
    }
}

/**
 * Rows in groups (the candidates of each sample): out[r] = a[r] b + bias[s], then tanh when
 * `activate`, for the rows start[s] <= r < start[s + 1]; a [R, K], b [K, N], bias [S, N].
 */
export function matmulGrouped(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array,
  start: Int32Array,
  N: number,
  K: number,
  activate: boolean,
): Float32Array {
  if (SIMD !== null && N % 16 === 0) return SIMD.matmulGrouped(a, b, bias, start, N, K, activate);
  const R = start[start.length - 1];
  const out = new Float32Array(R * N);
  matmulJs(a, b, out, R, N, K, null);
  addRows(out, bias, start, N, activate);
  return out;
}

/** Rows in groups: out[r] = tanh(x[r] + bias[s]) for start[s] <= r < start[s + 1]. */
export function addTanhGrouped(
  x: Float32Array,
  bias: Float32Array,
  start: Int32Array,
  N: number,
): Float32Array {
  if (SIMD !== null && N % 4 === 0) return SIMD.addTanhGrouped(x, bias, start, N);
  const out = x.slice(0, start[start.length - 1] * N);
  addRows(out, bias, start, N, true);
  return out;
}

function addRows(
  x: Float32Array,
  bias: Float32Array,
  start: Int32Array,
  N: number,
  activate: boolean,
): void {
  for (let s = 0; s + 1 < start.length; s++)
    for (let r = start[s]; r < start[s + 1]; r++)
      for (let n = 0; n < N; n++) {
        const v = x[r * N + n] + bias[s * N + n];
        x[r * N + n] = activate ? tanh(v) : v;
      }
}

/** `matmul` with one column (the network's heads): a dot product per row. */
function matvec(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | Float64Array,
  M: number,
  K: number,
  bias: number,
  accumulate: boolean,
): void {
  for (let m = 0; m < M; m++) {
    let s = accumulate ? c[m] : bias;
    const ao = m * K;
    for (let k = 0; k < K; k++) s += a[ao + k] * b[k];
    c[m] = s;
  }
}

/** `matmul` in plain JavaScript: each row of c accumulated in doubles over the rows of b. */
export function matmulJs(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | Float64Array,
  M: number,
  N: number,
  K: number,
  bias: Float32Array | null,
  accumulate = false,
): void {
  const row = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    const co = m * N;
    for (let n = 0; n < N; n++) row[n] = accumulate ? c[co + n] : bias === null ? 0 : bias[n];
    for (let k = 0; k < K; k++) {
      const x = a[m * K + k];
      const bo = k * N;
      for (let n = 0; n < N; n++) row[n] += x * b[bo + n];
    }
    for (let n = 0; n < N; n++) c[co + n] = row[n];
  }
}

/** out [cols, rows] = in [rows, cols] transposed. */
export function transpose(
  from: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
): Float32Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = from[o + c];
  }
  return out;
}

const LOG2E = Math.LOG2E;
// ln 2 split in two so that n * LN2_HI is exact for the n used here (Cody and Waite).
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 2^-n for n = 0..63. */
const POW2_NEG = Float64Array.from({ length: 64 }, (_, n) => 2 ** -n);

/**
 * tanh in double precision to well under a float32 ulp (stored, it equals Math.tanh's float32
 * rounding or its neighbour), at about half of Math.tanh's cost in V8, without branches that
 * depend on the data but the sign: tanh|x| = -E / (2 + E) with E = e^(-2|x|) - 1, E from a
 * degree-9 Taylor polynomial of e^r - 1 after reducing -2|x| = -n ln 2 + r.
 */
export function tanh(x: number): number {
  const y = Math.min(2 * Math.abs(x), 40); // e^-40 is below float32's resolution of 1
  const n = (y * LOG2E + 0.5) | 0;
  const r = n * LN2_HI - y + n * LN2_LO; // |r| <= ln 2 / 2
  const m =
    r *
    (1 +
      r *
        (1 / 2 +
          r *
            (1 / 6 +
              r *
                (1 / 24 +
                  r *
                    (1 / 120 +
                      r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r * (1 / 362880)))))))));
  const s = POW2_NEG[n];
  // e^(-2|x|) - 1 = (m + 1) s - 1, written so that n = 0 (small |x|) adds exact zeros.
  const em1 = m * s + (s - 1);
  const t = -em1 / (2 + em1);
  return x < 0 ? -t : t;
}
