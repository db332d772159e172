/**
 * bench/results.json: the recorded run. Shares are fractions of 1. `REQUIRED_KEYS` are the keys the
 * README and issue 6 rely on; `checkResults` fails loudly when one is missing or not a number.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const ATTRIBUTION_CONCURRENCY = [1, 8, 32] as const;
export const SHORT_SPAN_RATES_HZ = [100, 1000] as const;
export const SHORT_SPAN_LENGTHS_MS = [2, 5, 10] as const;

export const REQUIRED_KEYS: readonly string[] = [
  ...(['ours', 'naive'] as const).flatMap((mode) =>
    ATTRIBUTION_CONCURRENCY.flatMap((n) =>
      ['right', 'wrong', 'unlabelled'].map((k) => `attribution.${mode}.${n}.${k}`),
    ),
  ),
  ...['traces', 'profiles', 'full'].flatMap((setup) =>
    ['throughputRatio', 'p50Ratio', 'p99Ratio'].map((k) => `overhead.${setup}.${k}`),
  ),
  ...SHORT_SPAN_RATES_HZ.flatMap((hz) => SHORT_SPAN_LENGTHS_MS.map((ms) => `shortSpans.${hz}.${ms}`)),
  'costPerSpanMicros',
];

export function valueAt(object: unknown, path: string): unknown {
  let at: unknown = object;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The required keys that are missing or not finite numbers. */
export function missingKeys(results: unknown): string[] {
  return REQUIRED_KEYS.filter((key) => {
    const value = valueAt(results, key);
    return typeof value !== 'number' || !Number.isFinite(value);
  });
}

export function checkResults(results: unknown): void {
  const missing = missingKeys(results);
  if (missing.length > 0) {
    throw new Error(`bench results lack required keys (or they are not numbers): ${missing.join(', ')}`);
  }
}

export function writeResults(path: string, results: unknown): void {
  checkResults(results);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}
