/**
 * The candidate scorer of src/agents/network.ts in plain JavaScript: the same parameters and the
 * same forward pass, plus its backward pass written out by hand, on the legal candidates only.
 *
 * Why not TensorFlow.js on the CPU: the network is small (H = 64) and its batches are many small
 * ops, where tfjs-backend-wasm spends its time in per-op overhead and elementwise kernels rather
 * than in arithmetic (docs/agents.md, "The learner's speed"). Why only the legal candidates: a
 * masked slot changes nothing in the tfjs network's outputs or gradients (its encoding enters the
 * pooled sum multiplied by 0, its logit is -1e9 and its probability exactly 0), so packing the
 * legal candidates of every sample into consecutive rows computes the same function on fewer rows.
 *
 * Numbers: float32 throughout, as in tfjs: parameters and activations are stored as float32, the
 * products and tanh run in float32 WebAssembly SIMD (src/agents/simd.ts; the JavaScript fallback
 * accumulates in doubles); gradients are summed in doubles. tfjs's kernels round differently, so
 * the two agree to about 1e-6, not bit for bit (test/agents/js-learner.test.ts).
 *
 * Shapes, for a packed batch of B samples whose legal candidates are R rows in all:
 *   cand [R, F], glob [B, G]; sample s owns rows start[s] .. start[s + 1] - 1
 *   (acting's batches leave cand as the observation's [B, K, F] and index its rows: `indexLegal`)
 *   g_s   = W1[F:] . glob_s + b1                    [B, H]   (the global part of layer 1, once per sample)
 *   a1_r  = tanh(W1[:F] . cand_r + g_s)             [R, H]
 *   h_r   = tanh(W2 . a1_r + b2)                    [R, H]
 *   p_s   = mean of h_r over the sample's rows      [B, H]
 *   z_r   = tanh(h_r + Wc . p_s + bc)               [R, H]
 *   logit_r = wo . z_r + bo                         [R]
 *   v1_s  = tanh(Wv1 . p_s + bv1); value_s = wv2 . v1_s + bv2
 */

import type { Observation } from '../core/vecenv.js';
import { addTanhGrouped, matmul, matmulGrouped, matmulTN, transpose } from './dense.js';
import { CHUNK_ROWS, chunkSums, chunksOf, meansFromChunkSums } from './pooling.js';
import { HEAD, LAYERS, ROW_JOB_ADDRESSES, ScoringPool } from './scoring-pool.js';
import { SIMD, TN_CHUNK, type SimdKernels } from './simd.js';
import { choose } from './policy.js';
import { MASKED_LOGIT, parameterSpecs, type Architecture } from './network.js';

/** The legal candidates of B samples, in their order, each sample's rows consecutive. */
export interface PackedBatch {
  readonly samples: number;
  readonly rows: number;
  /** [B + 1] first row of each sample; start[B] = rows. */
  readonly start: Int32Array;
  /** [R] the candidate slot (0..K-1) each row came from. */
  readonly slot: Int32Array;
  /**
   * [R, F] the rows in order (`packLegal`); or, where `rowOf` is set, the observation's own
   * candidate features [B, K, F], row r being its row rowOf[r] (`indexLegal`).
   */
  readonly cand: Float32Array;
  readonly rowOf: Int32Array | null;
  /** [B, G] */
  readonly glob: Float32Array;
}

/**
 * Row offsets and slots of the legal candidates of samples `idx` (or 0..B-1 when null) of an
 * observation's mask [S, K] (1: legal).
 */
function legalRows(
  mask: Uint8Array,
  K: number,
  idx: Int32Array | null,
): { start: Int32Array; slot: Int32Array } {
  const B = idx === null ? mask.length / K : idx.length;
  const start = new Int32Array(B + 1);
  let rows = 0;
  for (let i = 0; i < B; i++) {
    const s = idx === null ? i : idx[i];
    start[i] = rows;
    for (let k = s * K; k < (s + 1) * K; k++) rows += mask[k] === 1 ? 1 : 0;
  }
  start[B] = rows;
  const slot = new Int32Array(rows);
  let r = 0;
  for (let i = 0; i < B; i++) {
    const first = (idx === null ? i : idx[i]) * K;
    for (let k = 0; k < K; k++) if (mask[first + k] === 1) slot[r++] = k;
  }
  return { start, slot };
}

/**
 * The legal candidates of a whole observation (cand [B, K, F], mask [B, K], glob [B, G]),
 * indexed rather than packed: what acting scores (`JsScorer.scores` copies the observation into
 * the kernels' memory whole, in one block, and layer 1 reads the legal rows through `rowOf`;
 * packing them one run of legal slots at a time was a fifth of a large job shop's serial work per
 * decision, where finished jobs leave hundreds of gaps).
 */
export function indexLegal(
  cand: Float32Array,
  mask: Uint8Array,
  glob: Float32Array,
  K: number,
): PackedBatch {
  const { start, slot } = legalRows(mask, K, null);
  const B = start.length - 1;
  const rowOf = new Int32Array(slot.length);
  for (let s = 0; s < B; s++)
    for (let r = start[s]; r < start[s + 1]; r++) rowOf[r] = s * K + slot[r];
  return { samples: B, rows: slot.length, start, slot, cand, rowOf, glob };
}

/** The rows of `batch` in order ([R, F]), copied from the observation where it indexes them. */
function packedRows(batch: PackedBatch, F: number): Float32Array {
  const { rowOf, cand } = batch;
  if (rowOf === null) return cand;
  const out = new Float32Array(rowOf.length * F);
  rowOf.forEach((row, r) => out.set(cand.subarray(row * F, (row + 1) * F), r * F));
  return out;
}

/**
 * Packs samples `idx` (or 0..B-1 when null) of observations stored as cand [S, K, F], mask
 * [S, K] (1: legal) and glob [S, G] into a new array (what the learner's minibatches take).
 */
export function packLegal(
  cand: Float32Array,
  mask: Uint8Array,
  glob: Float32Array,
  K: number,
  F: number,
  G: number,
  idx: Int32Array | null,
): PackedBatch {
  const { start, slot } = legalRows(mask, K, idx);
  const B = start.length - 1;
  const rows = slot.length;
  const packed = new Float32Array(rows * F);
  const globOut = new Float32Array(B * G);
  let r = 0;
  for (let i = 0; i < B; i++) {
    const s = idx === null ? i : idx[i];
    globOut.set(glob.subarray(s * G, (s + 1) * G), i * G);
    // Each run of consecutive legal slots is copied as one block (in the job shop's active mode
    // nearly every slot is legal, and a copy per row cost more than the rows' first layer).
    while (r < start[i + 1]) {
      const from = r;
      while (r + 1 < start[i + 1] && slot[r + 1] === slot[r] + 1) r++;
      r++;
      const first = (s * K + slot[from]) * F;
      packed.set(cand.subarray(first, first + (r - from) * F), from * F);
    }
  }
  return { samples: B, rows, start, slot, cand: packed, rowOf: null, glob: globOut };
}

/** The forward pass's outputs and the activations its backward pass reads. */
export interface Forward {
  readonly batch: PackedBatch;
  /** [R] */
  readonly logits: Float32Array;
  /** [B] */
  readonly value: Float32Array;
  readonly a1: Float32Array;
  readonly h: Float32Array;
  readonly pooled: Float32Array;
  readonly z: Float32Array;
  readonly v1: Float32Array;
}

/** Gradients by parameter name, in double precision. */
export type Gradients = Map<string, Float64Array>;

export class JsScorer {
  readonly architecture: Architecture;
  /** Parameters by name (parameterSpecs order and shapes, row-major), updated in place. */
  readonly params: ReadonlyMap<string, Float32Array>;
  // Transposed weights for the backward products (refreshed by `changed()`).
  private readonly w2T: Float32Array;
  private readonly wcT: Float32Array;
  private readonly wv1T: Float32Array;
  /** `scores`'s row jobs when no pool is given: this thread alone. */
  private serial: ScoringPool | undefined;
  /** Counts parameter updates (`changed`), so that a pool knows its copy of the weights is stale. */
  private version = 0;
  /** Threads for the forward and backward passes' per-row work (`useThreads`); null: this one. */
  private threads: ScoringPool | null = null;

  constructor(architecture: Architecture, values: ReadonlyMap<string, Float32Array>) {
    this.architecture = architecture;
    const params = new Map<string, Float32Array>();
    for (const p of parameterSpecs(architecture)) {
      const v = values.get(p.name);
      const size = p.shape.reduce((x, y) => x * y, 1);
      if (v === undefined || v.length !== size)
        throw new Error(
          `network: parameter ${p.name} needs ${size} values, got ${v?.length ?? 'none'}`,
        );
      params.set(p.name, Float32Array.from(v));
    }
    this.params = params;
    const H = architecture.hidden;
    this.w2T = new Float32Array(H * H);
    this.wcT = new Float32Array(H * H);
    this.wv1T = new Float32Array(H * H);
    this.changed();
  }

  private p(name: string): Float32Array {
    return this.params.get(name)!;
  }

  /**
   * Runs the forward pass's per-row layers and the backward pass's largest products on `pool`'s
   * threads (training; null: on this thread). The numbers do not change: each row, and each
   * weight gradient's row, is computed whole by one thread in the same kernels. `forward` then
   * leaves a1, h and z in the pool's memory and returns views of them, which the backward pass
   * reads in place: they are valid until the next forward or backward pass of this scorer.
   */
  useThreads(pool: ScoringPool | null): void {
    this.threads = pool;
  }

  /** Call after changing `params` in place. */
  changed(): void {
    this.version++;
    const H = this.architecture.hidden;
    transpose(this.p('W2'), H, H, this.w2T);
    transpose(this.p('Wc'), H, H, this.wcT);
    transpose(this.p('Wv1'), H, H, this.wv1T);
  }

  forward(indexed: PackedBatch): Forward {
    const { candidateFeatures: F, globalFeatures: G, hidden: H } = this.architecture;
    // The backward pass reads the rows in order.
    const batch: PackedBatch =
      indexed.rowOf === null ? indexed : { ...indexed, cand: packedRows(indexed, F), rowOf: null };
    if (this.threads !== null && SIMD !== null && H % 16 === 0) {
      const out = this.scoreRows(batch, this.threads, true, true);
      return { batch, ...out };
    }
    const { samples: B, rows: R, start } = batch;
    const w1 = this.p('W1');
    const g = new Float32Array(B * H);
    matmul(batch.glob, w1.subarray(F * H), g, B, H, G, this.p('b1'));
    const a1 = matmulGrouped(batch.cand, w1, g, start, H, F, true);
    const h = new Float32Array(R * H);
    matmul(a1, this.p('W2'), h, R, H, H, this.p('b2'), false, true);
    // The mean of each sample's rows, by chunks (src/agents/pooling.ts; the `colSums` kernel where
    // there is SIMD: the same numbers).
    const chunks = chunksOf(start);
    const sums =
      SIMD !== null && H % 8 === 0 ? SIMD.chunkSums(h, chunks.start, H) : chunkSums(h, chunks, H);
    const pooled = meansFromChunkSums(sums, chunks, start, H);
    const context = new Float32Array(B * H);
    matmul(pooled, this.p('Wc'), context, B, H, H, this.p('bc'));
    const z = addTanhGrouped(h, context, start, H);
    const logits = new Float32Array(R);
    matmul(z, this.p('wo'), logits, R, 1, H, this.p('bo'));
    const v1 = new Float32Array(B * H);
    matmul(pooled, this.p('Wv1'), v1, B, H, H, this.p('bv1'), false, true);
    const value = new Float32Array(B);
    matmul(v1, this.p('wv2'), value, B, 1, H, this.p('bv2'));
    return { batch, logits, value, a1, h, pooled, z, v1 };
  }

  /**
   * Where `scores` keeps its operands in the kernels' memory, as float32 offsets: this network's
   * weights first (they stay there from one call to the next), then one batch's rows.
   */
  private layout(rows: number, samples: number, candRows: number) {
    const { candidateFeatures: F, hidden: H } = this.architecture;
    const [R, B] = [rows, samples];
    // At most this many chunks (src/agents/pooling.ts): a sample's last one may be short.
    const C = Math.floor(R / CHUNK_ROWS) + B;
    const w1 = 0;
    const w2 = w1 + F * H;
    const b2 = w2 + H * H;
    const wo = b2 + H;
    const bo = wo + H;
    // float64s, at an 8-byte boundary (every size before is even).
    const sums = bo + 4;
    const cand = sums + 2 * C * H;
    const g = cand + candRows * F;
    const context = g + B * H;
    const logits = context + B * H;
    const a1 = logits + R;
    const h = a1 + R * H;
    const z = h + R * H;
    const chunks = z + R * H;
    const chunkSample = chunks + C + 1;
    const owner = chunkSample + C;
    const rowOf = owner + C;
    return {
      w1,
      w2,
      b2,
      wo,
      bo,
      sums,
      cand,
      g,
      context,
      logits,
      a1,
      h,
      z,
      chunks,
      chunkSample,
      owner,
      rowOf,
      end: rowOf + R,
    };
  }

  private rowJobs(pool: ScoringPool | null): ScoringPool {
    return pool ?? this.threads ?? (this.serial ??= new ScoringPool(1));
  }

  /**
   * The logits [R] and values [B] of `forward` without the activations the backward pass needs:
   * with the SIMD kernels, every per-row layer stays in the kernels' memory and only the logits
   * come out (acting and evaluation, where a large instance scores thousands of rows per
   * decision and copying them out and in again would cost about as much as computing them).
   * Without `values`, the value head is skipped (greedy acting) and `value` is empty.
   */
  scores(
    batch: PackedBatch,
    pool: ScoringPool | null = null,
    values = true,
  ): { logits: Float32Array; value: Float32Array } {
    const { hidden: H } = this.architecture;
    if (SIMD === null || H % 16 !== 0) {
      const f = this.forward(batch);
      return { logits: f.logits, value: f.value };
    }
    const { logits, value } = this.scoreRows(batch, pool, values, false);
    return { logits, value };
  }

  /**
   * `scores` on the kernels' memory of `pool` (or of the scorer's threads, or of this thread),
   * with the activations the backward pass reads when `keep` (empty otherwise).
   */
  private scoreRows(
    batch: PackedBatch,
    pool: ScoringPool | null,
    values: boolean,
    keep: boolean,
  ): Omit<Forward, 'batch'> {
    const { candidateFeatures: F, globalFeatures: G, hidden: H } = this.architecture;
    const rowJobs = this.rowJobs(pool);
    const kernels = rowJobs.kernels;
    const { samples: B, rows: R, start } = batch;
    const w1 = this.p('W1');
    // The per-sample products go through `matmul` as in `forward`, so that both give the same
    // numbers (on SIMD's own memory, not the pool's).
    const g = new Float32Array(B * H);
    matmul(batch.glob, w1.subarray(F * H), g, B, H, G, this.p('b1'));
    const at = this.layout(R, B, batch.cand.length / F);
    let heap = kernels.reserve(at.end);
    // The weights are copied in once per pool and parameter update (copies into a shared
    // memory run without SIMD: W2 alone cost as much as a 2,000-row decision's candidates).
    if (rowJobs.weights?.owner !== this || rowJobs.weights.version !== this.version) {
      heap.set(w1.subarray(0, F * H), at.w1);
      heap.set(this.p('W2'), at.w2);
      heap.set(this.p('b2'), at.b2);
      heap.set(this.p('wo'), at.wo);
      heap.set(this.p('bo'), at.bo);
      rowJobs.weights = { owner: this, version: this.version };
    }
    heap.set(batch.cand, at.cand);
    if (batch.rowOf !== null) new Int32Array(heap.buffer, at.rowOf * 4, R).set(batch.rowOf);
    heap.set(g, at.g);
    const chunks = chunksOf(start);
    const C = chunks.sample.length;
    new Int32Array(heap.buffer, at.chunks * 4, C + 1).set(chunks.start);
    new Int32Array(heap.buffer, at.chunkSample * 4, C).set(chunks.sample);
    // The row jobs take byte addresses.
    const bytes = Object.fromEntries(ROW_JOB_ADDRESSES.map((k) => [k, at[k] * 4])) as Record<
      (typeof ROW_JOB_ADDRESSES)[number],
      number
    >;
    const job = {
      samples: B,
      candidateFeatures: F,
      hidden: H,
      ...bytes,
      rowOf: batch.rowOf === null ? 0 : bytes.rowOf,
    };
    rowJobs.run({ kind: LAYERS, ...job }, C, R);
    const sums = new Float64Array(heap.buffer, at.sums * 4, C * H);
    const pooled = meansFromChunkSums(sums, chunks, start, H);
    const context = new Float32Array(B * H);
    matmul(pooled, this.p('Wc'), context, B, H, H, this.p('bc'));
    heap = kernels.reserve(at.end);
    heap.set(context, at.context);
    rowJobs.run({ kind: HEAD, ...job }, C, R);
    const logits = heap.slice(at.logits, at.logits + R);
    const value = new Float32Array(values ? B : 0);
    const v1 = new Float32Array(values ? B * H : 0);
    if (values) {
      matmul(pooled, this.p('Wv1'), v1, B, H, H, this.p('bv1'), false, true);
      matmul(v1, this.p('wv2'), value, B, 1, H, this.p('bv2'));
    }
    // Views, not copies: the backward pass reads them where they are (`useThreads`).
    const rows = (from: number): Float32Array =>
      keep ? heap.subarray(from, from + R * H) : new Float32Array(0);
    return { logits, value, a1: rows(at.a1), h: rows(at.h), pooled, z: rows(at.z), v1 };
  }

  /**
   * Layer 2's products of the backward pass on `pool`'s threads: dW2 += a1^T dhPre, by rows of
   * dW2, each a float32 sum over the batch's rows in row order taken in chunks (as `matmulTN`),
   * and da1 = dhPre W2^T, by rows: the numbers of `linearBackward`. Returns da1.
   */
  private hiddenProducts(
    pool: ScoringPool,
    a1: Float32Array,
    dhPre: Float32Array,
    dW2: Float64Array,
  ): Float32Array {
    const H = this.architecture.hidden;
    const R = a1.length / H;
    if (R === 0) return new Float32Array(0);
    const kernels = pool.kernels;
    // a1 is read where the forward pass left it, when it is there; the rest goes above it.
    const a1In = kernels.addressOf(a1);
    const base = a1In === null ? 0 : ((a1In + a1.byteLength + 15) >> 2) & ~3;
    const a1At = a1In === null ? base : a1In >> 2;
    const dhAt = a1In === null ? base + R * H : base;
    const wTAt = dhAt + R * H;
    const [dWAt, da1At] = [wTAt + H * H, wTAt + 2 * H * H];
    const heap = kernels.reserve(da1At + R * H);
    // This layout may overwrite the weights `scores` keeps at the start of the pool's memory.
    if (a1In === null) pool.weights = null;
    if (a1In === null) heap.set(a1, a1At);
    heap.set(dhPre, dhAt);
    heap.set(this.w2T, wTAt);
    const product = { bias: 0, init: 0, act: 0, N: H };
    pool.product(
      {
        ...product,
        a: a1At * 4,
        b: dhAt * 4,
        c: dWAt * 4,
        K: R,
        aRow: 4,
        aCol: H * 4,
        chunk: TN_CHUNK,
      },
      H,
      true,
    );
    pool.product(
      { ...product, a: dhAt * 4, b: wTAt * 4, c: da1At * 4, K: H, aRow: H * 4, aCol: 4, chunk: 0 },
      R,
    );
    const dW = heap.subarray(dWAt, dWAt + H * H);
    for (let i = 0; i < H * H; i++) dW2[i] += dW[i];
    return heap.slice(da1At, da1At + R * H);
  }

  /**
   * Gradients of a loss with respect to every parameter, given the loss's gradients with
   * respect to the logits (`dLogits` [R]) and the values (`dValue` [B]) of `f`. `kernels` null
   * runs the elementwise loops in JavaScript (the same numbers; for engines without SIMD).
   */
  backward(
    f: Forward,
    dLogits: Float64Array,
    dValue: Float64Array,
    kernels: SimdKernels | null = SIMD,
  ): Gradients {
    const { candidateFeatures: F, globalFeatures: G, hidden: H } = this.architecture;
    const { samples: B, rows: R, start } = f.batch;
    const wo = this.p('wo');
    const wv2 = this.p('wv2');
    const grads: Gradients = new Map();
    for (const p of parameterSpecs(this.architecture))
      grads.set(p.name, new Float64Array(p.shape.reduce((x, y) => x * y, 1)));
    const grad = (name: string): Float64Array => grads.get(name)!;

    // Policy head: logit_r = wo . z_r + bo, z_r = tanh(h_r + context_s); context_s feeds
    // every row of sample s.
    // The three elementwise loops run in WebAssembly where it has SIMD (`grad` in
    // src/agents/simd.ts: the same float64 operations, so the same numbers; they were a third
    // of an update as JavaScript), else as written here.
    const simdGrad = kernels !== null && H % 4 === 0 ? (this.threads?.kernels ?? kernels) : null;
    const dwo = grad('wo');
    let dbo = 0;
    const dzPre = new Float32Array(R * H);
    const dContext = new Float32Array(B * H);
    const z = f.z;
    if (simdGrad !== null) {
      simdGrad.grad('head', start, H, {
        x: z,
        out: dzPre,
        sampleIn: wo,
        sampleOut: dContext,
        acc: dwo,
        rowScalar: dLogits,
      });
      for (let r = 0; r < R; r++) dbo += dLogits[r];
    } else
      for (let s = 0; s < B; s++) {
        const ctx = s * H;
        for (let r = start[s], row = start[s] * H; r < start[s + 1]; r++, row += H) {
          const d = dLogits[r];
          dbo += d;
          for (let j = 0; j < H; j++) {
            const zj = z[row + j];
            dwo[j] += d * zj;
            const dz = d * wo[j] * (1 - zj * zj);
            dzPre[row + j] = dz;
            dContext[ctx + j] += dz;
          }
        }
      }
    grad('bo')[0] = dbo;
    const dPooled = new Float32Array(B * H);
    linearBackward(f.pooled, dContext, B, H, H, grad('Wc'), grad('bc'), this.wcT, dPooled);

    // Value head: value_s = wv2 . v1_s + bv2, v1_s = tanh(Wv1 . pooled_s + bv1).
    const dwv2 = grad('wv2');
    let dbv2 = 0;
    const dv1Pre = new Float32Array(B * H);
    for (let s = 0; s < B; s++) {
      const d = dValue[s];
      dbv2 += d;
      for (let j = 0; j < H; j++) {
        const v = f.v1[s * H + j];
        dwv2[j] += d * v;
        dv1Pre[s * H + j] = d * wv2[j] * (1 - v * v);
      }
    }
    grad('bv2')[0] = dbv2;
    const dPooledValue = new Float32Array(B * H);
    linearBackward(f.pooled, dv1Pre, B, H, H, grad('Wv1'), grad('bv1'), this.wv1T, dPooledValue);

    // h_r reaches the loss directly (through z_r) and through the mean of its sample.
    const db2 = grad('b2');
    const dhPre = new Float32Array(R * H);
    const h = f.h;
    if (simdGrad !== null) {
      const dp = new Float64Array(B * H);
      for (let s = 0; s < B; s++) {
        const inv = 1 / Math.max(1, start[s + 1] - start[s]);
        for (let i = s * H; i < (s + 1) * H; i++) dp[i] = (dPooled[i] + dPooledValue[i]) * inv;
      }
      simdGrad.grad('hidden', start, H, { x: h, y: dzPre, out: dhPre, sampleIn: dp, acc: db2 });
    } else
      for (let s = 0; s < B; s++) {
        const inv = 1 / Math.max(1, start[s + 1] - start[s]);
        const ctx = s * H;
        for (let row = start[s] * H; row < start[s + 1] * H; row += H)
          for (let j = 0; j < H; j++) {
            const hj = h[row + j];
            const dp = (dPooled[ctx + j] + dPooledValue[ctx + j]) * inv;
            const dh = (dzPre[row + j] + dp) * (1 - hj * hj);
            dhPre[row + j] = dh;
            db2[j] += dh;
          }
      }
    const da1 =
      this.threads !== null && kernels !== null && H % 16 === 0
        ? this.hiddenProducts(this.threads, f.a1, dhPre, grad('W2'))
        : new Float32Array(R * H);
    if (this.threads === null || kernels === null || H % 16 !== 0)
      linearBackward(f.a1, dhPre, R, H, H, grad('W2'), null, this.w2T, da1);
    // Layer 1: the candidate part per row, the global part (and b1) once per sample.
    const db1 = grad('b1');
    const dg = new Float32Array(B * H);
    const a1 = f.a1;
    if (simdGrad !== null)
      simdGrad.grad('layer1', start, H, { x: a1, y: da1, out: da1, sampleOut: dg, acc: db1 });
    else
      for (let s = 0; s < B; s++) {
        const ctx = s * H;
        for (let row = start[s] * H; row < start[s + 1] * H; row += H)
          for (let j = 0; j < H; j++) {
            const a = a1[row + j];
            const d = da1[row + j] * (1 - a * a);
            da1[row + j] = d;
            dg[ctx + j] += d;
            db1[j] += d;
          }
      }
    const dW1 = grad('W1');
    linearBackward(f.batch.cand, da1, R, F, H, dW1.subarray(0, F * H), null, null, null);
    linearBackward(f.batch.glob, dg, B, G, H, dW1.subarray(F * H), null, null, null);
    return grads;
  }
}

/**
 * For y = x . W + b with x [N, I], W [I, O], given dy [N, O]: adds x^T dy to dW [I, O] and the
 * column sums of dy to db (when given), and writes dx = dy . W^T [N, I] from `wT` (W
 * transposed) when asked.
 */
function linearBackward(
  x: Float32Array,
  dy: Float32Array,
  N: number,
  I: number,
  O: number,
  dW: Float64Array,
  db: Float64Array | null,
  wT: Float32Array | null,
  dx: Float32Array | null,
): void {
  matmulTN(x, dy, dW, N, I, O);
  if (db !== null) for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) db[o] += dy[n * O + o];
  if (wT !== null && dx !== null) matmul(dy, wT, dx, N, I, O, null);
}

/**
 * Log-probabilities [E, K] (masked candidates: MASKED_LOGIT) and values [E] of an observation of
 * E copies: what src/agents/policy.ts's evaluateObservation gives for the tfjs network.
 */
export function jsPolicyOutputs(
  net: JsScorer,
  obs: Observation,
  numEnvs: number,
  pool: ScoringPool | null = null,
): { logp: Float32Array; values: Float32Array } {
  const K = obs.mask.length / numEnvs;
  const { batch, logits, value } = scoreLegal(net, obs, numEnvs, pool, true);
  const logp = new Float32Array(numEnvs * K).fill(MASKED_LOGIT);
  for (let e = 0; e < numEnvs; e++) writeLogp(batch, logits, e, logp.subarray(e * K, (e + 1) * K));
  return { logp, values: value };
}

/**
 * The most probable legal candidate of each copy (-1 where none is legal), as `choose` picks it
 * from jsPolicyOutputs's log-probabilities, ties to the first, without computing them where it
 * need not: a copy whose best logit leads the others by more than float32 rounding of the
 * log-probabilities could merge has the same winner in both; only near-ties go through the
 * log-probabilities (greedy evaluation: the softmax was a tenth of a large instance's serial work).
 */
export function jsGreedyActions(
  net: JsScorer,
  obs: Observation,
  numEnvs: number,
  pool: ScoringPool | null,
  actions: Int32Array,
): void {
  const K = obs.mask.length / numEnvs;
  const { batch, logits } = scoreLegal(net, obs, numEnvs, pool, false);
  let logp: Float32Array | null = null;
  for (let e = 0; e < numEnvs; e++) {
    const [first, last] = [batch.start[e], batch.start[e + 1]];
    let best = -1;
    let second = -Infinity;
    for (let r = first; r < last; r++) {
      const x = logits[r];
      if (best < 0 || x > logits[best]) {
        if (best >= 0) second = logits[best];
        best = r;
      } else if (x > second) second = x;
    }
    if (best < 0) {
      actions[e] = -1;
      continue;
    }
    // log-probabilities are logit - logsumexp, within [-ln n, 0] at the top: float32 rounding
    // there moves them by under (1 + ln n) 2^-22, far less than this margin.
    const margin = 1e-5 * (1 + Math.log(last - first));
    if (logits[best] - second > margin) {
      actions[e] = batch.slot[best];
      continue;
    }
    logp ??= new Float32Array(K);
    logp.fill(MASKED_LOGIT);
    writeLogp(batch, logits, e, logp);
    actions[e] = choose(logp, 1, null).actions[0];
  }
}

/** Scores an observation's legal candidates. */
function scoreLegal(
  net: JsScorer,
  obs: Observation,
  numEnvs: number,
  pool: ScoringPool | null,
  values: boolean,
): { batch: PackedBatch; logits: Float32Array; value: Float32Array } {
  const batch = indexLegal(obs.cand, obs.mask, obs.glob, obs.mask.length / numEnvs);
  const { logits, value } = net.scores(batch, pool, values);
  return { batch, logits, value };
}

/** Copy e's log-probabilities at its legal slots of `out` [K]: logit - logsumexp, in float32. */
function writeLogp(batch: PackedBatch, logits: Float32Array, e: number, out: Float32Array): void {
  const [first, last] = [batch.start[e], batch.start[e + 1]];
  let max = -Infinity;
  for (let r = first; r < last; r++) max = Math.max(max, logits[r]);
  let total = 0;
  for (let r = first; r < last; r++) total += Math.exp(logits[r] - max);
  const lse = max + Math.log(total);
  for (let r = first; r < last; r++) out[batch.slot[r]] = logits[r] - lse;
}
