/**
 * `schedrl export`: a checkpoint becomes one ES module with no imports, for a scheduler to embed.
 * It holds the environment's feature module (envs/<env>/features.ts compiled, embedded as it is:
 * the very code the environment runs, so that production sees the training features), the
 * weights (base64 little-endian float32, decoded once at load), and:
 *
 *   scores(cand, glob, mask)   logits of every candidate (-Infinity where mask is 0)
 *   dispatch(cand, glob, mask) the index of the best legal candidate (first of equals)
 *   featurize(candidates, state) / dispatchState(candidates, state)
 *                              the same from the problem's raw inputs (e.g. durations, starts)
 *
 * The forward pass is src/agents/network.ts written in plain JavaScript, parameter for
 * parameter; a test checks that its decisions equal the tfjs policy's greedy decisions.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parameterSpecs } from '../agents/network.js';
import type { FeatureInput, FeatureModule } from '../core/features.js';
import { packageRoot } from '../core/paths.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { serializeCheckpoint } from '../train/checkpoint.js';

/** Where the compiled feature module of environment `env` lies (the package ships dist/envs). */
export function featureModulePath(env: string): string {
  return join(packageRoot(), 'dist', 'envs', env, 'features.js');
}

/**
 * The compiled feature module as a function body that returns its FEATURES: the file as tsc
 * wrote it, with only its `export` keywords and its source-map comment taken out. Refuses a
 * module that imports anything, or that does not declare FEATURES.
 */
export function featureModuleBody(source: string, file: string): string {
  if (
    /^\s*import[\s{*'"]/m.test(source) ||
    /\bimport\s*\(/.test(source) ||
    /\brequire\s*\(/.test(source)
  )
    throw new Error(`export: ${file} imports something; a feature module must be self-contained`);
  const body = source
    .replace(/^export (?=(?:const|let|function|class) )/gm, '')
    .replace(/^\/\/# sourceMappingURL=.*$/m, '')
    .trimEnd();
  if (/^export\b/m.test(body))
    throw new Error(`export: ${file} has an export form other than 'export const|function|class'`);
  if (!/^const FEATURES = /m.test(body))
    throw new Error(`export: ${file} does not declare 'export const FEATURES'`);
  return `${body}\nreturn FEATURES;`;
}

/** What a FeatureModule declares, without its functions: for comparing two of them. */
function declaration(f: FeatureModule): string {
  const { candidate, global, candidateInputs, globalInputs, scales } = f;
  return JSON.stringify({ candidate, global, candidateInputs, globalInputs, scales });
}

/**
 * Reads the compiled feature module of checkpoint `c`'s environment and checks that it declares
 * what `features` (the running code's module) declares and what the policy was trained on, so
 * that a stale build is never embedded.
 */
function featureModuleSource(c: Checkpoint, features: FeatureModule): string {
  const file = featureModulePath(c.env.name);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`export: cannot read ${file}, the compiled feature module (run npm run build)`);
  }
  const body = featureModuleBody(source, file);
  // The module's own code, evaluated in a scope of its own: it has no imports (checked above).
  const compiled = new Function(`'use strict';\n${body}`)() as FeatureModule;
  if (declaration(compiled) !== declaration(features))
    throw new Error(`export: ${file} differs from the running feature module (run npm run build)`);
  const same = (x: readonly string[], y: readonly string[]): boolean =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  if (!same(c.features.candidate, features.candidate) || !same(c.features.global, features.global))
    throw new Error(`export: the checkpoint's feature names are not ${c.env.name}'s`);
  return body;
}

/** A doc comment (meaning and unit) and an optional number field, for the .d.mts records. */
function field(input: FeatureInput): string {
  return `  /** ${input.doc.replace(/\*\//g, '*\\/')} [${input.unit}] */\n  ${input.name}?: number;`;
}

export interface ExportedModule {
  readonly js: string;
  readonly dts: string;
}

export function exportModule(
  c: Checkpoint,
  features: FeatureModule,
  origin: string,
): ExportedModule {
  const a = c.architecture;
  const weightsJson = JSON.parse(serializeCheckpoint(c)) as {
    weights: Record<string, { shape: number[]; data: string }>;
  };
  const body = featureModuleSource(c, features);
  const candInputs = features.candidateInputs;
  const stateInputs = [
    ...new Map([...candInputs, ...features.globalInputs].map((i) => [i.name, i])).values(),
  ];
  const F = a.candidateFeatures;
  const G = a.globalFeatures;
  const H = a.hidden;
  const names = parameterSpecs(a).map((p) => p.name);
  const js = `// Generated by schedrl export from ${origin.replace(/[\r\n]/g, ' ')}.
// Environment: ${c.env.name} ${JSON.stringify(c.env.options)}; trained with ${c.training.algo}, ${c.training.steps} steps, seed ${c.training.seed}.
// No imports: the feature module, the weights and the network are all below.

// ---- The environment's feature module, ${c.env.name}/features.js as compiled, in a scope of its own.
const features = (() => {
${body}
})();

// ---- What this module was trained on and what featurize() takes.
export const env = ${JSON.stringify(c.env.name)};
export const candidateFeatureNames = ${JSON.stringify(c.features.candidate)};
export const globalFeatureNames = ${JSON.stringify(c.features.global)};
export const candidateInputs = features.candidateInputs.map((i) => i.name);
export const stateInputs = features.globalInputs.map((i) => i.name);

const F = ${F};
const G = ${G};
const H = ${H};
const WEIGHTS = ${JSON.stringify(Object.fromEntries(names.map((n) => [n, weightsJson.weights[n].data])))};

function decode(text) {
  const bin = atob(text);
  const view = new DataView(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) view.setUint8(i, bin.charCodeAt(i));
  const out = new Float32Array(bin.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
const P = Object.fromEntries(Object.entries(WEIGHTS).map(([name, text]) => [name, decode(text)]));

// ---- The candidate-scoring network (src/agents/network.ts).
// x [n, I] times W [I, O] (row-major) plus b [O], into out [n, O], then tanh if asked.
function dense(x, n, I, W, b, O, out, tanh) {
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < O; o++) {
      let s = b[o];
      for (let i = 0; i < I; i++) s += x[r * I + i] * W[i * O + o];
      out[r * O + o] = tanh ? Math.tanh(s) : s;
    }
  }
}

// ---- Input checks. One pass over each input, inside the loops that read it anyway: a NaN,
// an Infinity, a string or a short array would otherwise give a silent wrong answer (NaN scores
// compare false, so dispatch() would return candidate 0).
function numbers(fn, name, v) {
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number')
    throw new TypeError(\`\${fn}: \${name} must be an array or typed array of numbers, got \${v === null ? 'null' : typeof v}\`);
}
function badNumber(fn, what, v) {
  if (typeof v !== 'number') return new TypeError(\`\${fn}: \${what} must be a number, got \${typeof v} \${String(v).slice(0, 20)}\`);
  return new RangeError(\`\${fn}: \${what} must be finite, got \${v}\`);
}
function flag(fn, name, v, k) {
  if (v === 1 || v === true) return true;
  if (v === 0 || v === false) return false;
  throw new TypeError(\`\${fn}: \${name}[\${k}] must be 0, 1, true or false, got \${typeof v === 'number' ? v : typeof v}\`);
}
function checkScoresInputs(fn, cand, glob, mask) {
  numbers(fn, 'cand', cand);
  numbers(fn, 'glob', glob);
  const K = cand.length / F;
  if (!Number.isInteger(K)) throw new RangeError(\`\${fn}: cand must hold K * \${F} values (\${F} features per candidate), got \${cand.length}\`);
  if (glob.length !== G) throw new RangeError(\`\${fn}: glob must hold \${G} values, got \${glob.length}\`);
  if (mask !== undefined && mask !== null) {
    numbers(fn, 'mask', mask);
    if (mask.length !== K) throw new RangeError(\`\${fn}: mask must hold one value per candidate (\${K}), got \${mask.length}\`);
  }
  for (let g = 0; g < G; g++) if (!Number.isFinite(glob[g])) throw badNumber(fn, \`glob[\${g}] (\${globalFeatureNames[g]})\`, glob[g]);
  return K;
}

/** Logits of K candidates: cand [K * F], glob [G], mask [K] (1 legal, 0 not; all legal if omitted). */
export function scores(cand, glob, mask) {
  return score('scores', cand, glob, mask);
}

function score(fn, cand, glob, mask) {
  const K = checkScoresInputs(fn, cand, glob, mask);
  const x = new Float64Array(K * (F + G));
  const legalAt = new Uint8Array(K);
  for (let k = 0; k < K; k++) {
    legalAt[k] = mask === undefined || mask === null || flag(fn, 'mask', mask[k], k) ? 1 : 0;
    for (let f = 0; f < F; f++) {
      const v = cand[k * F + f];
      if (!Number.isFinite(v)) throw badNumber(fn, \`cand[\${k * F + f}] (candidate \${k}, \${candidateFeatureNames[f]})\`, v);
      x[k * (F + G) + f] = v;
    }
    for (let g = 0; g < G; g++) x[k * (F + G) + F + g] = glob[g];
  }
  const h1 = new Float64Array(K * H);
  const h = new Float64Array(K * H);
  dense(x, K, F + G, P.W1, P.b1, H, h1, true);
  dense(h1, K, H, P.W2, P.b2, H, h, true);
  const pooled = new Float64Array(H);
  let legal = 0;
  for (let k = 0; k < K; k++) {
    if (!legalAt[k]) continue;
    legal++;
    for (let j = 0; j < H; j++) pooled[j] += h[k * H + j];
  }
  for (let j = 0; j < H; j++) pooled[j] /= Math.max(1, legal);
  const context = new Float64Array(H);
  dense(pooled, 1, H, P.Wc, P.bc, H, context, false);
  const logits = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    if (!legalAt[k]) {
      logits[k] = -Infinity;
      continue;
    }
    let s = P.bo[0];
    for (let j = 0; j < H; j++) s += Math.tanh(h[k * H + j] + context[j]) * P.wo[j];
    logits[k] = s;
  }
  return logits;
}

/** The index of the best legal candidate (the first of equals), or -1 when none is legal. */
export function dispatch(cand, glob, mask) {
  return best(score('dispatch', cand, glob, mask));
}

function best(s) {
  let b = -1;
  for (let k = 0; k < s.length; k++) if (s[k] !== -Infinity && (b < 0 || s[k] > s[b])) b = k;
  return b;
}

function input(fn, name, record, state, where) {
  const v = record !== null && name in record ? record[name] : state[name];
  if (v === undefined) throw new TypeError(\`\${fn}: \${where}: input '\${name}' is missing (expected a number)\`);
  if (!Number.isFinite(v)) throw badNumber(fn, \`\${where}: input '\${name}'\`, v);
  return v;
}

function records(fn, candidates, state) {
  if (!Array.isArray(candidates)) throw new TypeError(\`\${fn}: candidates must be an array of records, got \${candidates === null ? 'null' : typeof candidates}\`);
  if (state === null || typeof state !== 'object') throw new TypeError(\`\${fn}: state must be a record, got \${state === null ? 'null' : typeof state}\`);
  candidates.forEach((c, k) => {
    if (c === null || typeof c !== 'object') throw new TypeError(\`\${fn}: candidates[\${k}] must be a record, got \${c === null ? 'null' : typeof c}\`);
  });
}

function features_(fn, candidates, state) {
  records(fn, candidates, state);
  const cand = new Float32Array(candidates.length * F);
  candidates.forEach((c, k) => features.writeCandidate(cand, k * F, ...candidateInputs.map((n) => input(fn, n, c, state, \`candidate \${k}\`))));
  const glob = new Float32Array(G);
  features.writeGlobal(glob, 0, ...stateInputs.map((n) => input(fn, n, null, state, 'state')));
  return { cand, glob };
}

/**
 * Features from the problem's raw inputs: each candidate a record of candidateInputs (a name not
 * in the record is read from state), state a record of stateInputs.
 */
export function featurize(candidates, state) {
  return features_('featurize', candidates, state);
}

/** dispatch() from raw inputs; \`legal\` (booleans) defaults to every candidate. */
export function dispatchState(candidates, state, legal) {
  const { cand, glob } = features_('dispatchState', candidates, state);
  if (legal !== undefined && legal !== null) {
    if (!Array.isArray(legal)) throw new TypeError(\`dispatchState: legal must be an array of booleans, got \${typeof legal}\`);
    if (legal.length !== candidates.length) throw new RangeError(\`dispatchState: legal must hold one flag per candidate (\${candidates.length}), got \${legal.length}\`);
  }
  return best(score('dispatchState', cand, glob, legal ?? undefined));
}

/**
 * dispatchState() from one raw request of a serving gateway, where the environment defines one
 * (see the .d.mts); elsewhere it throws.
 */
export function decide(request) {
  if (features.raw === undefined) throw new TypeError('decide: ${c.env.name} takes no raw request; use dispatchState');
  const { candidates, state, legal } = features.raw.decide(request);
  return dispatchState(candidates, state, legal);
}
${
  features.embedding === undefined
    ? ''
    : `
// ---- ${features.embedding.name}: the environment's whole episode over the caller's data, dispatch() choosing.
export function ${features.embedding.name}(...args) {
  return features.embedding.run((cand, glob, mask) => dispatch(cand, glob, mask), ${JSON.stringify(c.env.options)}, ...args);
}
`
}`;
  const dts = `// Generated by schedrl export. Environment: ${c.env.name}.
export declare const env: string;
export declare const candidateFeatureNames: readonly string[];
export declare const globalFeatureNames: readonly string[];
export declare const candidateInputs: readonly string[];
export declare const stateInputs: readonly string[];
type Numbers = ArrayLike<number>;
/**
 * Logits [K] of the K candidates (higher: preferred), -Infinity where the mask is 0.
 * cand: [K * ${F}] row-major, candidate k's features at [k * ${F}, (k + 1) * ${F}), in the order
 * ${c.features.candidate.join(', ')}; each as featurize() writes it (normalized, dimensionless).
 * glob: [${G}] ${c.features.global.join(', ')}, the same way.
 * mask: [K] 1 (or true) where candidate k is legal, 0 (or false) where not; omitted: all legal.
 * Every value must be a finite number: NaN, Infinity, a non-number, cand not a multiple of ${F}
 * values, glob not ${G} values or a mask not K long throw a TypeError or RangeError naming the
 * argument and index.
 */
export declare function scores(cand: Numbers, glob: Numbers, mask?: Numbers): Float64Array;
/**
 * The index k (0-based, into the K candidates) of the highest-scoring legal candidate, the first
 * of equals; -1 when no candidate is legal (a mask of zeros, or K = 0). Inputs as for scores().
 */
export declare function dispatch(cand: Numbers, glob: Numbers, mask?: Numbers): number;
/** One candidate's raw inputs; a name missing here is read from the state record. */
export interface CandidateInput {
${candInputs.map(field).join('\n')}
}
/** The state's raw inputs, and candidate inputs shared by every candidate. */
export interface StateInput {
${stateInputs.map(field).join('\n')}
}
/**
 * cand [K * ${F}] and glob [${G}] (as scores() takes them) from K candidates' raw inputs and the
 * state's, in the units above. Every input must be a finite number; a missing, non-numeric or
 * non-finite one throws naming the candidate (or the state) and the input.
 */
export declare function featurize(candidates: readonly CandidateInput[], state: StateInput): { cand: Float32Array; glob: Float32Array };
/**
 * dispatch() from raw inputs: the index into \`candidates\` of the chosen one, -1 when none is
 * legal. legal: one flag per candidate (the same length; omitted: all legal).
 */
export declare function dispatchState(candidates: readonly CandidateInput[], state: StateInput, legal?: readonly boolean[]): number;
${
  features.raw === undefined
    ? `/** Throws: ${c.env.name} defines no raw request (use dispatchState). */
export declare function decide(request: never): number;`
    : `/**
 * dispatchState() from one raw request: ${features.raw.doc.replace(/\*\//g, '*\\/')}. Bad
 * fields throw a TypeError or RangeError naming them.
 */
export declare function decide(request: ${features.raw.type}): number;`
}
${features.embedding?.dts ?? ''}
`;
  return { js, dts };
}
