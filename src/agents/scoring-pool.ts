/**
 * The per-candidate layers of JsScorer.scores (src/agents/js-scorer.ts) split by rows across
 * threads: the calling thread and worker threads that share the kernels' memory.
 *
 * Why: a greedy policy on a large job shop scores every unfinished job at every decision (2,000
 * rows x 100,000 decisions at 2000x50), and each row's layers are independent of the others', so
 * every core can take a share of each decision's rows. The numbers do not change: every row
 * goes through the same kernels in the same order whichever thread runs it, and what crosses
 * rows (the pooled mean) is summed by the calling thread alone, in row order.
 *
 * How: one shared WebAssembly memory holds the operands; each thread instantiates the kernels'
 * module on it. A job is a block of int32 parameters (byte addresses in that memory) and a row
 * range per thread; the caller posts it, runs its own range, then waits for the workers. Threads
 * spin briefly before sleeping on Atomics.wait, because a decision's share takes about a
 * millisecond and a sleep-and-wake costs tens of microseconds.
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SIMD, SimdKernels, type KernelExports, type SharedKernels } from './simd.js';

/** A job's kinds (the first parameter): see `runRows`. */
export const LAYERS = 1;
export const HEAD = 2;

/**
 * A job's parameters, in the order `runRows` reads them. Addresses are byte addresses in the
 * kernels' memory; `start` holds samples + 1 int32 row offsets (sample s owns rows start[s] ..
 * start[s + 1] - 1).
 */
export interface RowJob {
  readonly kind: typeof LAYERS | typeof HEAD;
  readonly samples: number;
  readonly candidateFeatures: number;
  readonly hidden: number;
  readonly cand: number;
  readonly w1: number;
  readonly g: number;
  readonly w2: number;
  readonly b2: number;
  readonly a1: number;
  readonly h: number;
  readonly context: number;
  readonly z: number;
  readonly wo: number;
  readonly bo: number;
  readonly logits: number;
  readonly start: number;
}

const JOB_FIELDS: readonly (keyof RowJob)[] = [
  'kind',
  'samples',
  'candidateFeatures',
  'hidden',
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
];

/**
 * Runs job `p` (JOB_FIELDS order) on rows r0 .. r1 - 1:
 *   LAYERS  a1_r = tanh(W1[:F] . cand_r + g_s), h_r = tanh(W2 . a1_r + b2)
 *   HEAD    z_r = tanh(h_r + context_s), logit_r = wo . z_r + bo
 * where s is row r's sample. It refers to nothing outside itself: workers receive it as source.
 */
function runRows(k: KernelExports, p: Int32Array, r0: number, r1: number): void {
  const [kind, samples, F, H, cand, w1, g, w2, b2, a1, h, context, z, wo, bo, logits, startAt] = p;
  if (r1 <= r0) return;
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

// Each worker's control slots in the control array: the job's sequence number (posted by the
// caller), the last one done, the row range, whether it failed, how long its share took (in
// 0.1 us), and whether it has started.
const SEQ = 0;
const DONE = 1;
const FROM = 2;
const TO = 3;
const FAILED = 4;
const ELAPSED = 5;
const READY = 6;
const SLOTS = 7;
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

interface WorkerData {
  readonly module: object;
  readonly memory: SharedKernels['memory'];
  readonly params: Int32Array;
  readonly control: Int32Array;
  readonly base: number;
  readonly spinMs: number;
}

/** A worker's loop (runs in the worker, from source: it refers to nothing outside itself). */
function workerLoop(data: WorkerData, run: typeof runRows): void {
  const { params, control, base, spinMs } = data;
  const wasm = (
    globalThis as unknown as {
      WebAssembly: { Instance: new (m: object, i: object) => { exports: unknown } };
    }
  ).WebAssembly;
  const k = new wasm.Instance(data.module, { env: { memory: data.memory } })
    .exports as KernelExports;
  Atomics.store(control, base + 6, 1);
  Atomics.notify(control, base + 6);
  let seen = 0;
  for (;;) {
    const since = performance.now();
    for (let polls = 1; Atomics.load(control, base + 0) === seen; polls++)
      if (polls % 256 === 0 && performance.now() - since > spinMs)
        Atomics.wait(control, base + 0, seen);
    seen = Atomics.load(control, base + 0);
    if (seen < 0) return;
    const started = performance.now();
    try {
      run(k, params, control[base + 2], control[base + 3]);
    } catch {
      Atomics.store(control, base + 4, 1);
    }
    control[base + 5] = Math.round((performance.now() - started) * 1e4);
    Atomics.store(control, base + 1, seen);
    Atomics.notify(control, base + 1);
  }
}

/** Rows below which a share is not worth a thread. */
const MIN_SHARE = 64;

/** Moves thread t's speed estimate toward `rows` in `ms` (shares too small to time are skipped). */
function learn(speed: Float64Array, t: number, rows: number, ms: number): void {
  if (rows >= MIN_SHARE && ms > 0) speed[t] += 0.05 * (rows / ms - speed[t]);
}

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
   * Rows per millisecond of each thread, per job kind (a moving average of each thread's own
   * timing): the split gives each thread rows in proportion, so that all finish together.
   * Threads are not equally fast on the same rows: the caller's cache holds the rows it wrote,
   * and a worker may share its core. (Timing a worker from the caller's side instead, start and
   * noticing included, shrinks its share without end: the fixed latency weighs more on fewer rows.)
   */
  private readonly speed: Float64Array[];

  /** `threads` defaults to the cores Node reports; 1 without WebAssembly SIMD. */
  constructor(threads = availableParallelism()) {
    const shared = threads > 1 ? SimdKernels.shared() : null;
    if (SIMD === null)
      throw new Error('ScoringPool: this JavaScript engine has no WebAssembly SIMD');
    this.threads = shared === null ? 1 : threads;
    this.kernels = shared === null ? SIMD : new SimdKernels(shared);
    this.control = new Int32Array(new SharedArrayBuffer(this.threads * SLOTS * 4));
    this.speed = [LAYERS, HEAD].map(() => new Float64Array(this.threads).fill(1));
    this.shared = shared;
  }

  /** Starts the workers, on the first job worth sharing (most decisions of small problems are not). */
  private startWorkers(shared: SharedKernels): void {
    const source = `const { workerData } = require('node:worker_threads');
${runRows.toString()}
(${workerLoop.toString()})(workerData, runRows);`;
    for (let w = 1; w < this.threads; w++) {
      const workerData: WorkerData = {
        module: shared.module,
        memory: shared.memory,
        params: this.params,
        control: this.control,
        base: w * SLOTS,
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
      const at = w * SLOTS + READY;
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
   * Runs `job` on rows 0 .. rows - 1, split across the threads in proportion to their recent
   * speed on this kind of job; returns when all are done. The split never changes the numbers.
   */
  run(job: RowJob, rows: number): void {
    JOB_FIELDS.forEach((f, i) => (this.params[i] = job[f]));
    // Few rows are not worth waking a worker for.
    let used = Math.max(1, Math.min(this.threads, Math.floor(rows / MIN_SHARE)));
    if (used > 1 && this.workers.length === 0) {
      if (this.shared !== null) this.startWorkers(this.shared);
      // Disposed, or the workers could not start: the caller alone.
      if (this.workers.length === 0) used = 1;
    }
    const speed = this.speed[job.kind === LAYERS ? 0 : 1];
    let total = 0;
    for (let t = 0; t < used; t++) total += speed[t];
    const bounds = new Int32Array(used + 1);
    for (let t = 0, sum = 0; t < used; t++) {
      sum += speed[t];
      bounds[t + 1] = t === used - 1 ? rows : Math.round((rows * sum) / total);
    }
    this.seq++;
    for (let w = 1; w < used; w++) {
      const base = w * SLOTS;
      this.control[base + FROM] = bounds[w];
      this.control[base + TO] = bounds[w + 1];
      Atomics.store(this.control, base + SEQ, this.seq);
      Atomics.notify(this.control, base + SEQ);
    }
    const started = performance.now();
    runRows(this.kernels.exports, this.params, 0, bounds[1]);
    learn(speed, 0, bounds[1], performance.now() - started);
    for (let w = 1; w < used; w++) {
      const base = w * SLOTS;
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
        throw new Error(
          `ScoringPool: worker ${w} failed on rows ${bounds[w]}..${bounds[w + 1] - 1}`,
        );
      learn(speed, w, bounds[w + 1] - bounds[w], this.control[base + ELAPSED] / 1e4);
    }
  }

  /** Stops the workers. */
  dispose(): void {
    for (let w = 1; w <= this.workers.length; w++) {
      Atomics.store(this.control, w * SLOTS + SEQ, -1);
      Atomics.notify(this.control, w * SLOTS + SEQ);
    }
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
    this.shared = null;
  }
}
