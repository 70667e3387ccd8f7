import { describe, expect, it } from 'vitest';
import { matmulJs, tanh } from '../../src/agents/dense.js';
import { JsScorer, packLegal } from '../../src/agents/js-scorer.js';
import { initialParameters, type Architecture } from '../../src/agents/network.js';
import { SIMD } from '../../src/agents/simd.js';
import { Rng } from '../../src/core/rng.js';

// The WebAssembly SIMD kernels against plain JavaScript: the learner uses the first where it
// can and the second otherwise, and both must compute the same network.
const rng = new Rng(11);
/** Every float32 from `from` to `to` (positive, from <= to), by their bit patterns. */
function everyFloat32(from: number, to: number): Float32Array {
  const bits = new Int32Array(new Float32Array([from, to]).buffer);
  return new Float32Array(
    Int32Array.from({ length: bits[1] - bits[0] + 1 }, (_, i) => bits[0] + i).buffer,
  );
}

const random = (n: number, scale = 1): Float32Array =>
  Float32Array.from({ length: n }, () => (rng.unit() * 2 - 1) * scale);

describe('dense kernels', () => {
  it('assembles a valid WebAssembly SIMD module on this Node', () => {
    expect(SIMD).not.toBeNull();
  });

  it.each([
    [1, 16, 1],
    [7, 16, 10],
    [33, 64, 64],
    [5, 32, 3],
  ])(
    'multiplies %i x %i (inner %i) with bias, and accumulates, as the JavaScript kernel',
    (M, N, K) => {
      const a = random(M * K);
      const b = random(K * N);
      const bias = random(N);
      const expected = new Float32Array(M * N);
      matmulJs(a, b, expected, M, N, K, bias);
      const actual = new Float32Array(M * N);
      SIMD!.matmul(a, b, actual, M, N, K, bias);
      for (let i = 0; i < M * N; i++) expect(actual[i]).toBeCloseTo(expected[i], 5);
      // Accumulating adds the product (without bias) to what is there.
      const sum = Float64Array.from(expected);
      SIMD!.matmul(a, b, sum, M, N, K, bias, true);
      matmulJs(a, b, expected, M, N, K, null, true);
      for (let i = 0; i < M * N; i++) expect(sum[i]).toBeCloseTo(expected[i], 5);
    },
  );

  it('computes tanh within 4 x 2^-23 |tanh x| of Math.tanh, signs, zeros and saturation included', () => {
    const x = Float32Array.from([
      0,
      -0,
      1e-30,
      -1e-7,
      3e-4,
      0.1,
      -0.5,
      1,
      -2,
      4.5,
      9,
      -9.5,
      20,
      -100,
      1e30,
      ...random(1001, 6),
      ...Array.from({ length: 20001 }, (_, i) => -10 + i / 1000),
    ]);
    const simd = x.slice();
    SIMD!.tanh(simd);
    for (let i = 0; i < x.length; i++) {
      const exact = Math.tanh(x[i]);
      const ulp = Math.max(Math.abs(exact) * 2 ** -23, 2 ** -149);
      expect(Math.abs(simd[i] - exact)).toBeLessThanOrEqual(4 * ulp);
      expect(Math.abs(simd[i])).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.fround(tanh(x[i])) - exact)).toBeLessThanOrEqual(ulp);
      if (x[i] !== 0) expect(Math.sign(simd[i])).toBe(Math.sign(x[i]));
    }

    // Where tanh nears 1 the rounded rational form errs most (7 float32 ulps from the rounded
    // value at 5.2797728, 6.5 units of 2^-24 from the exact one): every float32 from 5 to past the
    // clamp, the largest error checked once.
    const near1 = everyFloat32(5, 8);
    const out = near1.slice();
    SIMD!.tanh(out);
    let worst = 0;
    for (let i = 0; i < near1.length; i++)
      worst = Math.max(worst, Math.abs(out[i] - Math.tanh(near1[i])) / 2 ** -24);
    expect(worst).toBeLessThanOrEqual(7);
    expect(Math.max(...out.subarray(out.length - 1000))).toBeLessThanOrEqual(1);
  });

  it('applies one tanh everywhere, bit for bit: alone, fused into a product, after a bias', () => {
    // Every published figure of a shipped policy comes from these bits: the kernels may be
    // rearranged for speed (grouped, interleaved) but must not change one, and a new tanh must
    // have its figures checked again (docs/agents.md). The hash is of the rational tanh.
    const grid = Float32Array.from({ length: 4096 }, (_, i) => -12 + (24 * i) / 4098);
    SIMD!.tanh(grid);
    let hash = 2166136261;
    for (const bits of new Uint32Array(grid.buffer)) hash = Math.imul(hash ^ bits, 16777619) >>> 0;
    expect(hash).toBe(381085682);

    // Odd sizes reach the kernels' single-vector tails as well as their groups of four.
    for (const [M, N, K] of [
      [7, 64, 10],
      [3, 16, 64],
      [1, 32, 5],
    ]) {
      const a = random(M * K, 3);
      const b = random(K * N);
      const bias = random(N);
      const fused = new Float32Array(M * N);
      SIMD!.matmul(a, b, fused, M, N, K, bias, false, true);
      const separate = new Float32Array(M * N);
      SIMD!.matmul(a, b, separate, M, N, K, bias);
      const sums = separate.slice();
      SIMD!.tanh(separate);
      expect(Array.from(fused)).toEqual(Array.from(separate));
      // addTanh(x, 0) is tanh(x): x + 0 is x.
      const start = Int32Array.from([0, M]);
      const viaBias = SIMD!.addTanhGrouped(sums, new Float32Array(N), start, N);
      expect(Array.from(viaBias)).toEqual(Array.from(separate));
    }
  });

  it.each([64, 32])(
    "runs the backward pass's elementwise loops as the JavaScript does, bit for bit (H = %i)",
    (H) => {
      const arch: Architecture = {
        type: 'candidate-scorer',
        candidateFeatures: 6,
        globalFeatures: 3,
        hidden: H,
      };
      const net = new JsScorer(arch, initialParameters(arch, 9));
      const [B, K] = [40, 9];
      const mask = Uint8Array.from({ length: B * K }, (_, i) =>
        i % K === 0 || rng.unit() < 0.6 ? 1 : 0,
      );
      mask.fill(0, 3 * K, 4 * K); // a sample with no legal candidate
      const batch = packLegal(random(B * K * 6, 2), mask, random(B * 3), K, 6, 3, null);
      const f = net.forward(batch);
      const dLogits = Float64Array.from({ length: batch.rows }, () => rng.unit() - 0.5);
      const dValue = Float64Array.from({ length: B }, () => rng.unit() - 0.5);
      const kernels = net.backward(f, dLogits, dValue);
      const script = net.backward(f, dLogits, dValue, null);
      for (const [name, g] of script) expect([name, ...kernels.get(name)!]).toEqual([name, ...g]);
    },
  );

  it('multiplies a transposed operand in chunks of rows with the sums of one pass, bit for bit', () => {
    // matmulTN reads a [R, I] transposed and goes over the rows in cache-sized chunks; each
    // element must still be one float32 sum in row order, as the plain product of a^T gives it.
    const [R, I, O] = [301, 10, 32];
    const a = random(R * I, 2);
    const b = random(R * O);
    const aT = new Float32Array(I * R);
    for (let r = 0; r < R; r++) for (let i = 0; i < I; i++) aT[i * R + r] = a[r * I + i];
    const onePass = new Float32Array(I * O);
    SIMD!.matmul(aT, b, onePass, I, O, R, null);
    const chunked = new Float64Array(I * O);
    SIMD!.matmulTN(a, b, chunked, R, I, O);
    expect(Array.from(chunked)).toEqual(Array.from(onePass));
  });
});
