/**
 * Reading typed values out of parsed command-line options. Every failure is a UsageError naming the
 * flag and what it accepts, so that the CLI exits with code 2 and a hint.
 */

import { UsageError } from './errors.js';
import type { OptionValues } from './registry.js';

export function stringOption(values: OptionValues, name: string, fallback: string): string {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} needs a value`);
  return v;
}

export function optionalString(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} needs a value`);
  return v;
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

export function integerOption(
  values: OptionValues,
  name: string,
  fallback: number,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `--${name} expects an integer${min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}, got '${String(v)}'`,
    );
  }
  return n;
}

export function numberOption(
  values: OptionValues,
  name: string,
  fallback: number,
  min = -Infinity,
): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min)
    throw new UsageError(
      `--${name} expects a number${min > -Infinity ? ` >= ${min}` : ''}, got '${String(v)}'`,
    );
  return n;
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(
  values: OptionValues,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = stringOption(values, name, fallback);
  if (!(choices as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
  return v as T;
}

/** A comma-separated list, each item parsed by `item` (which throws UsageError naming the item). */
export function listOption<T>(
  values: OptionValues,
  name: string,
  fallback: string,
  item: (word: string) => T,
): T[] {
  const words = stringOption(values, name, fallback)
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
  if (words.length === 0) throw new UsageError(`--${name} needs at least one item`);
  return words.map(item);
}

/** `JxM` such as `15x15`. */
export function parseSize(word: string, flagName: string): { jobs: number; machines: number } {
  const m = /^(\d+)x(\d+)$/i.exec(word);
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new UsageError(`--${flagName}: expected sizes like 15x15, got '${word}'`);
  return { jobs: Number(m[1]), machines: Number(m[2]) };
}
