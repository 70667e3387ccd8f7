/**
 * The few dense kernels the JavaScript learner (src/agents/js-scorer.ts) is made of, on float32
 * arrays with double-precision accumulation: one matrix product, a transpose and tanh.
 *
 * Why these shapes: V8 compiles a loop of dot products over contiguous rows well, and a block of
 * 2 rows x 4 columns keeps eight accumulators in registers, each loaded value used four or two
 * times: about 5 GFLOP/s on one core of the machine in docs/agents.md, where tfjs-backend-wasm's
 * elementwise kernels cost some 26 ns per element. Every product is written as A times B
 * transposed (both row-major), so that a layer keeps its weights transposed for the forward pass
 * and the backward pass transposes its activations once per minibatch.
 */

/**
 * C[m, n] = sum_k A[m, k] * B[n, k] (+ bias[n]), for A [M, K] and B [N, K] row-major, C [M, N].
 * With `accumulate`, the product is added to C instead of replacing it.
 */
export function matmulNT(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array | Float64Array,
  M: number,
  N: number,
  K: number,
  bias: Float32Array | null = null,
  accumulate = false,
): void {
  const N4 = N - (N % 4);
  let m = 0;
  for (; m + 1 < M; m += 2) {
    const a0 = m * K;
    const a1 = a0 + K;
    const c0 = m * N;
    const c1 = c0 + N;
    let n = 0;
    for (; n < N4; n += 4) {
      const b0 = n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const w0 = b[b0 + k];
        const w1 = b[b1 + k];
        const w2 = b[b2 + k];
        const w3 = b[b3 + k];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      if (bias !== null) {
        s00 += bias[n];
        s01 += bias[n + 1];
        s02 += bias[n + 2];
        s03 += bias[n + 3];
        s10 += bias[n];
        s11 += bias[n + 1];
        s12 += bias[n + 2];
        s13 += bias[n + 3];
      }
      if (accumulate) {
        c[c0 + n] += s00;
        c[c0 + n + 1] += s01;
        c[c0 + n + 2] += s02;
        c[c0 + n + 3] += s03;
        c[c1 + n] += s10;
        c[c1 + n + 1] += s11;
        c[c1 + n + 2] += s12;
        c[c1 + n + 3] += s13;
      } else {
        c[c0 + n] = s00;
        c[c0 + n + 1] = s01;
        c[c0 + n + 2] = s02;
        c[c0 + n + 3] = s03;
        c[c1 + n] = s10;
        c[c1 + n + 1] = s11;
        c[c1 + n + 2] = s12;
        c[c1 + n + 3] = s13;
      }
    }
    for (; n < N; n++) {
      dotInto(a, a0, b, n * K, K, c, c0 + n, bias === null ? 0 : bias[n], accumulate);
      dotInto(a, a1, b, n * K, K, c, c1 + n, bias === null ? 0 : bias[n], accumulate);
    }
  }
  for (; m < M; m++)
    for (let n = 0; n < N; n++)
      dotInto(a, m * K, b, n * K, K, c, m * N + n, bias === null ? 0 : bias[n], accumulate);
}

function dotInto(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  K: number,
  c: Float32Array | Float64Array,
  co: number,
  bias: number,
  accumulate: boolean,
): void {
  let s = bias;
  for (let k = 0; k < K; k++) s += a[ao + k] * b[bo + k];
  if (accumulate) c[co] += s;
  else c[co] = s;
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

/** a[i] = tanh(a[i]) for i in [from, to). */
export function tanhInPlace(a: Float32Array, from = 0, to = a.length): void {
  for (let i = from; i < to; i++) a[i] = tanh(a[i]);
}
