/**
 * Scenarios: the flags and scenario files that choose the fleet, the load and the network, read
 * into a Scenario with every value range-checked. A bad flag is a UsageError naming the flag; a
 * bad scenario file an InputError naming the file, the line of the field and what was expected.
 */

import { InputError, UsageError } from '../../src/core/errors.js';
import { readTextFile } from '../../src/core/files.js';
import {
  choiceOption,
  integerOption,
  numberOption,
  optionalString,
} from '../../src/core/options.js';
import type { EnvOptions, OptionSpec, OptionValues } from '../../src/core/registry.js';
import { LOADS, loadModels, type Load } from './models.js';
import { DEFAULT_DISCIPLINE, type Discipline, type OffloadConfig, type Scenario } from './types.js';

export const NETWORKS = ['stable', 'variable'] as const;
export type Network = (typeof NETWORKS)[number];

/** The network presets: a steady network, and one whose latency drifts second by second. */
export const NETWORK_PRESETS: Readonly<
  Record<Network, Pick<Scenario, 'drift' | 'maxSlowdown' | 'jitter'>>
> = {
  stable: { drift: 0, maxSlowdown: 1, jitter: 0.1 },
  variable: { drift: 0.1, maxSlowdown: 2, jitter: 0.1 },
};

export const DEFAULT_SCENARIO: Scenario = {
  load: 'heavy',
  edges: 4,
  drones: 8,
  segments: 5,
  ...NETWORK_PRESETS.variable,
  edgeNoise: 0.1,
  neighbours: 2,
  transferMs: 30,
  transferCost: 1,
  qoeWindow: 5,
  completionBonus: 0,
};

interface FieldRule {
  readonly flag: string;
  readonly kind: 'integer' | 'number';
  readonly min: number;
  readonly max: number;
  readonly doc: string;
}

/** Every numeric field of a scenario: its flag (and checkpoint key), type and range. */
export const FIELDS: Readonly<Record<Exclude<keyof Scenario, 'load'>, FieldRule>> = {
  edges: { flag: 'edges', kind: 'integer', min: 1, max: 25, doc: 'edge devices' },
  drones: {
    flag: 'drones',
    kind: 'integer',
    min: 1,
    max: 80,
    doc: 'drones (served round-robin by the edges)',
  },
  segments: {
    flag: 'segments',
    kind: 'integer',
    min: 1,
    max: 120,
    doc: 'one-second segments per episode',
  },
  drift: {
    flag: 'drift',
    kind: 'number',
    min: 0,
    max: 2,
    doc: 'largest per-second change of the cloud slowdown factor',
  },
  maxSlowdown: {
    flag: 'max-slowdown',
    kind: 'number',
    min: 1,
    max: 10,
    doc: 'highest cloud slowdown factor',
  },
  jitter: {
    flag: 'jitter',
    kind: 'number',
    min: 0,
    max: 0.9,
    doc: 'per-call cloud latency noise (relative, uniform)',
  },
  edgeNoise: {
    flag: 'edge-noise',
    kind: 'number',
    min: 0,
    max: 0.9,
    doc: 'edge execution-time noise (relative, uniform)',
  },
  neighbours: {
    flag: 'neighbours',
    kind: 'integer',
    min: 0,
    max: 8,
    doc: 'neighbouring edge devices offered per decision',
  },
  transferMs: {
    flag: 'transfer-ms',
    kind: 'integer',
    min: 0,
    max: 10_000,
    doc: 'extra time on a neighbouring device, ms',
  },
  transferCost: {
    flag: 'transfer-cost',
    kind: 'integer',
    min: 0,
    max: 1000,
    doc: 'extra cost on a neighbouring device',
  },
  qoeWindow: { flag: 'qoe-window', kind: 'integer', min: 1, max: 120, doc: 'QoE window, segments' },
  completionBonus: {
    flag: 'completion-bonus',
    kind: 'integer',
    min: 0,
    max: 1000,
    doc: 'training reward per task in time (the metric ignores it)',
  },
};

type NumericField = keyof typeof FIELDS;
const NUMERIC = Object.keys(FIELDS) as NumericField[];

/** The environment's flags (train, eval, compare, bench). */
export const SCENARIO_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  scenario: {
    type: 'string',
    description:
      'a scenario file (JSON: load, edges, drones, ..., see docs/offload.md); flags override it',
  },
  load: {
    type: 'string',
    description: `models per segment: ${LOADS.join(', ')}`,
    default: 'heavy',
  },
  network: {
    type: 'string',
    description: `cloud latency: ${NETWORKS.join(' or ')} (presets of drift, max-slowdown, jitter)`,
    default: 'variable',
  },
  ...Object.fromEntries(
    NUMERIC.map((f): [string, OptionSpec] => [
      FIELDS[f].flag,
      { type: 'string', description: FIELDS[f].doc, default: String(DEFAULT_SCENARIO[f]) },
    ]),
  ),
};

/** The line of `"key"` in a JSON text, for messages (1 when it cannot be found). */
function lineOf(text: string, key: string): number {
  const at = text.indexOf(`"${key}"`);
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

/** Reads a scenario file: any subset of the Scenario fields (and `network`), nothing else. */
export function readScenarioFile(file: string): Partial<Scenario> & { network?: Network } {
  const text = readTextFile(file, 'scenario file (JSON)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const line = m === null ? undefined : text.slice(0, Number(m[1])).split('\n').length;
    throw new InputError(
      line === undefined ? { file } : { file, line },
      `valid JSON (${(err as Error).message})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError({ file, line: 1 }, 'a JSON object of scenario fields');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const where = { file, line: lineOf(text, key), field: key };
    if (key === 'load' || key === 'network') {
      const choices: readonly string[] = key === 'load' ? LOADS : NETWORKS;
      if (typeof value !== 'string' || !choices.includes(value))
        throw new InputError(where, `one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
      out[key] = value;
      continue;
    }
    const rule = (FIELDS as Readonly<Record<string, FieldRule>>)[key];
    if (rule === undefined)
      throw new InputError(
        where,
        `a known scenario field (load, network, ${NUMERIC.join(', ')}), got unknown '${key}'`,
      );
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (rule.kind === 'integer' && !Number.isInteger(value)) ||
      value < rule.min ||
      value > rule.max
    )
      throw new InputError(
        where,
        `${rule.kind === 'integer' ? 'an integer' : 'a number'} in ${rule.min}..${rule.max} (${rule.doc}), got ${JSON.stringify(value)}`,
      );
    out[key] = value;
  }
  return out as Partial<Scenario> & { network?: Network };
}

function numericFlag(values: OptionValues, f: NumericField, fallback: number): number {
  const rule = FIELDS[f];
  const v =
    rule.kind === 'integer'
      ? integerOption(values, rule.flag, fallback, rule.min, rule.max)
      : numberOption(values, rule.flag, fallback, rule.min);
  if (v > rule.max)
    throw new UsageError(
      `--${rule.flag} expects a number <= ${rule.max}, got '${String(values[rule.flag])}'`,
    );
  return v;
}

/** The scenario the flags (over a --scenario file, over the defaults) choose. */
export function scenarioFromFlags(values: OptionValues): Scenario {
  const path = optionalString(values, 'scenario');
  const file = path === undefined ? {} : readScenarioFile(path);
  const network = choiceOption(values, 'network', NETWORKS, file.network ?? 'variable');
  // A network named on the command line replaces the file's drift, slowdown and jitter.
  const preset = values.network !== undefined ? NETWORK_PRESETS[network] : {};
  const base: Scenario = { ...DEFAULT_SCENARIO, ...NETWORK_PRESETS[network], ...file, ...preset };
  const load = choiceOption<Load>(values, 'load', LOADS, base.load);
  const numbers = Object.fromEntries(NUMERIC.map((f) => [f, numericFlag(values, f, base[f])]));
  return { ...base, ...numbers, load };
}

/** A scenario as the JSON-able record of a run or checkpoint (flag names as keys). */
export function scenarioOptions(s: Scenario): EnvOptions {
  return {
    load: s.load,
    ...Object.fromEntries(NUMERIC.map((f) => [FIELDS[f].flag, s[f]])),
  };
}

/** The recorded options of a run or checkpoint, checked again (a checkpoint may be edited). */
export function readScenarioOptions(options: EnvOptions): Scenario {
  const values = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)]));
  const known = new Set(['load', ...NUMERIC.map((f) => FIELDS[f].flag)]);
  for (const key of Object.keys(values))
    if (!known.has(key))
      throw new UsageError(`offload: unknown option '${key}' in the recorded options`);
  const load = choiceOption<Load>(values, 'load', LOADS, DEFAULT_SCENARIO.load);
  const numbers = Object.fromEntries(
    NUMERIC.map((f) => [f, numericFlag(values, f, DEFAULT_SCENARIO[f])]),
  );
  return { ...DEFAULT_SCENARIO, ...numbers, load };
}

export function offloadConfig(
  s: Scenario,
  numEnvs: number,
  discipline: Discipline = DEFAULT_DISCIPLINE,
): OffloadConfig {
  return { ...s, numEnvs, models: loadModels(s.load), discipline };
}
