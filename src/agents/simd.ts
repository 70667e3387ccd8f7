/**
 * WebAssembly SIMD kernels for the JavaScript learner, assembled here byte by byte (no build step,
 * no dependency), four float32 lanes at a time: a matrix product with its bias and tanh fused
 * (`mm`, which also reads its left operand transposed for weight gradients), tanh(x + bias) per
 * row (`addTanh`), and tanh alone (`tanh`, which the tests check against Math.tanh). JavaScript
 * has no SIMD and V8 does not vectorize loops, so the product runs at about 5 GFLOP/s in plain
 * JavaScript (src/agents/dense.ts) and about 32 here, on one idle core of the machine in
 * docs/agents.md.
 *
 * The kernels see one linear memory; the wrappers copy their operands in and the result out,
 * which costs O(MK + KN + MN) against the product's O(MNK); `JsScorer.scores` lays out its own
 * operands there to skip the copies. Where WebAssembly SIMD is missing, `SIMD` is null and the
 * callers use the plain JavaScript kernels.
 */

// Opcodes (WebAssembly core and fixed-width SIMD specifications).
const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_LOAD = 0x28;
const F32_LOAD = 0x2a;
const F64_LOAD = 0x2b;
const F32_STORE = 0x38;
const I32_GT_U = 0x4b;
const F64_ADD = 0xa0;
const F64_MUL = 0xa2;
const F32_DEMOTE_F64 = 0xb6;
const F64_PROMOTE_F32 = 0xbb;
const I32_EQZ = 0x45;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;
const IF = 0x04;
const ELSE = 0x05;
const I32_EQ = 0x46;
const SIMD_PREFIX = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const I8X16_SHUFFLE = 0x0d;
const F64X2_SPLAT = 0x14;
const F32X4_DEMOTE_F64X2_ZERO = 0x5e;
const F64X2_PROMOTE_LOW_F32X4 = 0x5f;
const F64X2_ADD = 0xf0;
const F64X2_SUB = 0xf1;
const F64X2_MUL = 0xf2;
const V128_LOAD32_SPLAT = 0x09;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const F32X4_DIV = 0xe7;
const F32X4_PMIN = 0xea;
const F32X4_PMAX = 0xeb;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

// Instruction helpers.
const get = (i: number): number[] => [LOCAL_GET, ...uleb(i)];
const set = (i: number): number[] => [LOCAL_SET, ...uleb(i)];
const i32 = (v: number): number[] => [I32_CONST, ...sleb(v)];
const simd = (op: number): number[] => [SIMD_PREFIX, ...uleb(op)];
const load = (offset: number): number[] => [...simd(V128_LOAD), 4, ...uleb(offset)];
const store = (offset: number): number[] => [...simd(V128_STORE), 4, ...uleb(offset)];
const f32x4 = (v: number): number[] => {
  const bytes = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return [...simd(V128_CONST), ...bytes];
};
const f64x2 = (v: number): number[] => {
  const bytes = new Uint8Array(new Float64Array([v, v]).buffer);
  return [...simd(V128_CONST), ...bytes];
};
/** The byte address of element `index` (a local) of the 4-byte array at byte address `base`. */
const element4 = (base: number, index: number): number[] => [
  ...get(base),
  ...get(index),
  ...i32(2),
  I32_SHL,
  I32_ADD,
];
/** local += amount (an i32 on the stack), or -= with `op` I32_SUB: loop counters and pointers. */
const bump = (local: number, amount: number[], op: number = I32_ADD): number[] => [
  ...get(local),
  ...amount,
  op,
  ...set(local),
];
/** A function body: its locals, as (count, type) runs after the parameters, then its code. */
const functionBody = (locals: readonly (readonly [number, number])[], code: number[]): number[] => [
  ...vec(locals.map(([count, type]) => [...uleb(count), type])),
  ...code,
];
/** `while (!exit) body`: block { loop { br_if exit; body; br loop } }. */
const loopUntil = (exit: number[], body: number[]): number[] => [
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...exit,
  BR_IF,
  1,
  ...body,
  BR,
  0,
  END,
  END,
];

/** Function indices in the module. */
const MM = 0;
const TANH = 1;
const ADD_TANH = 2;
const COL_SUMS = 3;
const DOT_ROWS = 4;
const HEAD_GRAD = 5;
const HIDDEN_GRAD = 6;
const LAYER1_GRAD = 7;

/**
 * mm(a, b, c, M, N, K, bias, init, act, aRow, aCol, aIndex): C[M, N] = init + A[M, K] B[K, N]
 * at byte addresses a, b, c, where init is 0 (init = 0), the row bias[N] (init = 1) or C itself
 * (init = 2); then tanh applied when act = 1. B and C are row-major, N a multiple of 16; A[m, k]
 * is at a + i aRow + k aCol bytes, so that A can be read transposed (aRow 4, aCol 4 M) as well
 * as row-major (aRow 4 K, aCol 4), where i is m, or the m-th int32 at byte address aIndex when
 * aIndex is not 0 (A's rows gathered from a larger matrix: a decision's legal candidates read
 * where the observation holds them). C is done two rows by 16 columns at a time, in eight vector
 * accumulators, each strip of B loaded once for both rows.
 */
function matmulBody(): number[] {
  const [a, b, c, M, N, K, bias, init, act, aRow, aCol, aIndex] = range(0, 12);
  const [m, n0, k, pb, rowBytes] = [12, 13, 14, 15, 16];
  const pa = [17, 18]; // A's element of each row in the block
  const pc = [19, 20]; // C's row start of each row in the block
  const [acc0, splat0, strip, tanhAt] = [21, 29, 31, 32];
  const acc = (row: number, j: number): number => acc0 + 4 * row + j;
  const cols = (f: (j: number) => number[]): number[] => [0, 1, 2, 3].flatMap(f);
  /** m + row: the index of a block's row `row`. */
  const rowIndex = (row: number): number[] => [...get(m), ...i32(row), I32_ADD];
  /** Bytes of `n` float32s or int32s (the value on the stack times 4). */
  const times4 = [...i32(2), I32_SHL];

  /** The n-loop over 16-column strips for a block of `rows` (1 or 2) rows starting at m. */
  const block = (rows: number): number[] => {
    const each = (f: (row: number, j: number) => number[]): number[] =>
      Array.from({ length: rows }, (_, row) => cols((j) => f(row, j))).flat();
    const kLoop = loopUntil(
      [...get(k), I32_EQZ],
      [
        // A's element in every lane, loaded as one (x64: a broadcast from memory, which takes a
        // load port; a load then a splat took a shuffle from the pipes the products need).
        ...Array.from({ length: rows }, (_, row) => [
          ...get(pa[row]),
          ...simd(V128_LOAD32_SPLAT),
          2,
          0,
          ...set(splat0 + row),
        ]).flat(),
        // Each strip of B is loaded once and used for every row of the block.
        ...cols((j) => [
          ...get(pb),
          ...load(16 * j),
          ...set(strip),
          ...Array.from({ length: rows }, (_, row) => [
            ...get(acc(row, j)),
            ...get(splat0 + row),
            ...get(strip),
            ...simd(F32X4_MUL),
            ...simd(F32X4_ADD),
            ...set(acc(row, j)),
          ]).flat(),
        ]),
        ...Array.from({ length: rows }, (_, row) => [...bump(pa[row], get(aCol))]).flat(),
        ...bump(pb, get(rowBytes)),
        ...bump(k, i32(1), I32_SUB),
      ],
    );
    const initialize = [
      ...get(init),
      ...i32(1),
      I32_EQ,
      IF,
      VOID,
      ...each((row, j) => [...element4(bias, n0), ...load(16 * j), ...set(acc(row, j))]),
      ELSE,
      ...get(init),
      ...i32(2),
      I32_EQ,
      IF,
      VOID,
      ...each((row, j) => [...get(pc[row]), ...load(16 * j), ...set(acc(row, j))]),
      ELSE,
      ...each((row, j) => [...f32x4(0), ...set(acc(row, j))]),
      END,
      END,
    ];
    // tanh over the block's finished rows of C, four vectors at a time while they are in the
    // cache: done here rather than on the accumulators, whose chains would wait on each other
    // (in a kernel with this many live values they cannot be interleaved without spilling).
    const [p, end] = pc;
    const vectors = [0, 1, 2, 3].map((j) => acc(0, j));
    const activate = [
      ...get(act),
      IF,
      VOID,
      ...get(c),
      ...get(m),
      ...get(N),
      I32_MUL,
      ...times4,
      I32_ADD,
      ...set(p),
      ...get(p),
      ...get(rowBytes),
      ...i32(rows),
      I32_MUL,
      I32_ADD,
      ...set(end),
      ...loopUntil(
        [...get(p), ...get(end), I32_GE_U],
        [
          ...vectors.flatMap((v, i) => [...get(p), ...load(16 * i), ...set(v)]),
          ...tanhInPlace(vectors, tanhAt),
          ...vectors.flatMap((v, i) => [...get(p), ...get(v), ...store(16 * i)]),
          ...bump(p, i32(64)),
        ],
      ),
      END,
    ];
    const strips = loopUntil(
      [...get(n0), ...get(N), I32_GE_U],
      [
        // pc[row] = c + 4 ((m + row) N + n0)
        ...Array.from({ length: rows }, (_, row) => [
          ...get(c),
          ...rowIndex(row),
          ...get(N),
          I32_MUL,
          ...get(n0),
          I32_ADD,
          ...times4,
          I32_ADD,
          ...set(pc[row]),
        ]).flat(),
        ...initialize,
        // pa[row] = a + i aRow (i: m + row, or aIndex's int32 at m + row), pb = b + 4 n0, k = K
        ...Array.from({ length: rows }, (_, row) => [
          ...get(a),
          ...get(aIndex),
          IF,
          I32,
          ...get(aIndex),
          ...rowIndex(row),
          ...times4,
          I32_ADD,
          I32_LOAD,
          2,
          0,
          ELSE,
          ...rowIndex(row),
          END,
          ...get(aRow),
          I32_MUL,
          I32_ADD,
          ...set(pa[row]),
        ]).flat(),
        ...element4(b, n0),
        ...set(pb),
        ...get(K),
        ...set(k),
        ...kLoop,
        ...each((row, j) => [...get(pc[row]), ...get(acc(row, j)), ...store(16 * j)]),
        ...bump(n0, i32(16)),
      ],
    );
    return [...strips, ...activate];
  };
  const pairs = loopUntil(
    [...get(m), ...i32(1), I32_ADD, ...get(M), I32_GE_U],
    [...i32(0), ...set(n0), ...block(2), ...get(m), ...i32(2), I32_ADD, ...set(m)],
  );
  const rest = loopUntil(
    [...get(m), ...get(M), I32_GE_U],
    [...i32(0), ...set(n0), ...block(1), ...get(m), ...i32(1), I32_ADD, ...set(m)],
  );
  const code = [
    ...tanhSetup(tanhAt),
    ...get(N),
    ...i32(2),
    I32_SHL,
    ...set(rowBytes),
    ...pairs,
    ...rest,
    END,
  ];
  // Locals after the 12 parameters: 9 i32, then v128: 8 accumulators, 2 splats, a strip of B,
  // tanh's.
  return functionBody(
    [
      [9, I32],
      [11 + tanhLocals(4), V128],
    ],
    code,
  );
}

/** Vectors per step of the elementwise tanh kernels (their chains interleaved: `tanhInPlace`). */
const TANH_GROUP = 4;

/** tanh(p, bytes): tanh in place on the float32s at byte address p; bytes a multiple of 16. */
function tanhBody(): number[] {
  const [p, bytes, end, x0, t] = [0, 1, 2, 3, 3 + TANH_GROUP];
  /** tanh of `vectors` vectors from p, then p moves past them. */
  const step = (vectors: number): number[] => {
    const xs = range(x0, vectors);
    return [
      ...xs.flatMap((x, i) => [...get(p), ...load(16 * i), ...set(x)]),
      ...tanhInPlace(xs, t),
      ...xs.flatMap((x, i) => [...get(p), ...get(x), ...store(16 * i)]),
      ...bump(p, i32(16 * vectors)),
    ];
  };
  const code = [
    ...tanhSetup(t),
    ...get(p),
    ...get(bytes),
    I32_ADD,
    ...set(end),
    ...loopUntil(
      [...get(p), ...i32(16 * TANH_GROUP), I32_ADD, ...get(end), I32_GT_U],
      step(TANH_GROUP),
    ),
    ...loopUntil([...get(p), ...get(end), I32_GE_U], step(1)),
    END,
  ];
  // Locals after the 2 parameters: 1 i32, then v128: a group of vectors and tanh's.
  return functionBody(
    [
      [1, I32],
      [TANH_GROUP + tanhLocals(TANH_GROUP), V128],
    ],
    code,
  );
}

/**
 * addTanh(x, bias, out, M, N): out[m, n] = tanh(x[m, n] + bias[n]) for M rows of N (a multiple
 * of 4) float32s at byte addresses x, out; bias at byte address bias.
 */
function addTanhBody(): number[] {
  const [x, bias, out, M, N] = [0, 1, 2, 3, 4];
  const [m, n, off, v0, t] = [5, 6, 7, 8, 8 + TANH_GROUP];
  /** Columns n .. n + 4 vectors - 1 of the row at byte offset off; then n and off move past. */
  const step = (vectors: number): number[] => {
    const vs = range(v0, vectors);
    return [
      ...vs.flatMap((v, i) => [
        ...get(x),
        ...get(off),
        I32_ADD,
        ...load(16 * i),
        ...element4(bias, n),
        ...load(16 * i),
        ...simd(F32X4_ADD),
        ...set(v),
      ]),
      ...tanhInPlace(vs, t),
      ...vs.flatMap((v, i) => [...get(out), ...get(off), I32_ADD, ...get(v), ...store(16 * i)]),
      ...bump(off, i32(16 * vectors)),
      ...bump(n, i32(4 * vectors)),
    ];
  };
  const row = [
    ...loopUntil(
      [...get(n), ...i32(4 * TANH_GROUP), I32_ADD, ...get(N), I32_GT_U],
      step(TANH_GROUP),
    ),
    ...loopUntil([...get(n), ...get(N), I32_GE_U], step(1)),
  ];
  const code = [
    ...tanhSetup(t),
    ...i32(0),
    ...set(off),
    ...loopUntil(
      [...get(m), ...get(M), I32_GE_U],
      [...i32(0), ...set(n), ...row, ...get(m), ...i32(1), I32_ADD, ...set(m)],
    ),
    END,
  ];
  // Locals after the 5 parameters: 3 i32, then v128: a group of sums and tanh's.
  return functionBody(
    [
      [3, I32],
      [TANH_GROUP + tanhLocals(TANH_GROUP), V128],
    ],
    code,
  );
}

/** i8x16.shuffle of the two vectors on the stack, by byte index (0-15 first, 16-31 second). */
const shuffle = (lanes: number[]): number[] => [...simd(I8X16_SHUFFLE), ...lanes];
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
/** The high two float32 lanes of a vector moved to its low half. */
const HIGH_TO_LOW = [...range(8, 8), ...range(0, 8)];
/** The low halves of two vectors, side by side. */
const LOW_HALVES = [...range(0, 8), ...range(16, 8)];

/**
 * colSums(x, out, rows, N, rowBytes): out[j] = sum over r of x[r, j], as float64s at byte address
 * out, for the N (a multiple of 8) columns of `rows` rows of float32s at byte address x,
 * `rowBytes` apart, summed in float64 in row order from 0: the same numbers as the JavaScript loop
 * (a sum of doubles, one column at a time). Eight columns at a time, in four f64x2 accumulators.
 * The pooled mean adds these sums chunk by chunk (src/agents/pooling.ts).
 */
function colSumsBody(): number[] {
  const [x, out, rows, N, rowBytes] = [0, 1, 2, 3, 4];
  const [j, p, r] = [5, 6, 7];
  const [acc0, v] = [8, 12];
  const accumulate = (accLow: number, offset: number): number[] => [
    ...get(p),
    ...load(offset),
    ...set(v),
    ...get(accLow),
    ...get(v),
    ...simd(F64X2_PROMOTE_LOW_F32X4),
    ...simd(F64X2_ADD),
    ...set(accLow),
    ...get(accLow + 1),
    ...get(v),
    ...get(v),
    ...shuffle(HIGH_TO_LOW),
    ...simd(F64X2_PROMOTE_LOW_F32X4),
    ...simd(F64X2_ADD),
    ...set(accLow + 1),
  ];
  // out + 8 j: the eight columns' sums, two per vector.
  const storeSums = [0, 1, 2, 3].flatMap((i) => [
    ...get(out),
    ...get(j),
    ...i32(3),
    I32_SHL,
    I32_ADD,
    ...get(acc0 + i),
    ...store(16 * i),
  ]);
  const code = [
    ...loopUntil(
      [...get(j), ...get(N), I32_GE_U],
      [
        ...[0, 1, 2, 3].flatMap((i) => [...f32x4(0), ...set(acc0 + i)]),
        ...element4(x, j),
        ...set(p),
        ...get(rows),
        ...set(r),
        ...loopUntil(
          [...get(r), I32_EQZ],
          [
            ...accumulate(acc0, 0),
            ...accumulate(acc0 + 2, 16),
            ...bump(p, get(rowBytes)),
            ...bump(r, i32(1), I32_SUB),
          ],
        ),
        ...storeSums,
        ...bump(j, i32(8)),
      ],
    ),
    END,
  ];
  // Locals after the 5 parameters: 3 i32, then 5 v128 (4 accumulators, a row's vector).
  return functionBody(
    [
      [3, I32],
      [5, V128],
    ],
    code,
  );
}

/**
 * dotRows(z, w, out, rows, N, bias): out[r] = bias + sum over j of z[r, j] w[j] for rows x N
 * float32s at byte address z, w[N] and the float32 bias at byte addresses w and bias, accumulated
 * in float64 in column order and rounded once to float32: the numbers of the JavaScript `matvec`
 * (src/agents/dense.ts), bit for bit. Scalar, because a vector across columns would change the
 * order of the sum; four rows at a time, so that four independent sums keep the adder busy.
 */
function dotRowsBody(): number[] {
  const [z, w, out, rows, N, bias] = [0, 1, 2, 3, 4, 5];
  const [r, j, p0, pw, rowBytes] = [6, 7, 8, 12, 13]; // p0 .. p0 + 3: each row's element
  const [s0, wj, b] = [14, 18, 19]; // s0 .. s0 + 3: each row's sum
  const group = (n: number): number[] => [
    ...Array.from({ length: n }, (_, i) => [
      ...get(z),
      ...get(r),
      ...i32(i),
      I32_ADD,
      ...get(rowBytes),
      I32_MUL,
      I32_ADD,
      ...set(p0 + i),
      ...get(b),
      ...set(s0 + i),
    ]).flat(),
    ...get(w),
    ...set(pw),
    ...get(N),
    ...set(j),
    ...loopUntil(
      [...get(j), I32_EQZ],
      [
        ...get(pw),
        F32_LOAD,
        2,
        0,
        F64_PROMOTE_F32,
        ...set(wj),
        ...Array.from({ length: n }, (_, i) => [
          ...get(s0 + i),
          ...get(p0 + i),
          F32_LOAD,
          2,
          0,
          F64_PROMOTE_F32,
          ...get(wj),
          F64_MUL,
          F64_ADD,
          ...set(s0 + i),
          ...get(p0 + i),
          ...i32(4),
          I32_ADD,
          ...set(p0 + i),
        ]).flat(),
        ...bump(pw, i32(4)),
        ...bump(j, i32(1), I32_SUB),
      ],
    ),
    ...Array.from({ length: n }, (_, i) => [
      ...element4(out, r),
      ...get(s0 + i),
      F32_DEMOTE_F64,
      F32_STORE,
      2,
      ...uleb(4 * i),
    ]).flat(),
    ...bump(r, i32(n)),
  ];
  const code = [
    ...get(N),
    ...i32(2),
    I32_SHL,
    ...set(rowBytes),
    ...get(bias),
    F32_LOAD,
    2,
    0,
    F64_PROMOTE_F32,
    ...set(b),
    ...loopUntil([...get(r), ...i32(4), I32_ADD, ...get(rows), I32_GT_U], group(4)),
    ...loopUntil([...get(r), ...get(rows), I32_GE_U], group(1)),
    END,
  ];
  // Locals after the 6 parameters: 8 i32, then 6 f64 (four sums, w[j], the bias).
  return functionBody(
    [
      [8, I32],
      [6, F64],
    ],
    code,
  );
}

/** The three elementwise steps of JsScorer.backward that `gradBody` assembles. */
export type GradKind = 'head' | 'hidden' | 'layer1';

/**
 * The elementwise loops of the backward pass (src/agents/js-scorer.ts), two float64 lanes at a
 * time in the same float64 operations as the JavaScript, so the same numbers bit for bit. All
 * take (x, y, out, sampleIn, sampleOut, acc, rowScalar, start, B, H) at byte addresses, float32
 * rows of H (a multiple of 4) for sample s at rows start[s] .. start[s + 1] - 1; t is per element:
 *   head    t = (rowScalar[r] sampleIn[j]) (1 - x^2)   x = z, sampleIn = wo, rowScalar = dLogits;
 *           acc[j] += rowScalar[r] x (dwo)
 *   hidden  t = (y + sampleIn[s, j]) (1 - x^2)          x = h, y = dzPre, sampleIn = dp (float64)
 *   layer1  t = y (1 - x^2)                             x = a1, y = da1
 * then out = float32(t); acc[j] += t (float64; hidden, layer1); sampleOut[s, j] =
 * float32(sampleOut[s, j] + t) (head: dContext, layer1: dg).
 */
function gradBody(kind: GradKind): number[] {
  const [x, y, out, sIn, sOut, acc, rowS, start, B, H] = range(0, 10);
  const [sample, r, rEnd, jB, rowB, sB, H4] = range(10, 7);
  const [xv, yv, x0, x1, y0, y1, t0, t1, d, one, cv] = range(17, 11);
  const promoteLow = (v: number): number[] => [...get(v), ...simd(F64X2_PROMOTE_LOW_F32X4)];
  const promoteHigh = (v: number): number[] => [
    ...get(v),
    ...get(v),
    ...shuffle(HIGH_TO_LOW),
    ...simd(F64X2_PROMOTE_LOW_F32X4),
  ];
  /** The float32x4 of two float64x2 locals, each rounded to nearest. */
  const demotePair = (low: number[], high: number[]): number[] => [
    ...low,
    ...simd(F32X4_DEMOTE_F64X2_ZERO),
    ...high,
    ...simd(F32X4_DEMOTE_F64X2_ZERO),
    ...shuffle(LOW_HALVES),
  ];
  const address = (...parts: number[]): number[] => [
    ...get(parts[0]),
    ...parts.slice(1).flatMap((p) => [...get(p), I32_ADD]),
  ];
  /** acc[j .. j + 3] (float64) += the two lanes pairs `low`, `high`. */
  const accumulate = (low: number[], high: number[]): number[] =>
    [low, high].flatMap((value, half) => [
      ...get(acc),
      ...get(jB),
      ...i32(1),
      I32_SHL,
      I32_ADD,
      ...get(acc),
      ...get(jB),
      ...i32(1),
      I32_SHL,
      I32_ADD,
      ...load(16 * half),
      ...value,
      ...simd(F64X2_ADD),
      ...store(16 * half),
    ]);
  const element = [
    ...address(x, rowB, jB),
    ...load(0),
    ...set(xv),
    ...promoteLow(xv),
    ...set(x0),
    ...promoteHigh(xv),
    ...set(x1),
    ...(kind === 'head' ? address(sIn, jB) : address(y, rowB, jB)),
    ...load(0),
    ...set(yv),
    ...promoteLow(yv),
    ...set(y0),
    ...promoteHigh(yv),
    ...set(y1),
    ...(kind === 'head'
      ? [0, 1].flatMap((k) => [...get(d), ...get(y0 + k), ...simd(F64X2_MUL), ...set(y0 + k)])
      : []),
    ...(kind === 'hidden'
      ? [0, 1].flatMap((k) => [
          ...get(y0 + k),
          // sampleIn[s, j] in float64: byte 2 (s H 4 + 4 j)
          ...get(sIn),
          ...get(sB),
          ...get(jB),
          I32_ADD,
          ...i32(1),
          I32_SHL,
          I32_ADD,
          ...load(16 * k),
          ...simd(F64X2_ADD),
          ...set(y0 + k),
        ])
      : []),
    ...[0, 1].flatMap((k) => [
      ...get(y0 + k),
      ...get(one),
      ...get(x0 + k),
      ...get(x0 + k),
      ...simd(F64X2_MUL),
      ...simd(F64X2_SUB),
      ...simd(F64X2_MUL),
      ...set(t0 + k),
    ]),
    ...address(out, rowB, jB),
    ...demotePair(get(t0), get(t1)),
    ...store(0),
    ...(kind === 'head'
      ? accumulate(
          [...get(d), ...get(x0), ...simd(F64X2_MUL)],
          [...get(d), ...get(x1), ...simd(F64X2_MUL)],
        )
      : accumulate(get(t0), get(t1))),
    ...(kind === 'hidden'
      ? []
      : [
          ...address(sOut, sB, jB),
          ...load(0),
          ...set(cv),
          ...address(sOut, sB, jB),
          ...demotePair(
            [...promoteLow(cv), ...get(t0), ...simd(F64X2_ADD)],
            [...promoteHigh(cv), ...get(t1), ...simd(F64X2_ADD)],
          ),
          ...store(0),
        ]),
    ...bump(jB, i32(16)),
  ];
  const row = [
    ...get(r),
    ...get(H4),
    I32_MUL,
    ...set(rowB),
    ...(kind === 'head'
      ? [
          ...get(rowS),
          ...get(r),
          ...i32(3),
          I32_SHL,
          I32_ADD,
          F64_LOAD,
          3,
          0,
          ...simd(F64X2_SPLAT),
          ...set(d),
        ]
      : []),
    ...i32(0),
    ...set(jB),
    ...loopUntil([...get(jB), ...get(H4), I32_GE_U], element),
    ...bump(r, i32(1)),
  ];
  /** start[sample + offset] (an int32) into local `to`. */
  const startOf = (offset: number, to: number): number[] => [
    ...element4(start, sample),
    I32_LOAD,
    2,
    4 * offset,
    ...set(to),
  ];
  const sampleLoop = [
    ...startOf(0, r),
    ...startOf(1, rEnd),
    ...get(sample),
    ...get(H4),
    I32_MUL,
    ...set(sB),
    ...loopUntil([...get(r), ...get(rEnd), I32_GE_U], row),
    ...bump(sample, i32(1)),
  ];
  const code = [
    ...get(H),
    ...i32(2),
    I32_SHL,
    ...set(H4),
    ...f64x2(1),
    ...set(one),
    ...loopUntil([...get(sample), ...get(B), I32_GE_U], sampleLoop),
    END,
  ];
  // Locals after the 10 parameters: 7 i32, then 11 v128.
  return functionBody(
    [
      [7, I32],
      [11, V128],
    ],
    code,
  );
}

/**
 * tanh(x) = x P(x^2) / Q(x^2) on [-TANH_CLAMP, TANH_CLAMP], P of degree 5 and Q of degree 3 with
 * a leading 1: a minimax rational fit of relative error 1.7e-8 in double precision, fitted for
 * schedrl (iteratively reweighted least squares on 20,000 points, then each float32 coefficient
 * nudged by a few ulps to lower the rounded evaluation's error). Evaluated in float32 as below,
 * it is within 7 ulps of the correctly rounded tanh over every float32 in (1e-30, 10) (6.5 ulps of
 * the exact value, 0.11 on average), the largest errors where tanh nears 1. Rounding makes it
 * exactly 1 for some inputs just below the clamp, and 1 - 3 x 2^-24 beyond it; nothing relies on
 * tanh < 1 (the backward pass's 1 - a^2 is then 0).
 */
const TANH_CLAMP = 7.90531;
// The shortest decimals of the float32 coefficients (f32x4 rounds them to exactly those).
const TANH_P = [4200.898, 545.4715, 12.568245, 0.041741166, -6.257737e-5, 1.01135456e-7];
const TANH_Q = [4200.898, 1945.7703, 101.039566];
/** tanh's constants, in the locals before its scratch ones (see `tanhSetup`). */
const TANH_CONSTANTS: readonly number[][] = [
  f32x4(TANH_CLAMP),
  f32x4(-TANH_CLAMP),
  ...TANH_P.map(f32x4),
  ...TANH_Q.map(f32x4),
];
const [CLAMP, NEG_CLAMP, P_AT] = [0, 1, 2];
const Q_AT = P_AT + TANH_P.length;
/** Scratch v128 locals per vector in `tanhInPlace`. */
const TANH_SCRATCH = 3;

/**
 * Sets tanh's constants in locals t ... t + 10: once per kernel call, rather than once per use.
 * V8 builds a v128 constant from general registers in several instructions every time one
 * appears, which made the constants about half of tanh's instructions.
 */
function tanhSetup(t: number): number[] {
  return TANH_CONSTANTS.flatMap((bytes, i) => [...bytes, ...set(t + i)]);
}

/**
 * tanh in place of the four float32 lanes of each local in `xs`; locals t ... hold the constants
 * (`tanhSetup`), then three scratch v128 locals per vector (`tanhLocals`): x clamped, then
 * x P(x^2) / Q(x^2) by Horner's rule, 20 operations with one division (odd in x, so no sign to
 * take off and put back).
 *
 * The vectors' steps are interleaved (step 1 of every vector, then step 2, ...): each vector's
 * tanh is a chain of dependent operations, a division among them, and a kernel that did one chain
 * after another (a bias and tanh per row, or layer 1's few products) waited on their latencies;
 * interleaved, the chains fill each other's gaps. Each vector's operations are the same, so are
 * the numbers.
 */
function tanhInPlace(xs: readonly number[], t: number): number[] {
  const constant = (i: number): number[] => get(t + i);
  const steps = xs.map((x, v) => {
    const base = t + TANH_CONSTANTS.length + TANH_SCRATCH * v;
    const [x2, p, q] = [base, base + 1, base + 2];
    // P(t) = TANH_P[0] + ... + TANH_P[pTop] t^pTop; Q(t) = TANH_Q[0] + ... + t^(qTop + 1).
    const [pTop, qTop] = [TANH_P.length - 1, TANH_Q.length - 1];
    /** One Horner step: acc = acc x^2 + the constant at local `coefficient`. */
    const horner = (acc: number, coefficient: number): number[] => [
      ...get(acc),
      ...get(x2),
      ...simd(F32X4_MUL),
      ...constant(coefficient),
      ...simd(F32X4_ADD),
      ...set(acc),
    ];
    return [
      // x = max(min(x, c), -c): pmin and pmax are one instruction each where min's and max's
      // NaN rules take several, and are min and max themselves on these operands.
      [
        ...get(x),
        ...constant(CLAMP),
        ...simd(F32X4_PMIN),
        ...constant(NEG_CLAMP),
        ...simd(F32X4_PMAX),
        ...set(x),
      ],
      [...get(x), ...get(x), ...simd(F32X4_MUL), ...set(x2)],
      // P's Horner steps and Q's, side by side (two independent chains).
      [
        ...constant(P_AT + pTop),
        ...set(p),
        ...get(x2),
        ...constant(Q_AT + qTop),
        ...simd(F32X4_ADD),
        ...set(q),
      ],
      ...TANH_P.slice(0, pTop).map((_, i) => [
        ...horner(p, P_AT + pTop - 1 - i),
        ...(i < qTop ? horner(q, Q_AT + qTop - 1 - i) : []),
      ]),
      [...get(p), ...get(x), ...simd(F32X4_MUL), ...get(q), ...simd(F32X4_DIV), ...set(x)],
    ];
  });
  return steps[0].flatMap((_, i) => steps.flatMap((vector) => vector[i]));
}

/** The v128 locals `tanhInPlace` uses on `vectors` vectors: its constants and scratch. */
function tanhLocals(vectors: number): number {
  return TANH_CONSTANTS.length + TANH_SCRATCH * vectors;
}

/**
 * Pages of 64 KiB a shared memory may grow to (1 GiB). A shared memory cannot move, so its
 * largest size is reserved (as address space) when it is made; a 2,000-candidate decision uses 1.5 MB.
 */
const SHARED_MAX_PAGES = 16384;

/**
 * The module's bytes. With `sharedMemory`, it imports its memory (env.memory, shared, as
 * src/agents/scoring-pool.ts gives its threads) instead of defining its own.
 */
function moduleBytes(sharedMemory = false): Uint8Array {
  const params = (n: number): number[] => vec(Array.from({ length: n }, () => [I32]));
  // The functions' types, by their number of i32 parameters: mm 12, tanh 2, addTanh and colSums
  // 5, dotRows 6, the three gradient kernels 10.
  const arities = [12, 2, 5, 6, 10];
  const types = vec(arities.map((n) => [0x60, ...params(n), ...vec([])]));
  const funcs = vec([12, 2, 5, 5, 6, 10, 10, 10].map((n) => [arities.indexOf(n)]));
  const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));
  // Limits: flag 0 (a minimum, growable) or 3 (shared, with a maximum), then the page counts.
  const memoryImport = vec([
    [...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(SHARED_MAX_PAGES)],
  ]);
  const memory = vec([[0x00, ...uleb(1)]]);
  const exports = vec([
    [...name('mm'), 0x00, MM],
    [...name('tanh'), 0x00, TANH],
    [...name('addTanh'), 0x00, ADD_TANH],
    [...name('colSums'), 0x00, COL_SUMS],
    [...name('dotRows'), 0x00, DOT_ROWS],
    [...name('headGrad'), 0x00, HEAD_GRAD],
    [...name('hiddenGrad'), 0x00, HIDDEN_GRAD],
    [...name('layer1Grad'), 0x00, LAYER1_GRAD],
    [...name('memory'), 0x02, 0],
  ]);
  const bodies = [
    matmulBody(),
    tanhBody(),
    addTanhBody(),
    colSumsBody(),
    dotRowsBody(),
    gradBody('head'),
    gradBody('hidden'),
    gradBody('layer1'),
  ].map((b) => [...uleb(b.length), ...b]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...(sharedMemory ? section(2, memoryImport) : []),
    ...section(3, funcs),
    ...(sharedMemory ? [] : section(5, memory)),
    ...section(7, exports),
    ...section(10, vec(bodies)),
  ]);
}

export interface Memory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The module's functions; addresses and sizes in bytes (see each kernel's body above). */
export interface KernelExports {
  mm(
    a: number,
    b: number,
    c: number,
    M: number,
    N: number,
    K: number,
    bias: number,
    init: number,
    act: number,
    aRow: number,
    aCol: number,
    aIndex: number,
  ): void;
  tanh(p: number, bytes: number): void;
  addTanh(x: number, bias: number, out: number, M: number, N: number): void;
  colSums(x: number, out: number, rows: number, N: number, rowBytes: number): void;
  dotRows(z: number, w: number, out: number, rows: number, N: number, bias: number): void;
  headGrad: GradKernel;
  hiddenGrad: GradKernel;
  layer1Grad: GradKernel;
  memory: Memory;
}

/** A gradient kernel's signature (see `gradBody`). */
type GradKernel = (
  x: number,
  y: number,
  out: number,
  sampleIn: number,
  sampleOut: number,
  acc: number,
  rowScalar: number,
  start: number,
  B: number,
  H: number,
) => void;

/** The part of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => Memory;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A compiled module of the kernels on a shared memory, and one such memory: what threads share. */
export interface SharedKernels {
  readonly module: object;
  readonly memory: Memory;
}

/** Rows per chunk of `matmulTN`'s product. */
export const TN_CHUNK = 64;

/** The kernels with copying wrappers over one growing linear memory. */
export class SimdKernels {
  /** The kernels themselves, for callers that run them on addresses of their own. */
  readonly exports: KernelExports;
  private heap: Float32Array;
  /** Every buffer of this memory `reserve` has handed out (see `addressOf`). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  /** On a memory of its own, or on `shared` (the module and memory every thread instantiates). */
  constructor(shared?: SharedKernels) {
    const instance =
      shared === undefined
        ? new wasm!.Instance(new wasm!.Module(moduleBytes()))
        : new wasm!.Instance(shared.module, { env: { memory: shared.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.heap = new Float32Array(this.exports.memory.buffer);
  }

  /** A new shared memory with the module compiled for it, or null without WebAssembly SIMD. */
  static shared(): SharedKernels | null {
    if (SIMD === null) return null;
    const memory = new wasm!.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
    return { module: new wasm!.Module(moduleBytes(true)), memory };
  }

  /**
   * The heap as float32s, grown to hold at least `floats`; valid until the next call (growing
   * replaces the buffer). For callers that lay out their own operands and call `mmAt`, `addTanhAt`.
   */
  reserve(floats: number): Float32Array {
    const bytes = floats * 4;
    const have = this.exports.memory.buffer.byteLength;
    if (bytes > have) {
      const pages = Math.ceil((bytes - have) / 65536);
      try {
        this.exports.memory.grow(pages);
      } catch (e) {
        throw new Error(
          `simd: cannot grow the kernels' memory to ${bytes} bytes (${(e as Error).message})`,
          { cause: e },
        );
      }
    }
    if (this.heap.buffer !== this.exports.memory.buffer) {
      this.heap = new Float32Array(this.exports.memory.buffer);
      this.buffers.add(this.heap.buffer);
    }
    return this.heap;
  }

  /**
   * The byte address of `view` when it lies in this memory (a view of a buffer `reserve` handed
   * out that is still attached: growing a shared memory keeps the old buffers as views of its
   * start), else null.
   */
  addressOf(view: ArrayBufferView): number | null {
    return view.byteLength > 0 && this.buffers.has(view.buffer) ? view.byteOffset : null;
  }

  /**
   * c[M, N] = a[M, K] b[K, N] + bias[N] (bias null: 0), row-major, then tanh when `activate`;
   * N a multiple of 16. With `accumulate`, the product is added to c (bias and tanh ignored).
   */
  matmul(
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
    const aAt = 0;
    const bAt = aAt + M * K;
    const biasAt = bAt + K * N;
    const cAt = biasAt + N;
    const heap = this.reserve(cAt + M * N);
    heap.set(a.subarray(0, M * K), aAt);
    heap.set(b.subarray(0, K * N), bAt);
    const useBias = bias !== null && !accumulate;
    if (useBias) heap.set(bias, biasAt);
    const act = activate && !accumulate ? 1 : 0;
    this.exports.mm(
      aAt * 4,
      bAt * 4,
      cAt * 4,
      M,
      N,
      K,
      biasAt * 4,
      useBias ? 1 : 0,
      act,
      K * 4,
      4,
      0,
    );
    const out = heap.subarray(cAt, cAt + M * N);
    if (accumulate) for (let i = 0; i < M * N; i++) c[i] += out[i];
    else c.set(out);
  }

  /** The `mm` kernel on operands already in the heap, at float32 offsets (see matmulBody). */
  mmAt(
    aAt: number,
    bAt: number,
    cAt: number,
    M: number,
    N: number,
    K: number,
    biasAt: number,
    init: 0 | 1 | 2,
    activate: boolean,
    aRow: number,
    aCol: number,
  ): void {
    this.exports.mm(
      aAt * 4,
      bAt * 4,
      cAt * 4,
      M,
      N,
      K,
      biasAt * 4,
      init,
      activate ? 1 : 0,
      aRow * 4,
      aCol * 4,
      0,
    );
  }

  /** The `addTanh` kernel on operands already in the heap, at float32 offsets. */
  addTanhAt(xAt: number, biasAt: number, outAt: number, M: number, N: number): void {
    this.exports.addTanh(xAt * 4, biasAt * 4, outAt * 4, M, N);
  }

  /** The `dotRows` kernel on operands already in the heap, at float32 offsets. */
  dotRowsAt(
    zAt: number,
    wAt: number,
    outAt: number,
    rows: number,
    N: number,
    biasAt: number,
  ): void {
    this.exports.dotRows(zAt * 4, wAt * 4, outAt * 4, rows, N, biasAt * 4);
  }

  /** c[I, O] += a[R, I]^T b[R, O] (a read transposed in place); O a multiple of 16. */
  matmulTN(
    a: Float32Array,
    b: Float32Array,
    c: Float64Array,
    R: number,
    I: number,
    O: number,
  ): void {
    const aAt = 0;
    const bAt = aAt + R * I;
    const cAt = bAt + R * O;
    const heap = this.reserve(cAt + I * O);
    if (R === 0) return;
    heap.set(a.subarray(0, R * I), aAt);
    heap.set(b.subarray(0, R * O), bAt);
    // In chunks of rows that stay in the first-level cache while every block of the output
    // passes over them (each block reads all of its rows; in one pass over thousands of rows they
    // came from the second level: 2.9 -> 1.6 ms at 7,110 x 64 by 7,110 x 64). Each element still
    // sums its products in row order in a float32 accumulator, now stored between chunks and
    // read back (init 2): the same numbers.
    for (let r0 = 0; r0 < R; r0 += TN_CHUNK)
      this.exports.mm(
        (aAt + r0 * I) * 4,
        (bAt + r0 * O) * 4,
        cAt * 4,
        I,
        O,
        Math.min(TN_CHUNK, R - r0),
        0,
        r0 === 0 ? 0 : 2,
        0,
        4,
        I * 4,
        0,
      );
    const out = heap.subarray(cAt, cAt + I * O);
    for (let i = 0; i < I * O; i++) c[i] += out[i];
  }

  /**
   * Rows in groups: out[r] = a[r] b + bias[s] (then tanh when `activate`) for the rows r of group
   * s, start[s] <= r < start[s + 1]; a [R, K], b [K, N], bias [S, N]; N a multiple of 16.
   */
  matmulGrouped(
    a: Float32Array,
    b: Float32Array,
    bias: Float32Array,
    start: Int32Array,
    N: number,
    K: number,
    activate: boolean,
  ): Float32Array {
    const S = start.length - 1;
    const R = start[S];
    const aAt = 0;
    const bAt = aAt + R * K;
    const biasAt = bAt + K * N;
    const cAt = biasAt + S * N;
    const heap = this.reserve(cAt + R * N);
    heap.set(a.subarray(0, R * K), aAt);
    heap.set(b.subarray(0, K * N), bAt);
    heap.set(bias.subarray(0, S * N), biasAt);
    const mm = this.exports.mm;
    for (let s = 0; s < S; s++) {
      const rows = start[s + 1] - start[s];
      if (rows === 0) continue;
      const first = start[s];
      mm(
        (aAt + first * K) * 4,
        bAt * 4,
        (cAt + first * N) * 4,
        rows,
        N,
        K,
        (biasAt + s * N) * 4,
        1,
        activate ? 1 : 0,
        K * 4,
        4,
        0,
      );
    }
    return heap.slice(cAt, cAt + R * N);
  }

  /** Rows in groups: out[r] = tanh(x[r] + bias[s]) for start[s] <= r < start[s + 1]; N a multiple of 4. */
  addTanhGrouped(x: Float32Array, bias: Float32Array, start: Int32Array, N: number): Float32Array {
    const S = start.length - 1;
    const R = start[S];
    const xAt = 0;
    const biasAt = xAt + R * N;
    const outAt = biasAt + S * N;
    const heap = this.reserve(outAt + R * N);
    heap.set(x.subarray(0, R * N), xAt);
    heap.set(bias.subarray(0, S * N), biasAt);
    const addTanh = this.exports.addTanh;
    for (let s = 0; s < S; s++) {
      const rows = start[s + 1] - start[s];
      if (rows > 0)
        addTanh(
          (xAt + start[s] * N) * 4,
          (biasAt + s * N) * 4,
          (outAt + start[s] * N) * 4,
          rows,
          N,
        );
    }
    return heap.slice(outAt, outAt + R * N);
  }

  /**
   * One of the backward pass's elementwise kernels (`gradBody`) on copies of its operands:
   * `out`, `sampleOut` and `acc` are written back (acc accumulates, sampleOut too).
   */
  grad(
    kind: GradKind,
    start: Int32Array,
    H: number,
    ops: {
      readonly x: Float32Array;
      readonly y?: Float32Array;
      readonly out: Float32Array;
      readonly sampleIn?: Float32Array | Float64Array;
      readonly sampleOut?: Float32Array;
      readonly acc: Float64Array;
      readonly rowScalar?: Float64Array;
    },
  ): void {
    // Operands already in this memory (a scorer's activations, `JsScorer.useThreads`) are read
    // and written where they are; the others are copied in above the highest of those, float64
    // ones first, each at a multiple of 16 bytes.
    const order = [
      ops.acc,
      ops.rowScalar,
      ops.sampleIn,
      ops.x,
      ops.y,
      ops.out,
      ops.sampleOut,
      start,
    ];
    const inPlace = order.map((a) => (a === undefined ? null : this.addressOf(a)));
    let bytes = 0;
    order.forEach((a, i) => {
      if (a !== undefined && inPlace[i] !== null)
        bytes = Math.max(bytes, (inPlace[i]! + a.byteLength + 15) & ~15);
    });
    const at: number[] = [];
    order.forEach((a, i) => {
      at.push(inPlace[i] ?? bytes);
      if (inPlace[i] === null) bytes += ((a?.byteLength ?? 0) + 15) & ~15;
    });
    this.reserve(bytes / 4);
    const buffer = this.exports.memory.buffer;
    const bytesOf = (a: ArrayBufferView): Uint8Array =>
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    order.forEach((a, i) => {
      if (a !== undefined && inPlace[i] === null)
        new Uint8Array(buffer, at[i], a.byteLength).set(bytesOf(a));
    });
    const kernel = {
      head: this.exports.headGrad,
      hidden: this.exports.hiddenGrad,
      layer1: this.exports.layer1Grad,
    }[kind];
    const [acc, rowScalar, sampleIn, x, y, out, sampleOut, startAt] = at;
    kernel(x, y, out, sampleIn, sampleOut, acc, rowScalar, startAt, start.length - 1, H);
    for (const [a, i] of [
      [ops.acc, 0],
      [ops.out, 5],
      [ops.sampleOut, 6],
    ] as const)
      if (a !== undefined && inPlace[i] === null)
        bytesOf(a).set(new Uint8Array(buffer, at[i], a.byteLength));
  }

  /** c[m] = bias + a[m] . b for M rows of K float32s (`dotRows`: the numbers of `matvec`). */
  matvec(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    M: number,
    K: number,
    bias: number,
  ): void {
    const aAt = 0;
    const bAt = aAt + M * K;
    const biasAt = bAt + K;
    const cAt = biasAt + 1;
    const heap = this.reserve(cAt + M);
    heap.set(a.subarray(0, M * K), aAt);
    heap.set(b.subarray(0, K), bAt);
    heap[biasAt] = bias;
    this.exports.dotRows(aAt * 4, bAt * 4, cAt * 4, M, K, biasAt * 4);
    c.set(heap.subarray(cAt, cAt + M));
  }

  /**
   * The column sums of each chunk's rows (`colSums`), chunk c being rows chunkStart[c] ..
   * chunkStart[c + 1] - 1 of x [R, N]; N a multiple of 8. Returns [C, N] float64s.
   */
  chunkSums(x: Float32Array, chunkStart: Int32Array, N: number): Float64Array {
    const C = chunkStart.length - 1;
    const R = chunkStart[C];
    // The sums go after the rows, at a float64 boundary.
    const outAt = (R * N + 1) & ~1;
    const heap = this.reserve(outAt + 2 * C * N);
    heap.set(x.subarray(0, R * N), 0);
    for (let c = 0; c < C; c++) {
      const [first, rows] = [chunkStart[c], chunkStart[c + 1] - chunkStart[c]];
      this.exports.colSums(first * N * 4, (outAt + 2 * c * N) * 4, rows, N, N * 4);
    }
    return new Float64Array(heap.buffer.slice(outAt * 4, (outAt + 2 * C * N) * 4));
  }

  /** a[i] = tanh(a[i]) for every i (the tanh the other kernels inline, alone). */
  tanh(a: Float32Array): void {
    const n = a.length;
    const padded = (n + 3) & ~3;
    const heap = this.reserve(padded);
    heap.set(a, 0);
    this.exports.tanh(0, padded * 4);
    a.set(heap.subarray(0, n));
  }
}

/** The kernels, or null where this JavaScript engine has no WebAssembly SIMD. */
export const SIMD: SimdKernels | null = ((): SimdKernels | null => {
  const bytes = moduleBytes();
  if (wasm === undefined || !wasm.validate(bytes)) return null;
  return new SimdKernels();
})();
