/**
 * The per-candidate layers of JsScorer (src/agents/js-scorer.ts), and the learner's largest
 * products, split by rows across threads: the calling thread and worker threads that share the
 * kernels' memory.
 *
 * Why: a greedy policy on a large job shop scores every unfinished job at every decision (2,000
 * rows x 100,000 decisions at 2000x50), and a training minibatch has thousands of candidate rows;
 * each row's layers are independent of the others', so every core can take a share of them. The
 * numbers do not change: every row goes through the same kernels in the same order whichever
 * thread runs it; the pooled mean is summed by fixed chunks of rows (src/agents/pooling.ts), each
 * chunk by whichever thread ran its layers, and the chunks' sums added by the caller in order; a
 * weight gradient's sum over the rows is summed whole by one thread, in row order.
 *
 * How: one shared WebAssembly memory holds the operands; each thread instantiates the kernels'
 * module on it. A job is a block of int32 parameters (byte addresses in that memory); the caller
 * posts it, and every thread, the caller included, takes blocks of units (a scoring job's chunks,
 * a product's rows) from a shared counter until none are left (guided self-scheduling: each block
 * a share of the units not yet taken, so blocks shrink toward the end and the threads finish
 * within a small block of each other, however fast each one runs at the moment; a split fixed in
 * advance, even one following each thread's measured speed, left the caller waiting for its
 * worker 18% of the time on 2 cores). The policy head then runs each chunk on the thread that
 * computed its layers, where its rows are still in the cache. Threads spin briefly before
 * sleeping on Atomics.wait, because a decision's rows take about a millisecond and a
 * sleep-and-wake costs tens of microseconds.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SIMD, SimdKernels, type KernelExports, type SharedKernels } from './simd.js';

/** A job's kinds (the first parameter): see `runRows`. */
export const LAYERS = 1;
export const HEAD = 2;
const PRODUCT = 3;

/**
 * A matrix product C[M, N] = init + A[M, K] B[K, N] (the `mm` kernel's arguments, byte
 * addresses) whose rows of C the threads share; with `chunk` > 0, K is taken `chunk` at a time,
 * C kept between chunks (as `SimdKernels.matmulTN` does; `act` must then be 0).
 */
export interface ProductJob {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly N: number;
  readonly K: number;
  readonly bias: number;
  readonly init: number;
  readonly act: number;
  readonly aRow: number;
  readonly aCol: number;
  readonly chunk: number;
}

const PRODUCT_FIELDS: readonly (keyof ProductJob)[] = [
  'a',
  'b',
  'c',
  'N',
  'K',
  'bias',
  'init',
  'act',
  'aRow',
  'aCol',
  'chunk',
];

/**
 * A row job's operands, byte addresses in the kernels' memory, in the order `runRows` reads them
 * after the job's kind and sizes. A row job's units are the chunks of src/agents/pooling.ts:
 * `chunks` holds C + 1 int32 first rows, `chunkSample` C int32 samples, `owner` C int32s (which
 * thread ran each chunk's layers, plus one; 0 once its head is taken), `sums` C x H float64s;
 * `rowOf`, when not 0, one int32 per row: the row of `cand` that holds its features (`cand` is
 * then a copy of the whole observation, legal or not); when 0, `cand` holds the rows in order.
 */
export const ROW_JOB_ADDRESSES = [
  'cand',
  'w1',
  'g',
  'w2',
  'b2',
  'a1',
  'h',
  'sums',
  'context',
  'z',
  'wo',
  'bo',
  'logits',
  'chunks',
  'chunkSample',
  'owner',
  'rowOf',
] as const;

/** A row job: its kind, its sizes and its operands' addresses. */
export type RowJob = {
  readonly kind: typeof LAYERS | typeof HEAD;
  readonly samples: number;
  readonly candidateFeatures: number;
  readonly hidden: number;
} & Readonly<Record<(typeof ROW_JOB_ADDRESSES)[number], number>>;

/** A job's parameters in the order `runRows` reads them. */
const JOB_FIELDS: readonly (keyof RowJob)[] = [
  'kind',
  'samples',
  'candidateFeatures',
  'hidden',
  ...ROW_JOB_ADDRESSES,
];

/** Where the chunk owners' address is among a job's parameters (`takeUnits` reads it). */
const OWNER_FIELD = JOB_FIELDS.indexOf('owner');

/**
 * Runs job `p` (JOB_FIELDS order, or kind then PRODUCT_FIELDS) on units u0 .. u1 - 1, on thread
 * `me` (0: the caller):
 *   LAYERS   for each row r of chunk u: a1_r = tanh(W1[:F] . cand_r + g_s), h_r =
 *            tanh(W2 . a1_r + b2); then the chunk's column sums of h, and owner_u = me + 1
 *   HEAD     for each row r of chunk u: z_r = tanh(h_r + context_s), logit_r = wo . z_r + bo
 *   PRODUCT  row u of C (ProductJob)
 * where s is the chunk's sample. It refers to nothing outside itself: workers receive it as
 * source.
 */
function runRows(k: KernelExports, p: Int32Array, u0: number, u1: number, me: number): void {
  if (u1 <= u0) return;
  if (p[0] === 3) {
    const [, a, b, c, N, K, bias, init, act, aRow, aCol, chunk] = p;
    const step = chunk > 0 ? chunk : K;
    for (let k0 = 0; k0 < K; k0 += step)
      k.mm(
        a + u0 * aRow + k0 * aCol,
        b + k0 * N * 4,
        c + u0 * N * 4,
        u1 - u0,
        N,
        Math.min(step, K - k0),
        bias,
        k0 === 0 ? init : 2,
        act,
        aRow,
        aCol,
        0,
      );
    return;
  }
  const [kind, , F, H, cand, w1, g, w2, b2, a1, h, sums, context, z, wo, bo, logits] = p;
  const [chunksAt, sampleAt, ownerAt, rowOf] = [p[17], p[18], p[19], p[20]];
  const chunkStart = new Int32Array(k.memory.buffer, chunksAt, u1 + 1);
  const sample = new Int32Array(k.memory.buffer, sampleAt, u1);
  const owner = new Int32Array(k.memory.buffer, ownerAt, u1);
  // What depends on the sample (layer 1's global part, the context) once per run of its chunks;
  // the rest once for the whole range (a minibatch's samples have a few rows each).
  for (let u = u0, v = u0; u < u1; u = v) {
    const s = sample[u];
    while (v < u1 && sample[v] === s) v++;
    const [r, rows] = [chunkStart[u], chunkStart[v] - chunkStart[u]];
    if (kind === 1) {
      const [from, index] = rowOf === 0 ? [cand + r * F * 4, 0] : [cand, rowOf + r * 4];
      k.mm(from, w1, a1 + r * H * 4, rows, H, F, g + s * H * 4, 1, 1, F * 4, 4, index);
    } else k.addTanh(h + r * H * 4, context + s * H * 4, z + r * H * 4, rows, H);
  }
  const [r0, rows] = [chunkStart[u0], chunkStart[u1] - chunkStart[u0]];
  if (kind === 2) {
    k.dotRows(z + r0 * H * 4, wo, logits + r0 * 4, rows, H, bo);
    return;
  }
  k.mm(a1 + r0 * H * 4, w2, h + r0 * H * 4, rows, H, H, b2, 1, 1, H * 4, 4, 0);
  for (let c = u0; c < u1; c++) {
    const n = chunkStart[c + 1] - chunkStart[c];
    k.colSums(h + chunkStart[c] * H * 4, sums + c * H * 8, n, H, H * 4);
    Atomics.store(owner, c, me + 1);
  }
}

// The control array: the job's shared slots, then each worker's own. Shared: the next unit not
// yet taken, the job's units, the threads taking part, and the smallest block a thread takes. A
// worker's: the job's sequence number (posted by the caller), the last one it finished, whether
// it failed, and whether it started.
const NEXT_UNIT = 0;
const UNITS = 1;
const THREADS = 2;
const MIN_BLOCK_AT = 3;
const SHARED_SLOTS = 4;
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const WORKER_SLOTS = 4;
/** The smallest block of a product's rows a thread takes (about 10 us of work). */
const MIN_BLOCK = 16;
/** How long a worker may take to start before the pool gives up on threads. */
const STARTUP_MS = 10000;
/**
 * Milliseconds a worker polls for the next job before sleeping. It should still be polling when
 * the next decision's job comes, after the environment's step and the caller's own serial work
 * (about 0.15 ms at 2,000 candidates): a sleeping thread takes far longer to wake, on a virtual
 * machine above all (1000x50 on 2 cores: 29 s with 0.1 ms of polling, 16 s with 2 ms).
 */
const WORKER_POLL_MS = 2;
/**
 * Milliseconds the caller polls for a worker to finish before sleeping. Short, because a worker
 * that is late has usually lost its core to another process, and the caller's polling would
 * keep it from this one (1000x50 beside a nice-19 process: 202 s with 2 ms, 21 s with 0.05 ms,
 * 30 s on one thread).
 */
const CALLER_POLL_MS = 0.05;

/**
 * Runs thread `me`'s part of the job in `params` and returns when no unit is left to take.
 * A HEAD job's chunks go first to the thread that ran their layers, whose cache holds their
 * rows (read from the other core's cache, they cost a third more); a thread that runs out of its
 * own takes the others' from the end. Any other job: blocks of units from the shared counter, each
 * 1 / (2 x threads) of the units not yet taken and at least the job's smallest block. It refers
 * to nothing outside itself and takes the slot numbers as arguments (workers receive it as
 * source).
 */
function takeUnits(
  k: KernelExports,
  params: Int32Array,
  control: Int32Array,
  slots: {
    readonly next: number;
    readonly units: number;
    readonly threads: number;
    readonly minBlock: number;
    readonly ownerField: number;
  },
  me: number,
  run: typeof runRows,
): void {
  const units = Atomics.load(control, slots.units);
  if (params[0] === 2) {
    const owner = new Int32Array(k.memory.buffer, params[slots.ownerField], units);
    // Runs of consecutive chunks claimed one by one, then run with one call per kernel.
    for (let u = 0; u < units;) {
      let v = u;
      while (
        v < units &&
        owner[v] === me + 1 &&
        Atomics.compareExchange(owner, v, me + 1, 0) === me + 1
      )
        v++;
      if (v > u) run(k, params, u, v, me);
      u = v + 1;
    }
    for (let u = units - 1; u >= 0; u--) {
      const v = Atomics.load(owner, u);
      if (v !== 0 && Atomics.compareExchange(owner, u, v, 0) === v) run(k, params, u, u + 1, me);
    }
    return;
  }
  const share = 2 * Atomics.load(control, slots.threads);
  const minBlock = Atomics.load(control, slots.minBlock);
  for (;;) {
    const from = Atomics.load(control, slots.next);
    if (from >= units) return;
    const to = Math.min(units, from + Math.max(minBlock, Math.ceil((units - from) / share)));
    if (Atomics.compareExchange(control, slots.next, from, to) === from)
      run(k, params, from, to, me);
  }
}

interface WorkerData {
  readonly module: object;
  readonly memory: SharedKernels['memory'];
  readonly params: Int32Array;
  readonly control: Int32Array;
  /** This worker's number (1 .. threads - 1; the caller is 0). */
  readonly me: number;
  /** This worker's first slot; its slots in SEQ, DONE, FAILED, READY order. */
  readonly base: number;
  readonly shared: typeof SHARED;
  readonly spinMs: number;
}

/** A worker's loop (runs in the worker, from source: it refers to nothing outside itself). */
function workerLoop(data: WorkerData, run: typeof runRows, take: typeof takeUnits): void {
  const { params, control, base, spinMs } = data;
  const [seqAt, doneAt, failedAt, readyAt] = [base, base + 1, base + 2, base + 3];
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { Instance: new (m: object, i: object) => { exports: unknown } };
    }
  ).WebAssembly;
  const k = new wasm.Instance(data.module, { env: { memory: data.memory } })
    .exports as KernelExports;
  Atomics.store(control, readyAt, 1);
  Atomics.notify(control, readyAt);
  let seen = 0;
  for (;;) {
    const since = performance.now();
    for (let polls = 1; Atomics.load(control, seqAt) === seen; polls++)
      if (polls % 256 === 0 && performance.now() - since > spinMs)
        Atomics.wait(control, seqAt, seen);
    seen = Atomics.load(control, seqAt);
    if (seen < 0) return;
    try {
      take(k, params, control, data.shared, data.me, run);
    } catch {
      Atomics.store(control, failedAt, 1);
    }
    Atomics.store(control, doneAt, seen);
    Atomics.notify(control, doneAt);
  }
}

/** Rows below which a job is not worth a second thread. */
const MIN_SHARE = 64;
const SHARED = {
  next: NEXT_UNIT,
  units: UNITS,
  threads: THREADS,
  minBlock: MIN_BLOCK_AT,
  ownerField: OWNER_FIELD,
} as const;

/**
 * Runs row jobs on the calling thread and `threads - 1` workers (none: the calling thread alone,
 * on the kernels' own memory).
 */
export class ScoringPool {
  readonly kernels: SimdKernels;
  readonly threads: number;
  private readonly workers: Worker[] = [];
  /** The memory and module the workers share; null when the caller works alone. */
  private shared: SharedKernels | null;
  private readonly params = new Int32Array(new SharedArrayBuffer(JOB_FIELDS.length * 4));
  private readonly control: Int32Array;
  private seq = 0;
  /**
   * Whose weights the kernels' memory holds, and of which parameter update (JsScorer keeps its
   * weights there between calls); null: none yet.
   */
  weights: { readonly owner: object; readonly version: number } | null = null;

  /** `threads` defaults to the cores Node reports; 1 without WebAssembly SIMD. */
  constructor(threads = availableParallelism()) {
    const shared = threads > 1 ? SimdKernels.shared() : null;
    if (SIMD === null)
      throw new Error('ScoringPool: this JavaScript engine has no WebAssembly SIMD');
    this.threads = shared === null ? 1 : threads;
    // The kernels' memory is the pool's own, so that what a scorer leaves there stays.
    this.kernels = new SimdKernels(shared ?? undefined);
    this.control = new Int32Array(
      new SharedArrayBuffer((SHARED_SLOTS + this.threads * WORKER_SLOTS) * 4),
    );
    this.shared = shared;
  }

  /** Worker w's first control slot (w = 1 .. threads - 1). */
  private static base(w: number): number {
    return SHARED_SLOTS + w * WORKER_SLOTS;
  }

  /** Starts the workers, on the first job worth sharing (most decisions of small problems are not). */
  private startWorkers(shared: SharedKernels): void {
    const source = `const { workerData } = require('node:worker_threads');
${runRows.toString()}
${takeUnits.toString()}
(${workerLoop.toString()})(workerData, runRows, takeUnits);`;
    for (let w = 1; w < this.threads; w++) {
      const workerData: WorkerData = {
        module: shared.module,
        memory: shared.memory,
        params: this.params,
        control: this.control,
        me: w,
        base: ScoringPool.base(w),
        shared: SHARED,
        spinMs: WORKER_POLL_MS,
      };
      const worker = new Worker(source, { eval: true, workerData });
      // A pool left undisposed must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
    }
    // A worker that cannot start would leave the caller waiting for it forever.
    const deadline = performance.now() + STARTUP_MS;
    for (let w = 1; w < this.threads; w++) {
      const at = ScoringPool.base(w) + READY;
      while (Atomics.load(this.control, at) === 0 && performance.now() < deadline)
        Atomics.wait(this.control, at, 0, Math.max(1, deadline - performance.now()));
      if (Atomics.load(this.control, at) === 0) {
        process.emitWarning(
          `ScoringPool: worker ${w} did not start within ${STARTUP_MS} ms; scoring on one thread`,
        );
        this.dispose();
        return;
      }
    }
  }

  /** Workers running (started on the first job worth sharing). */
  get activeWorkers(): number {
    return this.workers.length;
  }

  /**
   * Runs `job` on its `chunks` chunks, `rows` candidate rows in all; returns when all are done.
   * Which thread runs which chunk never changes the numbers.
   */
  run(job: RowJob, chunks: number, rows: number): void {
    JOB_FIELDS.forEach((f, i) => (this.params[i] = job[f]));
    this.dispatch(chunks, this.threadsFor(rows, MIN_SHARE), 1);
  }

  /**
   * Runs the product `job` on operands in the kernels' memory, rows 0 .. rows - 1 of C. A
   * weight gradient's product has few rows (H), each a sum over thousands: `shared` says that
   * its rows are worth splitting however few they are.
   */
  product(job: ProductJob, rows: number, shared = false): void {
    this.params[0] = PRODUCT;
    PRODUCT_FIELDS.forEach((f, i) => (this.params[i + 1] = job[f]));
    this.dispatch(rows, this.threadsFor(rows, shared ? MIN_BLOCK : MIN_SHARE), MIN_BLOCK);
  }

  /** Threads for `rows` rows, one for each `perThread` of them (few rows are not worth waking a worker for). */
  private threadsFor(rows: number, perThread: number): number {
    return Math.max(1, Math.min(this.threads, Math.floor(rows / perThread)));
  }

  /**
   * Runs the job in `params` on `units` units with `used` threads, each taking blocks of at least
   * `minBlock` units; returns when all are done.
   */
  private dispatch(units: number, used: number, minBlock: number): void {
    if (used > 1 && this.workers.length === 0) {
      if (this.shared !== null) this.startWorkers(this.shared);
      // Disposed, or the workers could not start: the caller alone.
      if (this.workers.length === 0) used = 1;
    }
    if (used === 1) {
      runRows(this.kernels.exports, this.params, 0, units, 0);
      return;
    }
    Atomics.store(this.control, NEXT_UNIT, 0);
    Atomics.store(this.control, UNITS, units);
    Atomics.store(this.control, THREADS, used);
    Atomics.store(this.control, MIN_BLOCK_AT, minBlock);
    this.seq++;
    for (let w = 1; w < used; w++) {
      Atomics.store(this.control, ScoringPool.base(w) + SEQ, this.seq);
      Atomics.notify(this.control, ScoringPool.base(w) + SEQ);
    }
    takeUnits(this.kernels.exports, this.params, this.control, SHARED, 0, runRows);
    for (let w = 1; w < used; w++) {
      const base = ScoringPool.base(w);
      // Sleeps only on the value just read: the worker's store between a read and the sleep
      // would otherwise go unseen.
      const since = performance.now();
      for (
        let polls = 1, done = Atomics.load(this.control, base + DONE);
        done !== this.seq;
        polls++
      ) {
        if (polls % 256 === 0 && performance.now() - since > CALLER_POLL_MS)
          Atomics.wait(this.control, base + DONE, done);
        done = Atomics.load(this.control, base + DONE);
      }
      if (this.control[base + FAILED] !== 0)
        throw new Error(`ScoringPool: worker ${w} failed on a block of rows`);
    }
  }

  /** Stops the workers. */
  dispose(): void {
    for (let w = 1; w <= this.workers.length; w++) {
      Atomics.store(this.control, ScoringPool.base(w) + SEQ, -1);
      Atomics.notify(this.control, ScoringPool.base(w) + SEQ);
    }
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
    this.shared = null;
  }
}
