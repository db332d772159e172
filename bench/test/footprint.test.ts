/**
 * The footprint run's pieces without running the demo: its goals from measured values, how it merges into
 * results.json, what it reads from decoded spans and profiles, and the memory probe in a real child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AllReceivers, DecodedSample, JaegerSpan, OtlpSpan } from '@rideshare/test-receivers';
import { DemoSignals } from '../src/demo-signals.js';
import {
  appendTuning,
  footprintGoals,
  mergeResults,
  slowRegionRatio,
  type Footprint,
} from '../src/footprint-results.js';

function footprint(over: Partial<Footprint> = {}): Footprint {
  return {
    command: 'npm run footprint',
    date: '2026-12-02T16:00:00.000Z',
    node: 'v24.21.0',
    cpuModel: 'test',
    cores: 2,
    loadAverage: { atStart: [0.5, 0.5, 0.5], atEnd: [0.5, 0.5, 0.5] },
    backends: 'test',
    durationMinutes: 4,
    measuredFromMinute: 1,
    demoExitCode: 0,
    settings: {},
    totalRssMB: 550,
    totalPssMB: 400,
    totalHeapUsedMB: 200,
    totalCpuCores: 0.4,
    processes: [],
    demoScript: {
      name: 'scripts/demo.mjs',
      rssMB: 80,
      pssMB: 40,
      maxRssMB: 80,
      heapUsedMB: null,
      heapTotalMB: null,
      cpuCores: 0,
      logLines: 0,
    },
    totalRssMBByMinute: [],
    shows: {
      orderWork: { orders: 100, medianMs: 310, p5Ms: 302, p95Ms: 350, shareIn200To400Ms: 1 },
      spansByName: {},
      slowPeriodSeconds: 60,
      latency: {
        slow: {
          'eu-north': { requests: 30, p50Ms: 40, p99Ms: 400 },
          'us-east': { requests: 30, p50Ms: 10, p99Ms: 30 },
          'ap-south': { requests: 30, p50Ms: 10, p99Ms: 40 },
        },
        normal: {},
      },
      flameGraphs: Object.fromEntries(
        ['us-east', 'eu-north', 'ap-south'].map((region) => [
          region,
          {
            cpuSeconds: 10,
            uploads: 20,
            labelledShare: 0.3,
            spans: { CarHandler: { cpuSeconds: 1, fleetSearch: 0.5, driverCheck: 0.2 } },
          },
        ]),
      ),
    },
    ...over,
  };
}

test('footprint goals are computed from the measured values', () => {
  const goals = footprintGoals(footprint(), footprint({ growth: 1.04 }));
  assert.equal(goals.footprintRss.met, true);
  assert.equal(goals.footprintCpu.met, true);
  assert.equal(goals.footprintGrowth.met, true);
  assert.equal(goals.demoShows.met, true);
  assert.equal(slowRegionRatio(footprint()), 10);

  const over = footprintGoals(
    footprint({ totalRssMB: 601, totalCpuCores: 0.51 }),
    footprint({ growth: 1.2 }),
  );
  assert.equal(over.footprintRss.met, false);
  assert.equal(over.footprintCpu.met, false);
  assert.equal(over.footprintGrowth.met, false);
  // no long run yet: the growth goal is not met, and says it was not measured
  assert.deepEqual(footprintGoals(footprint(), undefined).footprintGrowth.measured, null);
  assert.equal(footprintGoals(footprint(), undefined).footprintGrowth.met, false);
  // 5 minutes within the bound but 30 minutes over it: not met
  const creeping = footprintGoals(
    footprint({ totalRssMB: 560 }),
    footprint({ growth: 1.07, rssAt5MinMB: 575, rssAt30MinMB: 615 }),
  );
  assert.equal(creeping.footprintRss.measuredAt30Min, 615);
  assert.equal(creeping.footprintRss.met, false);
  assert.equal(
    footprintGoals(footprint({ totalRssMB: 560 }), footprint({ growth: 1.02, rssAt30MinMB: 590 }))
      .footprintRss.met,
    true,
  );
});

test('what the demo shows: each part is checked', () => {
  const shows = footprint().shows!;
  const slowAsOthers = {
    ...shows,
    latency: {
      ...shows.latency,
      slow: { ...shows.latency.slow, 'eu-north': { requests: 30, p50Ms: 40, p99Ms: 199 } },
    },
  };
  assert.equal(footprintGoals(footprint({ shows: slowAsOthers }), undefined).demoShows.met, false);
  const longOrders = { ...shows, orderWork: { ...shows.orderWork, medianMs: 590, p5Ms: 360, p95Ms: 680 } };
  assert.equal(footprintGoals(footprint({ shows: longOrders }), undefined).demoShows.met, false);
  const noDriverCheck = {
    ...shows,
    flameGraphs: {
      ...shows.flameGraphs,
      'us-east': {
        ...shows.flameGraphs['us-east']!,
        spans: { CarHandler: { cpuSeconds: 1, fleetSearch: 0.5 } },
      },
    },
  };
  assert.equal(footprintGoals(footprint({ shows: noDriverCheck }), undefined).demoShows.met, false);
  // eu-north: judged on its CarHandlers outside the slow periods, where both parts must show
  const euNorth = (normal: Record<string, number>) => ({
    ...shows,
    flameGraphs: {
      ...shows.flameGraphs,
      'eu-north': {
        ...shows.flameGraphs['eu-north']!,
        spans: { CarHandler: { cpuSeconds: 3, fleetSearch: 0.02, driverCheck: 0.95 } },
        byPeriod: {
          slow: { CarHandler: { cpuSeconds: 2.8, fleetSearch: 0.01, driverCheck: 0.97 } },
          normal: { CarHandler: { cpuSeconds: 0.2, ...normal } },
        },
      },
    },
  });
  const bothInNormal = footprint({ shows: euNorth({ fleetSearch: 0.4, driverCheck: 0.3 }) });
  assert.equal(footprintGoals(bothInNormal, undefined).demoShows.met, true);
  const noSearchInNormal = footprint({ shows: euNorth({ fleetSearch: 0.01, driverCheck: 0.9 }) });
  assert.equal(footprintGoals(noSearchInNormal, undefined).demoShows.met, false);
});

test('a default run and a long run each keep the other in results.json, and tuning steps are kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'footprint-results-'));
  const path = join(dir, 'results.json');
  writeFileSync(
    path,
    JSON.stringify({
      overhead: { full: { cpuThroughputRatio: 0.96 } },
      goals: { overheadFull: { met: true } },
    }),
  );
  mergeResults(path, footprint({ growth: 1.03, totalRssMB: 560 }), 'long');
  appendTuning(path, { ...footprint(), label: 'a step' });
  mergeResults(path, footprint({ totalRssMB: 540 }), 'short');
  const written = JSON.parse(readFileSync(path, 'utf8')) as {
    overhead: unknown;
    footprint: Footprint;
    goals: Record<string, { met: boolean }>;
  };
  assert.deepEqual(written.overhead, { full: { cpuThroughputRatio: 0.96 } });
  assert.equal(written.footprint.totalRssMB, 540);
  assert.equal(written.footprint.long?.growth, 1.03);
  assert.deepEqual(
    (written.footprint.tuning as { label: string }[]).map((t) => t.label),
    ['a step'],
  );
  assert.equal(written.goals.overheadFull?.met, true);
  assert.equal(written.goals.footprintGrowth?.met, true);
  assert.equal(written.goals.footprintRss?.met, true);
});

function span(over: Partial<JaegerSpan>): JaegerSpan {
  return {
    traceId: '0'.repeat(32),
    spanId: '1'.repeat(16),
    parentSpanId: '0'.repeat(16),
    operationName: 'x',
    flags: 1,
    startTimeMicros: 0,
    durationMicros: 0,
    tags: {},
    references: [],
    logs: [],
    process: { serviceName: 'rideshare', tags: {} },
    ...over,
  };
}

function sample(stack: string[], cpuNs: number, labels: Record<string, string> = {}): DecodedSample {
  // frames as @pyroscope/nodejs names them (shortened path:function:line)
  return {
    stack: stack.map((name) => `./dist/src/x.js:${name}:1`),
    values: { 'samples/count': 1, 'wall/nanoseconds': cpuNs, 'cpu/nanoseconds': cpuNs },
    labels,
    numLabels: {},
  };
}

test('DemoSignals: order work, latency in slow periods, and what each span flame graph holds', () => {
  const signals = new DemoSignals();
  const period = signals.slowPeriodSeconds * 1e6;
  const slowAt = period * 101; // an odd period: slow
  const normalAt = period * 100;
  const region = (name: string) => ({ serviceName: 'rideshare', tags: { region: name } });
  const spans = [
    span({ operationName: 'OrderVehicle', spanId: 'a'.repeat(16), durationMicros: 350_000 }),
    span({ operationName: 'RequestVehicle', parentSpanId: 'a'.repeat(16), durationMicros: 40_000 }),
    span({
      operationName: 'CarHandler',
      spanId: 'c'.repeat(16),
      startTimeMicros: slowAt,
      durationMicros: 400_000,
      process: region('eu-north'),
    }),
    span({
      operationName: 'CarHandler',
      startTimeMicros: slowAt,
      durationMicros: 20_000,
      process: region('us-east'),
    }),
    span({
      operationName: 'CarHandler',
      spanId: 'd'.repeat(16),
      startTimeMicros: normalAt,
      durationMicros: 15_000,
      process: region('eu-north'),
    }),
  ];
  const car = { span_id: 'c'.repeat(16), span_name: 'CarHandler' };
  const normalCar = { span_id: 'd'.repeat(16), span_name: 'CarHandler' };
  const uploads = [
    {
      query: { appName: 'rideshare', tags: { region: 'eu-north' } },
      sampleTypes: ['samples/count', 'wall/nanoseconds', 'cpu/nanoseconds'],
      samples: [
        sample(['measureDistances', 'findNearestVehicles'], 30, car),
        sample(['scanShiftTableForDriver', 'rebuildDriverScheduleIndex', 'checkDriverAvailability'], 60, car),
        sample(['processTicksAndRejections'], 10, car),
        sample(['measureDistances', 'findNearestVehicles'], 10, normalCar),
        sample(['scoreDrivers', 'checkDriverAvailability'], 10, normalCar),
        sample(['(idle)'], 120),
      ],
    },
    {
      query: { appName: 'rideshare', tags: { region: 'eu-north' } },
      sampleTypes: ['objects/count', 'space/bytes'],
      samples: [],
    },
  ];
  let cleared = 0;
  const receivers = {
    jaeger: { spans },
    pyroscope: { uploads },
    clear: () => void cleared++,
  } as unknown as AllReceivers;
  signals.absorb(receivers);
  assert.equal(cleared, 1);

  assert.deepEqual(signals.orderWork(), {
    orders: 1,
    medianMs: 310,
    p5Ms: 310,
    p95Ms: 310,
    shareIn200To400Ms: 1,
  });
  const latency = signals.regionLatency();
  assert.equal(latency.slow['eu-north']?.p99Ms, 400);
  assert.equal(latency.slow['us-east']?.p99Ms, 20);
  assert.equal(latency.normal['eu-north']?.p99Ms, 15);
  assert.deepEqual(signals.spansByName(), { CarHandler: 3, OrderVehicle: 1, RequestVehicle: 1 });

  const graph = signals.flameGraphs()['eu-north']!;
  assert.equal(graph.uploads, 1); // the heap profile is not a CPU profile
  assert.equal(graph.labelledShare, 0.5);
  assert.deepEqual(graph.spans.CarHandler, {
    cpuSeconds: 0,
    fleetSearch: 0.3333, // 40 of 120
    driverCheck: 0.5833, // 70 of 120
    slowDriverCheck: 0.5,
  });
  // split by the period each eu-north span started in: the slow one is mostly the schedule rebuild
  assert.deepEqual(graph.byPeriod?.slow.CarHandler, {
    cpuSeconds: 0,
    fleetSearch: 0.3,
    driverCheck: 0.6,
    slowDriverCheck: 0.6,
  });
  assert.deepEqual(graph.byPeriod?.normal.CarHandler, { cpuSeconds: 0, fleetSearch: 0.5, driverCheck: 0.5 });
  assert.equal(signals.flameGraphs()['us-east'], undefined, 'no profile from us-east');
});

test('the memory probe writes for an app main.js only', () => {
  const probe = pathToFileURL(fileURLToPath(new URL('../src/memory-probe.js', import.meta.url))).href;
  const root = mkdtempSync(join(tmpdir(), 'footprint-probe-'));
  const out = join(root, 'out');
  mkdirSync(out);
  const app = join(root, 'apps', 'rideshare', 'dist', 'src');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'main.js'), 'setTimeout(() => {}, 50);\n');
  writeFileSync(join(root, 'other.js'), 'setTimeout(() => {}, 50);\n');
  const run = (script: string) =>
    spawnSync(process.execPath, [`--import=${probe}`, script], {
      env: { PATH: process.env.PATH ?? '', FOOTPRINT_PROBE_DIR: out, REGION: 'eu-north' },
      encoding: 'utf8',
    });
  assert.equal(run(join(root, 'other.js')).status, 0);
  assert.deepEqual(readdirSync(out), []);
  const result = run(join(app, 'main.js'));
  assert.equal(result.status, 0, result.stderr);
  const files = readdirSync(out);
  assert.equal(files.length, 1);
  const record = JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as Record<string, unknown>;
  assert.equal(record.app, 'rideshare');
  assert.equal(record.region, 'eu-north');
  assert.ok(typeof record.heapUsed === 'number' && record.heapUsed > 0);
  assert.ok(typeof record.rss === 'number' && record.rss > (record.heapUsed as number));
});

/** The span as the OTLP receiver decodes it: region in the resource, times in nanoseconds, no parent id. */
function asOtlp(j: JaegerSpan): OtlpSpan {
  const startNs = BigInt(j.startTimeMicros) * 1000n;
  return {
    traceId: j.traceId,
    spanId: j.spanId,
    parentSpanId: /^0+$/.test(j.parentSpanId) ? undefined : j.parentSpanId,
    parentIsRemote: undefined,
    name: j.operationName,
    kind: 2,
    startTimeUnixNano: startNs + 123n, // below a microsecond: dropped as Jaeger drops it
    endTimeUnixNano: startNs + BigInt(j.durationMicros) * 1000n + 123n,
    attributes: {},
    resource: { 'service.name': j.process.serviceName, ...j.process.tags },
    scope: { name: 'x', version: '' },
    status: { code: 0, message: '' },
    events: [],
  };
}

test('DemoSignals reads the spans the OTLP receiver decodes as it reads Jaeger ones, and empties it', () => {
  const period = new DemoSignals().slowPeriodSeconds * 1e6;
  const region = (name: string) => ({ serviceName: 'rideshare', tags: { region: name } });
  const spans = [
    span({ operationName: 'OrderVehicle', spanId: 'a'.repeat(16), durationMicros: 250_000 }),
    span({ operationName: 'RequestVehicle', parentSpanId: 'a'.repeat(16), durationMicros: 30_000 }),
    span({ operationName: 'OrderVehicle', spanId: 'b'.repeat(16), durationMicros: 330_000 }),
    span({
      operationName: 'RequestVehicle',
      spanId: 'e'.repeat(16),
      parentSpanId: 'b'.repeat(16),
      durationMicros: 45_000,
    }),
    ...[101, 103, 100].map((p, i) =>
      span({
        operationName: 'CarHandler',
        spanId: String(i).repeat(16),
        startTimeMicros: period * p,
        durationMicros: 10_000 * (i + 1),
        process: region(i === 1 ? 'us-east' : 'eu-north'),
      }),
    ),
  ];
  const noProfiles = { pyroscope: { uploads: [] }, clear: () => undefined };
  const fromJaeger = new DemoSignals();
  fromJaeger.absorb({ ...noProfiles, jaeger: { spans } } as unknown as AllReceivers);
  const fromOtlp = new DemoSignals();
  let otlpCleared = 0;
  const otlp = { spans: spans.map(asOtlp), clear: () => void otlpCleared++ };
  fromOtlp.absorb({ ...noProfiles, jaeger: { spans: [] } } as unknown as AllReceivers, otlp);
  assert.equal(otlpCleared, 1);
  assert.equal(fromOtlp.orderWork().orders, 2);
  assert.deepEqual(fromOtlp.orderWork(), fromJaeger.orderWork());
  assert.deepEqual(fromOtlp.spansByName(), fromJaeger.spansByName());
  assert.deepEqual(fromOtlp.regionLatency(), fromJaeger.regionLatency());
  assert.ok(Object.keys(fromOtlp.regionLatency().slow).length > 0, 'the latency split has regions');
});
