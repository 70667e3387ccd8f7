/**
 * The WGSL constants of an environment's features, generated from its feature module
 * (src/core/features.ts), so that a kernel's feature functions name every offset and scale and
 * hard-code none:
 *
 *   const NUM_CANDIDATE_FEATURES = 10u;   const NUM_GLOBAL_FEATURES = 4u;
 *   const CF_START_DELAY = 1u;            one per candidate feature, its index in the name list
 *   const GF_PROGRESS = 0u;               one per global feature
 *   const TIME_SCALE = 100.0;             one per scale, under its own name
 */

import type { FeatureModule } from '../core/features.js';

/** A WGSL float literal of exactly `x` (an abstract float, converted where used). */
function floatLiteral(name: string, x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`feature scale ${name} must be finite, got ${x}`);
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function constName(prefix: string, feature: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(feature))
    throw new RangeError(`feature name '${feature}' is not lower_snake_case`);
  return `${prefix}${feature.toUpperCase()}`;
}

/** `[name, WGSL value]` pairs, for a kernel header's `const name = value;` lines. */
export function featureConstants(features: FeatureModule): [string, string][] {
  const list: [string, string][] = [
    ['NUM_CANDIDATE_FEATURES', `${features.candidate.length}u`],
    ['NUM_GLOBAL_FEATURES', `${features.global.length}u`],
    ...features.candidate.map((f, i): [string, string] => [constName('CF_', f), `${i}u`]),
    ...features.global.map((f, i): [string, string] => [constName('GF_', f), `${i}u`]),
  ];
  for (const [name, value] of Object.entries(features.scales)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name))
      throw new RangeError(`feature scale name '${name}' is not UPPER_SNAKE_CASE`);
    list.push([name, floatLiteral(name, value)]);
  }
  return list;
}
