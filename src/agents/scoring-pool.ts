/**
 * The per-candidate layers of JsScorer (src/agents/js-scorer.ts), and the learner's largest
 * products, split by rows across threads: the calling thread and worker threads that share the
 * kernels' memory.
 *
 * Why: a greedy policy on a large job shop scores every unfinished job at every decision (2,000
 * rows x 100,000 decisions at 2000x50), and a training minibatch has thousands of candidate rows;
 * each row's layers are independent of the others', so every core can take a share of them. The
 * numbers do not change: every row goes through the same kernels in the same order whichever
 * thread runs it, and what crosses rows (the pooled mean, a weight gradient's sum over the rows)
 * is summed whole by one thread, in row order.
 *
 * How: one shared WebAssembly memory holds the operands; each thread instantiates the kernels'
 * module on it. A job is a block of int32 parameters (byte addresses in that memory); the caller
 * posts it, and every thread, the caller included, takes blocks of rows from a shared counter
 * until none are left (guided self-scheduling: each block a share of the rows not yet taken, so
 * blocks shrink toward the end and the threads finish within a small block of each other, however
 * fast each one runs at the moment; a split fixed in advance, even one following each thread's
 * measured speed, left the caller waiting for its worker 18% of the time on 2 cores). Threads
 * spin briefly before sleeping on Atomics.wait, because a decision's rows take about a
 * millisecond and a sleep-and-wake costs tens of microseconds.
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
 * after the job's kind and sizes; `start` holds samples + 1 int32 row offsets (sample s owns rows
 * start[s] .. start[s + 1] - 1).
 */
export const ROW_JOB_ADDRESSES = [
  'cand',
  'w1',
  'g',
  'w2',
  'b2',
  'a1',
  'h',
  'context',
  'z',
  'wo',
  'bo',
  'logits',
  'start',
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

/**
 * Runs job `p` (JOB_FIELDS order, or kind then PRODUCT_FIELDS) on rows r0 .. r1 - 1:
 *   LAYERS   a1_r = tanh(W1[:F] . cand_r + g_s), h_r = tanh(W2 . a1_r + b2)
 *   HEAD     z_r = tanh(h_r + context_s), logit_r = wo . z_r + bo
 *   PRODUCT  row r of C (ProductJob)
 * where s is row r's sample. It refers to nothing outside itself: workers receive it as source.
 */
function runRows(k: KernelExports, p: Int32Array, r0: number, r1: number): void {
  if (r1 <= r0) return;
  if (p[0] === 3) {
    const [, a, b, c, N, K, bias, init, act, aRow, aCol, chunk] = p;
    const step = chunk > 0 ? chunk : K;
    for (let k0 = 0; k0 < K; k0 += step)
      k.mm(
        a + r0 * aRow + k0 * aCol,
        b + k0 * N * 4,
        c + r0 * N * 4,
        r1 - r0,
        N,
        Math.min(step, K - k0),
        bias,
        k0 === 0 ? init : 2,
        act,
        aRow,
        aCol,
      );
    return;
  }
  const [kind, samples, F, H, cand, w1, g, w2, b2, a1, h, context, z, wo, bo, logits, startAt] = p;
  const start = new Int32Array(k.memory.buffer, startAt, samples + 1);
  for (let s = 0; s < samples; s++) {
    const first = Math.max(start[s], r0);
    const rows = Math.min(start[s + 1], r1) - first;
    if (rows <= 0) continue;
    if (kind === 1)
      k.mm(cand + first * F * 4, w1, a1 + first * H * 4, rows, H, F, g + s * H * 4, 1, 1, F * 4, 4);
    else k.addTanh(h + first * H * 4, context + s * H * 4, z + first * H * 4, rows, H);
  }
  if (kind === 1) k.mm(a1 + r0 * H * 4, w2, h + r0 * H * 4, r1 - r0, H, H, b2, 1, 1, H * 4, 4);
  else k.dotRows(z + r0 * H * 4, wo, logits + r0 * 4, r1 - r0, H, bo);
}

// The control array: the job's shared slots, then each worker's own. Shared: the next row not
// yet taken, the job's rows, and the threads taking part. A worker's: the job's sequence number
// (posted by the caller), the last one it finished, whether it failed, and whether it started.
const NEXT_ROW = 0;
const ROWS = 1;
const THREADS = 2;
const SHARED_SLOTS = 3;
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const READY = 3;
const WORKER_SLOTS = 4;
/** The smallest block of rows a thread takes: a job's last blocks (about 10 us of work each). */
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
 * Takes blocks of rows from the job's shared counter and runs them until none are left; each
 * block is 1 / (2 x threads) of the rows not yet taken, at least `minBlock`. It refers to nothing
 * outside itself and takes the slot numbers as arguments (workers receive it as source).
 */
function takeRows(
  k: KernelExports,
  params: Int32Array,
  control: Int32Array,
  slots: { readonly next: number; readonly rows: number; readonly threads: number },
  minBlock: number,
  run: typeof runRows,
): void {
  const rows = Atomics.load(control, slots.rows);
  const share = 2 * Atomics.load(control, slots.threads);
  for (;;) {
    const from = Atomics.load(control, slots.next);
    if (from >= rows) return;
    const to = Math.min(rows, from + Math.max(minBlock, Math.ceil((rows - from) / share)));
    if (Atomics.compareExchange(control, slots.next, from, to) === from) run(k, params, from, to);
  }
}

interface WorkerData {
  readonly module: object;
  readonly memory: SharedKernels['memory'];
  readonly params: Int32Array;
  readonly control: Int32Array;
  /** This worker's first slot; its slots in SEQ, DONE, FAILED, READY order. */
  readonly base: number;
  readonly shared: { readonly next: number; readonly rows: number; readonly threads: number };
  readonly spinMs: number;
  readonly minBlock: number;
}

/** A worker's loop (runs in the worker, from source: it refers to nothing outside itself). */
function workerLoop(data: WorkerData, run: typeof runRows, take: typeof takeRows): void {
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
      take(k, params, control, data.shared, data.minBlock, run);
    } catch {
      Atomics.store(control, failedAt, 1);
    }
    Atomics.store(control, doneAt, seen);
    Atomics.notify(control, doneAt);
  }
}

/** Rows below which a job is not worth a second thread. */
const MIN_SHARE = 64;
const SHARED = { next: NEXT_ROW, rows: ROWS, threads: THREADS } as const;

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
${takeRows.toString()}
(${workerLoop.toString()})(workerData, runRows, takeRows);`;
    for (let w = 1; w < this.threads; w++) {
      const workerData: WorkerData = {
        module: shared.module,
        memory: shared.memory,
        params: this.params,
        control: this.control,
        base: ScoringPool.base(w),
        shared: SHARED,
        spinMs: WORKER_POLL_MS,
        minBlock: MIN_BLOCK,
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
   * Runs `job` on rows 0 .. rows - 1, the threads taking blocks of rows as they go; returns when
   * all are done. Which thread runs which rows never changes the numbers.
   */
  run(job: RowJob, rows: number): void {
    JOB_FIELDS.forEach((f, i) => (this.params[i] = job[f]));
    this.dispatch(rows);
  }

  /**
   * Runs the product `job` on operands in the kernels' memory, rows 0 .. rows - 1 of C. A
   * weight gradient's product has few rows (H), each a sum over thousands: `shared` says that
   * its rows are worth splitting however few they are.
   */
  product(job: ProductJob, rows: number, shared = false): void {
    this.params[0] = PRODUCT;
    PRODUCT_FIELDS.forEach((f, i) => (this.params[i + 1] = job[f]));
    this.dispatch(rows, shared ? MIN_BLOCK : MIN_SHARE);
  }

  /**
   * Runs the job in `params` on `rows` rows, a thread for each `perThread` of them (at most
   * `threads`); returns when all are done.
   */
  private dispatch(rows: number, perThread = MIN_SHARE): void {
    // Few rows are not worth waking a worker for.
    let used = Math.max(1, Math.min(this.threads, Math.floor(rows / perThread)));
    if (used > 1 && this.workers.length === 0) {
      if (this.shared !== null) this.startWorkers(this.shared);
      // Disposed, or the workers could not start: the caller alone.
      if (this.workers.length === 0) used = 1;
    }
    if (used === 1) {
      runRows(this.kernels.exports, this.params, 0, rows);
      return;
    }
    Atomics.store(this.control, NEXT_ROW, 0);
    Atomics.store(this.control, ROWS, rows);
    Atomics.store(this.control, THREADS, used);
    this.seq++;
    for (let w = 1; w < used; w++) {
      Atomics.store(this.control, ScoringPool.base(w) + SEQ, this.seq);
      Atomics.notify(this.control, ScoringPool.base(w) + SEQ);
    }
    takeRows(this.kernels.exports, this.params, this.control, SHARED, MIN_BLOCK, runRows);
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
