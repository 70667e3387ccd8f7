/**
 * One description of a struct-of-arrays state, from which both sides are derived: the CPU's typed
 * arrays (views into one backing array per buffer) and the WGSL declarations of the kernel (one
 * storage binding per buffer, one offset constant per field). Nothing is counted by hand, so the
 * TypeScript reference and the kernel cannot disagree on where a field lives.
 *
 *   const layout = buildLayout({ job: { type: 'i32', fields: { jobReady: 'EJ', ... } } }, sizes);
 *   layout.job.views.jobReady   // Int32Array view, length numEnvs * maxJobs
 *   wgslDeclarations(layout)    // var<storage, read_write> job: array<i32>; const JOB_READY = ...;
 */

export type Scalar = 'i32' | 'u32' | 'f32';

type ArrayOf<T extends Scalar> = T extends 'i32'
  ? Int32Array
  : T extends 'u32'
    ? Uint32Array
    : Float32Array;

export interface BufferSpec<
  T extends Scalar = Scalar,
  F extends string = string,
  S extends string = string,
> {
  readonly type: T;
  /**
   * Field name -> size token (resolved through the `sizes` of buildLayout). Order is memory order.
   * A token starting with `E` (E, EJ, EJO...) is per copy, copy-major: copy e's part is the e-th
   * of numEnvs equal slices. Any other token is shared by all copies.
   */
  readonly fields: Readonly<Record<F, S>>;
  /** WGSL access mode of the binding; default read_write. */
  readonly access?: 'read' | 'read_write';
}

export type LayoutSpec = Readonly<Record<string, BufferSpec>>;

export interface BufferLayout<T extends Scalar = Scalar, F extends string = string> {
  readonly name: string;
  readonly type: T;
  readonly access: 'read' | 'read_write';
  /** The backing array of the whole buffer. */
  readonly data: ArrayOf<T>;
  /** Element offset and length of each field, and whether it holds one slice per copy. */
  readonly fields: Readonly<
    Record<F, { readonly offset: number; readonly length: number; readonly perCopy: boolean }>
  >;
  /** Typed views of each field into `data`. */
  readonly views: Readonly<Record<F, ArrayOf<T>>>;
  readonly byteLength: number;
}

export type Layout<L extends LayoutSpec> = {
  readonly [B in keyof L & string]: L[B] extends BufferSpec<infer T, infer F>
    ? BufferLayout<T, F>
    : never;
};

/**
 * The flat state type of a layout: every field of every buffer as its typed view. Mapping over
 * the spec's own field objects keeps each field's doc comment (its shape) on the state's field.
 */
type ViewsOf<B> = B extends { readonly type: infer T extends Scalar; readonly fields: infer F }
  ? { readonly [K in keyof F]: ArrayOf<T> }
  : never;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
export type StateOf<L extends LayoutSpec> = Intersect<{ [B in keyof L]: ViewsOf<L[B]> }[keyof L]>;

/**
 * The views of every buffer of `layout` as one flat state object. How the object is built decides
 * how fast the hot loops read it: in Node 20's V8, an object filled by assignment in a loop ends
 * up in dictionary mode (slow properties: four times the step time on a 968-job instance), while
 * Object.fromEntries gives it fast properties. test/gpu/layout.test.ts checks that it stays so.
 */
export function stateViews<L extends LayoutSpec>(layout: Layout<L>): StateOf<L> {
  const entries: [string, Int32Array | Uint32Array | Float32Array][] = [];
  for (const buffer of Object.values<BufferLayout>(layout))
    for (const [name, view] of Object.entries(buffer.views)) {
      if (entries.some(([taken]) => taken === name))
        throw new Error(`layout: field '${name}' is declared twice`);
      entries.push([name, view]);
    }
  return Object.fromEntries(entries) as StateOf<L>;
}

function allocate(type: Scalar, length: number): Int32Array | Uint32Array | Float32Array {
  if (type === 'i32') return new Int32Array(length);
  if (type === 'u32') return new Uint32Array(length);
  return new Float32Array(length);
}

/** Lays out every buffer of `spec`, resolving size tokens with `sizes`. */
export function buildLayout<L extends LayoutSpec>(
  spec: L,
  sizes: Readonly<Record<string, number>>,
): Layout<L> {
  const out: Record<string, BufferLayout> = {};
  for (const [name, buffer] of Object.entries(spec)) {
    const fields: Record<string, { offset: number; length: number; perCopy: boolean }> = {};
    let offset = 0;
    for (const [field, token] of Object.entries<string>(buffer.fields)) {
      const length = sizes[token];
      if (length === undefined || !Number.isSafeInteger(length) || length < 0)
        throw new RangeError(`layout ${name}.${field}: unknown or bad size '${token}'`);
      fields[field] = { offset, length, perCopy: token.startsWith('E') };
      offset += length;
    }
    // WebGPU rejects zero-sized bindings; keep one element.
    const data = allocate(buffer.type, Math.max(offset, 1));
    const views: Record<string, Int32Array | Uint32Array | Float32Array> = {};
    for (const [field, f] of Object.entries(fields))
      views[field] = data.subarray(f.offset, f.offset + f.length);
    out[name] = {
      name,
      type: buffer.type,
      access: buffer.access ?? 'read_write',
      data,
      fields,
      views,
      byteLength: data.byteLength,
    };
  }
  return out as Layout<L>;
}

/** `jobReady` -> `JOB_READY`: the WGSL name of a field's offset constant. */
export function offsetName(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * The WGSL text declaring each buffer as a storage binding (bindings numbered from `firstBinding`
 * in the order of the layout) and each field's element offset as a constant.
 */
export function wgslDeclarations(
  layout: Readonly<Record<string, BufferLayout>>,
  firstBinding = 0,
  group = 0,
): string {
  const lines: string[] = [];
  let binding = firstBinding;
  for (const b of Object.values(layout)) {
    lines.push(
      `@group(${group}) @binding(${binding++}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`,
    );
    for (const [field, f] of Object.entries(b.fields))
      lines.push(
        `const ${offsetName(field)}: u32 = ${f.offset}u; // ${b.name}.${field}, ${f.length} elements`,
      );
  }
  return lines.join('\n') + '\n';
}
