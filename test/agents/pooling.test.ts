import { describe, expect, it } from 'vitest';
import { CHUNK_ROWS, chunkSums, chunksOf, meansFromChunkSums } from '../../src/agents/pooling.js';
import { SIMD } from '../../src/agents/simd.js';
import { Rng } from '../../src/core/rng.js';

const H = 64;

/** Row offsets of samples with `rows[s]` rows each. */
function starts(rows: readonly number[]): Int32Array {
  const start = new Int32Array(rows.length + 1);
  rows.forEach((n, s) => (start[s + 1] = start[s] + n));
  return start;
}

describe('the pooled mean by chunks', () => {
  // Samples without rows, within one chunk, exactly one, just over, and several.
  const rows = [0, 5, CHUNK_ROWS, CHUNK_ROWS + 1, 3 * CHUNK_ROWS + 7];
  const start = starts(rows);
  const rng = new Rng(11);
  const total = start[rows.length];
  const h = Float32Array.from({ length: total * H }, () => Math.tanh(rng.unit() * 6 - 3));

  it("cuts each sample's rows from its first row, a short chunk last, none for no rows", () => {
    const chunks = chunksOf(start);
    expect(Array.from(chunks.sample)).toEqual([1, 2, 3, 3, 4, 4, 4, 4]);
    const first = start[4];
    expect(Array.from(chunks.start)).toEqual([
      start[1],
      start[2],
      start[3],
      start[3] + CHUNK_ROWS,
      first,
      first + CHUNK_ROWS,
      first + 2 * CHUNK_ROWS,
      first + 3 * CHUNK_ROWS,
      total,
    ]);
  });

  it('sums each chunk with the kernel and in JavaScript to the same bits', () => {
    const chunks = chunksOf(start);
    const js = chunkSums(h, chunks, H);
    expect(SIMD).not.toBeNull();
    expect(Array.from(SIMD!.chunkSums(h, chunks.start, H))).toEqual(Array.from(js));
  });

  it('gives the plain row-order mean for a sample of one chunk, and agrees to float32 beyond', () => {
    const chunks = chunksOf(start);
    const means = meansFromChunkSums(chunkSums(h, chunks, H), chunks, start, H);
    for (let s = 0; s < rows.length; s++)
      for (let j = 0; j < H; j++) {
        let sum = 0;
        for (let r = start[s]; r < start[s + 1]; r++) sum += h[r * H + j];
        const plain = Math.fround(sum / Math.max(1, rows[s]));
        const got = means[s * H + j];
        if (rows[s] <= CHUNK_ROWS) expect(got).toBe(plain);
        else expect(Math.abs(got - plain)).toBeLessThanOrEqual(2 ** -24 * Math.abs(plain));
      }
    // A sample without rows pools to zeros, as the masked mean's max(1, count) makes it.
    expect(Array.from(means.subarray(0, H))).toEqual(new Array<number>(H).fill(0));
  });
});
