/**
 * The results writer and the printed table, from a tiny fake run: every key the README and issue 6 rely
 * on must be present, and a missing one must fail loudly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarise, type OverheadMeasurement, type OverheadSetup } from '../src/overhead-run.js';
import { checkResults, missingKeys, REQUIRED_KEYS, valueAt, writeResults } from '../src/results.js';
import { renderTable } from '../src/table.js';

function fakeMeasurements(): OverheadMeasurement[] {
  const base: Record<OverheadSetup, number> = { off: 100, traces: 98, profiles: 97, full: 96 };
  return [0, 1, 2].flatMap((round) =>
    (Object.keys(base) as OverheadSetup[]).map((setup) => ({
      setup,
      round,
      requests: base[setup] * 4,
      non2xx: 0,
      errors: 0,
      durationSeconds: 4,
      throughput: base[setup] + round,
      p50Ms: 20 * (100 / base[setup]),
      p99Ms: 40 * (100 / base[setup]),
      appCpuMicros: 0,
      cpuMicrosPerRequest: 5000 + (100 - base[setup]) * 100,
    })),
  );
}

function fakeResults() {
  const measurements = fakeMeasurements();
  const overhead = {
    off: summarise('off', measurements),
    traces: summarise('traces', measurements),
    profiles: summarise('profiles', measurements),
    full: summarise('full', measurements),
  };
  const attribution = (right: number, wrong: number) =>
    Object.fromEntries(
      ['1', '8', '32'].map((n) => [n, { right, wrong, unlabelled: 1 - right - wrong, samples: 1000 }]),
    );
  return {
    attribution: { ours: attribution(0.999, 0), naive: attribution(0.1, 0.05) },
    overhead,
    shortSpans: { '100': { '2': 0.2, '5': 0.5, '10': 0.95 }, '1000': { '2': 0.9, '5': 0.99, '10': 1 } },
    costPerSpanMicros: overhead.full.addedCpuMicrosPerRequest,
  };
}

test('ratios to "off" are taken within each round and summarised as median, min and max', () => {
  const { overhead } = fakeResults();
  assert.equal(overhead.off.throughputRatio, 1);
  // round r: (96 + r) / (100 + r)
  assert.equal(overhead.full.throughputRatio, Math.round((97 / 101) * 1e4) / 1e4);
  assert.equal(overhead.full.spread.throughputRatio.min, Math.round((96 / 100) * 1e4) / 1e4);
  assert.equal(overhead.full.spread.throughputRatio.max, Math.round((98 / 102) * 1e4) / 1e4);
  assert.equal(overhead.full.p99Ratio, Math.round((100 / 96) * 1e4) / 1e4);
  assert.equal(overhead.full.addedCpuMicrosPerRequest, 400);
});

test('the writer produces every required key from a fake run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  const path = join(dir, 'results.json');
  writeResults(path, fakeResults());
  const written = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  assert.deepEqual(missingKeys(written), []);
  for (const key of [
    'attribution.ours.32.right',
    'attribution.naive.32.wrong',
    'overhead.full.throughputRatio',
    'overhead.full.p99Ratio',
    'shortSpans.1000.5',
    'shortSpans.100.2',
    'costPerSpanMicros',
  ]) {
    assert.ok(REQUIRED_KEYS.includes(key), key);
    assert.equal(typeof valueAt(written, key), 'number', key);
  }
});

test('a missing or non-numeric required key fails loudly', () => {
  const results = fakeResults();
  delete (results.shortSpans as Record<string, unknown>)['1000'];
  (results as { costPerSpanMicros: unknown }).costPerSpanMicros = NaN;
  assert.throws(() => checkResults(results), /shortSpans\.1000\.5.*costPerSpanMicros/);
});

test('the printed table has one row per measurement and says which goals are met', () => {
  const results = fakeResults();
  const table = renderTable({ ...results, overheadRounds: 3 });
  assert.equal(table.length, 2 + 6 + 4 + 2 + 1);
  assert.match(table.join('\n'), /≥ 99% right, ≤ 0\.1% wrong: met/);
  assert.match(table.join('\n'), /≤ 5% throughput loss, ≤ 10% p99: met/);
  assert.match(table.join('\n'), /≥ 90% of 5 ms spans: met/);
});
