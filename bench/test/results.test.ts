/**
 * The results writer and the printed table, from a tiny fake run: every key the README and issues 6 and 12
 * rely on must be present, and a missing one must fail loudly; the overhead goal needs both the medians
 * and intervals narrower than the margins.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OVERHEAD_SETUPS,
  summarise,
  type OverheadMeasurement,
  type OverheadSetup,
} from '../src/overhead-run.js';
import {
  checkResults,
  keptFromPreviousRun,
  missingKeys,
  overheadGoal,
  REQUIRED_KEYS,
  valueAt,
  writeResults,
} from '../src/results.js';
import { renderTable } from '../src/table.js';
import { clusteredBootstrapInterval } from '../src/stats.js';

function fakeMeasurements(rounds = 3): OverheadMeasurement[] {
  const base: Record<OverheadSetup, number> = {
    off: 100,
    traces: 98,
    tracesJaeger: 98.5,
    profiles: 97,
    full: 96,
    fullJaeger: 96.5,
  };
  return Array.from({ length: rounds }, (_, round) => round).flatMap((round) =>
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
  const overhead = Object.fromEntries(
    OVERHEAD_SETUPS.map((setup) => [setup, summarise(setup, measurements)]),
  ) as Record<OverheadSetup, ReturnType<typeof summarise>>;
  const attribution = (right: number, wrong: number) =>
    Object.fromEntries(
      ['1', '8', '32'].map((n) => [n, { right, wrong, unlabelled: 1 - right - wrong, samples: 1000 }]),
    );
  return {
    attribution: { ours: attribution(0.999, 0), naive: attribution(0.1, 0.05) },
    overhead,
    shortSpans: { '100': { '2': 0.2, '5': 0.5, '10': 0.95 }, '1000': { '2': 0.9, '5': 0.99, '10': 1 } },
    costPerSpanMicros: overhead.full.addedCpuMicrosPerRequest,
    costPerRequestMicros: {
      total: overhead.full.addedCpuMicrosPerRequest,
      parts: { spansOtlp: 200, profilesAndSpanLabels: 100, logsToLoki: 100 },
    },
  };
}

test('a setup is compared with the baseline run beside it, not with the round\'s other runs of "off"', () => {
  const m = (setup: string, round: number, cpu: number, pairedWith?: string) => ({
    setup,
    round,
    ...(pairedWith !== undefined && { pairedWith }),
    requests: 100,
    non2xx: 0,
    errors: 0,
    durationSeconds: 3,
    throughput: 1e6 / cpu,
    p50Ms: 10,
    p99Ms: 20,
    appCpuMicros: cpu * 100,
    cpuMicrosPerRequest: cpu,
  });
  // the machine is slow in the second half of each round: each pair sees the same speed
  const measurements = [0, 1, 2].flatMap((round) => [
    m('off', round, 10_000, 'traces'),
    m('traces', round, 10_500),
    m('off', round, 13_000, 'full'),
    m('full', round, 13_650),
    m('off, flags', round, 12_000, 'full, flags'),
    m('full, flags', round, 13_200),
  ]);
  assert.equal(summarise('traces', measurements).cpuThroughputRatio, round4(10_000 / 10_500));
  assert.equal(summarise('full', measurements).cpuThroughputRatio, round4(13_000 / 13_650));
  assert.equal(summarise('full', measurements).addedCpuMicrosPerRequest, 650);
  assert.equal(
    summarise('full, flags', measurements, undefined, 'off, flags').cpuThroughputRatio,
    round4(12 / 13.2),
  );
  const off = summarise('off', measurements);
  assert.equal(off.cpuThroughputRatio, 1);
  assert.deepEqual(off.cpuMicrosPerRequest, { median: 11_500, min: 10_000, max: 13_000 });
});

const round4 = (n: number) => Math.round(n * 1e4) / 1e4;

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
  const goals = { overheadFull: overheadGoal(results.overhead.full) };
  const table = renderTable({ ...results, goals, overheadRounds: 3 });
  assert.equal(table.length, 2 + 6 + 6 + 2 + 1);
  assert.match(table.join('\n'), /≥ 99% right, ≤ 0\.1% wrong: met/);
  assert.match(table.join('\n'), /p99 ≤ ×1\.10, intervals narrower than the margins: (met|\*\*missed\*\*)/);
  assert.match(table.join('\n'), /≥ 90% of 5 ms spans: met/);
});

test('the exporter-cost row appears once npm run exporter-cost has written its results', () => {
  const results = fakeResults();
  const exporter = (cpu: number, added: number, p99: number) => ({
    cpuMicrosPerRequest: { median: cpu },
    addedMicrosPerRequest: added,
    chunkP99Ms: p99,
  });
  const exporterCost = {
    rounds: 10,
    exporters: {
      none: exporter(37, 0, 1.9),
      jaeger: exporter(171, 132.9, 13.5),
      otlp: exporter(77.7, 38.9, 6.6),
    },
  };
  const without = renderTable({ ...results, overheadRounds: 3 });
  const table = renderTable({ ...results, exporterCost, overheadRounds: 3 });
  assert.equal(table.length, without.length + 1);
  const row = table.find((line) => line.includes('Span export'));
  assert.ok(row, 'an exporter-cost row');
  assert.match(row, /10 rounds/);
  assert.match(
    row,
    /Jaeger Thrift \+132\.9 µs \(13\.5 ms\) · OTLP \+38\.9 µs \(6\.6 ms\) · pipeline without export 37 µs/,
  );
});

test('the cost-profile row lists the largest parts first, once npm run cost-profile has written them', () => {
  const results = fakeResults();
  const costProfile = {
    rounds: 2,
    added: { parts: { gc: 12.4, otelSdk: 118.6, v8Workers: 95, profilerThread: 57.5 }, totalMicros: 284 },
  };
  const without = renderTable({ ...results, overheadRounds: 3 });
  const table = renderTable({ ...results, costProfile, overheadRounds: 3 });
  assert.equal(table.length, without.length + 1);
  const row = table.find((line) => line.includes('Cost by part'));
  assert.ok(row, 'a cost-profile row');
  assert.match(row, /2 rounds/);
  assert.match(row, /\+284 µs: otelSdk \+119 · v8Workers \+95 · profilerThread \+58 · gc \+12/);
  // a run with a longer warm-up gets its own row beside it
  const costProfileLongWarmup = {
    rounds: 2,
    warmupSeconds: 60,
    added: { parts: { otelSdk: 90, compilerThreads: 26 }, totalMicros: 196 },
  };
  const both = renderTable({ ...results, costProfile, costProfileLongWarmup, overheadRounds: 3 });
  assert.equal(both.length, without.length + 2);
  const warm = both.find((line) => line.includes('after 60 s of load'));
  assert.ok(warm, 'a row for the long warm-up');
  assert.match(warm, /\+196 µs: otelSdk \+90 · compilerThreads \+26/);
});

test('the overhead goal needs the medians within bounds and intervals narrower than the margins', () => {
  const interval = (low: number, high: number) => ({ low, high });
  const good = {
    cpuThroughputRatio: 0.96,
    throughputRatio: 0.97,
    p99Ratio: 1.05,
    ci95: {
      cpuThroughputRatio: interval(0.95, 0.97),
      throughputRatio: interval(0.95, 0.99),
      p99Ratio: interval(1.0, 1.08),
    },
  };
  assert.equal(overheadGoal(good).met, true);
  assert.equal(overheadGoal(good).intervalClears, true);
  // a median past its bound
  assert.equal(overheadGoal({ ...good, cpuThroughputRatio: 0.94 }).met, false);
  assert.equal(overheadGoal({ ...good, p99Ratio: 1.11 }).met, false);
  // medians fine, but the run cannot tell them from noise
  const wide = { ...good, ci95: { ...good.ci95, throughputRatio: interval(0.92, 1.0) } };
  assert.equal(overheadGoal(wide).met, false);
  assert.equal(overheadGoal(wide).intervalNarrowerThanMargin.throughputRatio, false);
});

test('more rounds narrow the bootstrap interval of the throughput ratio', () => {
  // the same noisy rounds, 4 of them and 16
  const noisy = (rounds: number) =>
    fakeMeasurements(rounds).map((m) =>
      m.setup === 'full' ? { ...m, throughput: m.throughput * (1 + ((m.round * 7) % 5) * 0.02 - 0.04) } : m,
    );
  const width = (rounds: number) => {
    const { ci95 } = summarise('full', noisy(rounds));
    return ci95.throughputRatio.high - ci95.throughputRatio.low;
  };
  assert.ok(width(16) < width(4), `${width(16)} < ${width(4)}`);
  const { ci95, throughputRatio } = summarise('full', noisy(16));
  assert.ok(ci95.throughputRatio.low <= throughputRatio && throughputRatio <= ci95.throughputRatio.high);
});

test('a process that is slower through all its rounds widens the interval once its rounds are marked as its set', () => {
  // 24 rounds in 6 sets of processes; in sets 0 and 1 the "off" process is 12% slower throughout, so "full"
  // (8% dearer) looks cheaper than "off" there: a lasting offset of one process, not round-to-round noise
  const measurements = fakeMeasurements(24).map((m) => {
    const generation = Math.floor(m.round / 4);
    const wobble = 1 + ((m.round * 7) % 5) * 0.002;
    const slow = m.setup === 'off' && generation < 2 ? 1.12 : 1;
    return { ...m, generation, cpuMicrosPerRequest: m.cpuMicrosPerRequest * slow * wobble };
  });
  const width = (ms: OverheadMeasurement[]) => {
    const { ci95 } = summarise('full', ms);
    return ci95.cpuThroughputRatio.high - ci95.cpuThroughputRatio.low;
  };
  const unmarked = measurements.map(({ generation: _, ...m }) => m);
  const bySets = width(measurements);
  const byRounds = width(unmarked);
  assert.ok(bySets > 1.5 * byRounds, `sets ${bySets} against rounds only ${byRounds}`);
  // the wider interval reaches the ratio of the slow sets (above 1), which rounds alone call unlikely
  const { ci95, cpuThroughputRatio } = summarise('full', measurements);
  assert.ok(ci95.cpuThroughputRatio.high > 1, `high ${ci95.cpuThroughputRatio.high}`);
  assert.ok(
    ci95.cpuThroughputRatio.low <= cpuThroughputRatio && cpuThroughputRatio <= ci95.cpuThroughputRatio.high,
  );
  assert.ok(summarise('full', unmarked).ci95.cpuThroughputRatio.high < 1);
});

test('the clustered bootstrap draws whole clusters: one cluster of equal values gives a point', () => {
  const values = [1, 1, 1, 5, 5, 5];
  const mean = (idx: readonly number[]) => idx.reduce((a, i) => a + values[i]!, 0) / idx.length;
  // two clusters, each constant: a resample's mean is 1, 3 or 5, never anything in between
  const both = clusteredBootstrapInterval(
    [
      [0, 1, 2],
      [3, 4, 5],
    ],
    mean,
    500,
    7,
  );
  assert.equal(both.low, 1);
  assert.equal(both.high, 5);
  const one = clusteredBootstrapInterval([[0, 1, 2]], mean, 500, 7);
  assert.deepEqual(one, { low: 1, high: 1 });
  assert.ok(Number.isNaN(clusteredBootstrapInterval([], mean).low));
});

test('the bench keeps what the footprint wrote when it rewrites results.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
  const path = join(dir, 'results.json');
  writeResults(path, {
    ...fakeResults(),
    footprint: { totalRssMB: 500, long: { growth: 1.02 } },
    overheadBreakdown: { parts: {} },
    costProfileLongWarmup: { rounds: 2 },
    goals: { overheadFull: { met: false }, footprintRss: { met: true }, demoShows: { met: true } },
  });
  const kept = keptFromPreviousRun(path);
  assert.deepEqual(Object.keys(kept).sort(), [
    'costProfileLongWarmup',
    'footprint',
    'goals',
    'overheadBreakdown',
  ]);
  assert.deepEqual(Object.keys(kept.goals).sort(), ['demoShows', 'footprintRss']);
  assert.deepEqual(keptFromPreviousRun(join(dir, 'none.json')), { goals: {} });
});
