/**
 * The pooled mean of the candidate scorer (src/agents/network.ts), defined by the order of its
 * sums so that every path computes the same bits: each sample's rows are cut into chunks of
 * CHUNK_ROWS rows from its first row; each chunk's column sums are taken in float64 in row order
 * from 0; a sample's mean is the sum of its chunks' sums in chunk order, divided by
 * max(1, rows), rounded once to float32.
 *
 * Why chunks: the threads of src/agents/scoring-pool.ts take a decision's rows a chunk at a time
 * and sum each chunk while its rows are in their own cache, however the chunks fall between
 * threads; the calling thread then adds a few dozen chunk sums instead of reading every row back
 * from the other core's cache. A sample of at most CHUNK_ROWS rows is one chunk: its mean is the
 * plain row-order sum.
 */

/** Rows of a chunk (a sample's last chunk may have fewer). */
export const CHUNK_ROWS = 32;

/** The chunks of samples whose rows are start[s] .. start[s + 1] - 1. */
export interface Chunks {
  /** [C + 1] first row of each chunk; start[C] = the rows in all. */
  readonly start: Int32Array;
  /** [C] the sample each chunk belongs to. */
  readonly sample: Int32Array;
}

/** Cuts each sample's rows into chunks of CHUNK_ROWS (a sample without rows has none). */
export function chunksOf(start: Int32Array): Chunks {
  const B = start.length - 1;
  let C = 0;
  for (let s = 0; s < B; s++) C += Math.ceil((start[s + 1] - start[s]) / CHUNK_ROWS);
  const chunkStart = new Int32Array(C + 1);
  const sample = new Int32Array(C);
  let c = 0;
  for (let s = 0; s < B; s++)
    for (let r = start[s]; r < start[s + 1]; r += CHUNK_ROWS) {
      chunkStart[c] = r;
      sample[c++] = s;
    }
  chunkStart[C] = start[B];
  return { start: chunkStart, sample };
}

/** The column sums of each chunk's rows of x [R, H], in float64 in row order: [C, H]. */
export function chunkSums(x: Float32Array, chunks: Chunks, H: number): Float64Array {
  const C = chunks.sample.length;
  const out = new Float64Array(C * H);
  for (let c = 0; c < C; c++)
    for (let j = 0; j < H; j++) {
      let sum = 0;
      for (let r = chunks.start[c]; r < chunks.start[c + 1]; r++) sum += x[r * H + j];
      out[c * H + j] = sum;
    }
  return out;
}

/** Each sample's mean [B, H] from its chunks' sums [C, H] (`chunkSums` or the `colSums` kernel). */
export function meansFromChunkSums(
  sums: Float64Array,
  chunks: Chunks,
  start: Int32Array,
  H: number,
): Float32Array {
  const B = start.length - 1;
  const out = new Float32Array(B * H);
  const total = new Float64Array(H);
  let c = 0;
  for (let s = 0; s < B; s++) {
    total.fill(0);
    for (; c < chunks.sample.length && chunks.sample[c] === s; c++)
      for (let j = 0; j < H; j++) total[j] += sums[c * H + j];
    const divisor = Math.max(1, start[s + 1] - start[s]);
    for (let j = 0; j < H; j++) out[s * H + j] = total[j] / divisor;
  }
  return out;
}
