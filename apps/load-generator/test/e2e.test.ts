/**
 * End to end: two rideshare regions and the load generator as real processes, sending to local receivers
 * that decode the real wire formats (spans by OTLP/HTTP protobuf, the default exporter; pprof on /ingest;
 * Loki push JSON). A few seconds of bounded load on loopback, SIGTERM, then every assertion is made on the
 * decoded data. Jaeger Thrift, the other exporter, goes through the real Jaeger in packages/jaeger-tests.
 *
 * eu-north runs with SLOW_MODE=always (the schedule cache bypassed on every car order), us-east with never.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  getFreePort,
  startAllReceivers,
  startAppProcess,
  startOtlpTraceReceiver,
  waitUntil,
  type AllReceivers,
  type AppProcess,
  type DecodedSample,
  type OtlpSpan,
  type OtlpTraceReceiver,
} from '@rideshare/test-receivers';

const RIDESHARE_MAIN = fileURLToPath(import.meta.resolve('@rideshare/rideshare'));
const LOAD_GENERATOR_MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
const PROFILE_ID = 'pyroscope.profile.id';
/**
 * The load runs at least MIN_LOAD_SECONDS and until each region has answered MIN_CAR_ORDERS car orders (the
 * load generator picks region and vehicle at random, so a fixed few seconds can miss a pair: 30 orders
 * leave eu-north without a car order 0.4% of the time), for at most MAX_LOAD_SECONDS.
 */
const MIN_LOAD_SECONDS = 5;
const MAX_LOAD_SECONDS = 40;
const MIN_CAR_ORDERS = 3;
/**
 * Frames as @pyroscope/nodejs names them: `<file>:<function>:<line>`. The car availability check lives in
 * rideshare's driver-availability.js, the load generator's own work in route-planning.js.
 */
const DRIVER_AVAILABILITY_FRAMES = frames('driver-availability.js', [
  'checkDriverAvailability',
  'scoreDrivers',
  'rebuildDriverScheduleIndex',
  'scanShiftTableForDriver',
]);
const SLOW_PATH_FRAMES = frames('driver-availability.js', [
  'rebuildDriverScheduleIndex',
  'scanShiftTableForDriver',
]);
const ROUTE_PLANNING_FRAMES = frames('route-planning.js', [
  'planRoute',
  'evaluateRouteAlternatives',
  'shortestPath',
  'trafficScenario',
]);
const FARE_ESTIMATE_FRAMES = frames('fare-estimate.js', ['estimateFare', 'sampleTripMinutes']);
/** The load generator's own work: planning, and the fare quote (which times trips with shortestPath). */
const OWN_WORK_FRAMES = (frame: string): boolean =>
  ROUTE_PLANNING_FRAMES(frame) || FARE_ESTIMATE_FRAMES(frame);

function frames(file: string, functions: string[]): (frame: string) => boolean {
  return (frame) => functions.some((fn) => frame.includes(`/${file}:${fn}:`));
}

let receivers: AllReceivers;
let otlp: OtlpTraceReceiver;
const apps: AppProcess[] = [];
const exitCodes = new Map<string, number | null>();
const badInput: { path: string; status: number; body: unknown }[] = [];
let freshTraceStatus = 0;
const fuzzStatuses = new Map<number, number>();
/** Trace ids of well-formed random `traceparent` headers the fuzz run sent. */
const fuzzTraceIds = new Set<string>();
let healthyAfterFuzz = false;
const MALFORMED_TRACEPARENT = '00-zzzzzzzz-0000000000000000-01';
const runStarted = performance.now();

function telemetryEnv(): Record<string, string> {
  const { PYROSCOPE_SERVER_ADDRESS, LOKI_URL } = receivers.env;
  return {
    PYROSCOPE_SERVER_ADDRESS: PYROSCOPE_SERVER_ADDRESS!,
    LOKI_URL: LOKI_URL!,
    // the default exporter (OTEL_TRACES_EXPORTER unset), to the OTLP receiver
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    PYROSCOPE_FLUSH_INTERVAL_MS: '1000',
    PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LOKI_BATCH_INTERVAL_MS: '200',
  };
}

before(async () => {
  [receivers, otlp] = await Promise.all([startAllReceivers(), startOtlpTraceReceiver()]);
  const [usEastPort, euNorthPort] = [await getFreePort(), await getFreePort()];
  const usEast = startAppProcess('us-east', RIDESHARE_MAIN, {
    ...telemetryEnv(),
    PORT: String(usEastPort),
    REGION: 'us-east',
    SLOW_MODE: 'never',
  });
  const euNorth = startAppProcess('eu-north', RIDESHARE_MAIN, {
    ...telemetryEnv(),
    PORT: String(euNorthPort),
    REGION: 'eu-north',
    SLOW_MODE: 'always',
  });
  apps.push(usEast, euNorth);
  await Promise.all(
    [usEast, euNorth].map((app) => app.waitForRecord((r) => r.msg === 'rideshare listening', 15_000)),
  );

  // bad input, straight at a region: 400 with the parameter named; a broken traceparent starts a new trace
  const usEastUrl = `http://127.0.0.1:${usEastPort}`;
  for (const path of [
    '/car?passengers=12',
    '/bike?pickup=north',
    '/scooter?speed=fast',
    `/car?pickup=${'1'.repeat(400)}`,
  ]) {
    const response = await fetch(`${usEastUrl}${path}`);
    badInput.push({ path, status: response.status, body: await response.json() });
  }
  freshTraceStatus = (await fetch(`${usEastUrl}/car`, { headers: { traceparent: MALFORMED_TRACEPARENT } }))
    .status;
  await fuzz(usEastUrl, 150);
  healthyAfterFuzz = (await fetch(`${usEastUrl}/health`)).ok;

  const loadGenerator = startAppProcess('load-generator', LOAD_GENERATOR_MAIN, {
    ...telemetryEnv(),
    RIDESHARE_URLS: `${usEastUrl},http://127.0.0.1:${euNorthPort}`,
    CONCURRENCY: '2',
    ORDER_CPU_MS: '100',
    ORDER_PAUSE_MS: '50',
  });
  apps.push(loadGenerator);
  await loadGenerator.waitForRecord((r) => r.msg === 'load generator started', 15_000);
  await new Promise((resolve) => setTimeout(resolve, MIN_LOAD_SECONDS * 1000));
  await waitForCarOrders(loadGenerator, ['us-east', 'eu-north']);

  // the load generator first (its in-flight orders still reach the regions), then the regions
  exitCodes.set('load-generator', await loadGenerator.stop());
  for (const app of [usEast, euNorth]) exitCodes.set(app.name, await app.stop());
});

/** Waits until the load generator's `order completed` records hold MIN_CAR_ORDERS car orders per region. */
async function waitForCarOrders(loadGenerator: AppProcess, regions: string[]): Promise<void> {
  const carOrders = (region: string): number =>
    loadGenerator.records.filter(
      (r) => r.msg === 'order completed' && r.vehicle === 'car' && r.region === region,
    ).length;
  await waitUntil(
    () => regions.every((region) => carOrders(region) >= MIN_CAR_ORDERS),
    (MAX_LOAD_SECONDS - MIN_LOAD_SECONDS) * 1000,
    () =>
      `car orders after ${MAX_LOAD_SECONDS} s of load: ` +
      `${regions.map((region) => `${region} ${carOrders(region)}`).join(', ')}; need ${MIN_CAR_ORDERS} each`,
  );
}

/** Random query strings and trace headers against the real process (with OpenTelemetry's propagators). */
async function fuzz(baseUrl: string, requests: number): Promise<void> {
  let seed = 7;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const text = (max: number, alphabet: string): string =>
    Array.from(
      { length: Math.floor(random() * max) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join('');
  const hex = (n: number): string =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
  const junk = 'abcpassengerspickup0123456789,.-=&%+;[]{}"<>/~!@#$^*()_|';
  for (let i = 0; i < requests; i++) {
    const route = ['/car', '/bike', '/scooter', '/', `/${text(6, 'abcxyz%')}`][Math.floor(random() * 5)]!;
    const headers: Record<string, string> = { tracestate: text(40, junk), baggage: text(40, junk) };
    if (random() < 0.4) {
      const traceId = hex(32);
      headers.traceparent = `00-${traceId}-${hex(16)}-01`;
      fuzzTraceIds.add(traceId);
    } else {
      headers.traceparent = text(60, '0123456789abcdef-xyz ');
    }
    const query = encodeURI(text(random() < 0.05 ? 300 : 30, junk)).replace(/%25/g, '%');
    let status: number;
    try {
      status = (await fetch(`${baseUrl}${encodeURI(route)}?${query}`, { headers })).status;
    } catch {
      continue; // a request the client refused to send (e.g. a malformed URL): not the server's doing
    }
    fuzzStatuses.set(status, (fuzzStatuses.get(status) ?? 0) + 1);
  }
}

after(async () => {
  await Promise.all(apps.map((app) => app.stop(5_000).catch(() => undefined)));
  await Promise.all([receivers?.close(), otlp?.close()]);
  console.log(`e2e run took ${((performance.now() - runStarted) / 1000).toFixed(1)} s`);
});

function spansOf(service: string): OtlpSpan[] {
  return otlp.spans.filter((s) => serviceOf(s) === service);
}

const serviceOf = (span: OtlpSpan): unknown => span.resource['service.name'];
const micros = (nanos: bigint): number => Number(nanos / 1000n);
const durationMicros = (span: OtlpSpan): number => micros(span.endTimeUnixNano - span.startTimeUnixNano);

const isRootName = (name: string): boolean => name === 'OrderVehicle' || name.endsWith('Handler');

function weight(sample: DecodedSample): number {
  return sample.values['samples/count'] ?? sample.values['sample/count'] ?? 1;
}

function share(samples: DecodedSample[], isFrame: (frame: string) => boolean): number {
  const total = samples.reduce((sum, s) => sum + weight(s), 0);
  const matching = samples.filter((s) => s.stack.some(isFrame)).reduce((sum, s) => sum + weight(s), 0);
  return total === 0 ? 0 : matching / total;
}

test('both apps exit 0 after SIGTERM', () => {
  for (const app of apps) assert.equal(exitCodes.get(app.name), 0, `${app.name}:\n${app.output()}`);
});

test('bad input gets 400 naming the parameter; a malformed traceparent is served in a fresh trace', () => {
  assert.deepEqual(
    badInput.map((b) => [b.path.slice(0, 30), b.status, (b.body as { parameter?: unknown }).parameter]),
    [
      ['/car?passengers=12', 400, 'passengers'],
      ['/bike?pickup=north', 400, 'pickup'],
      ['/scooter?speed=fast', 400, 'speed'],
      [`/car?pickup=${'1'.repeat(18)}`, 400, null],
    ],
  );
  assert.equal(freshTraceStatus, 200);
  const fresh = spansOf('rideshare').filter((s) => s.name === 'CarHandler' && s.parentSpanId === undefined);
  assert.ok(fresh.length >= 1, 'the request without a usable traceparent is a root of its own trace');
});

test('fuzz: random query strings and trace headers against the real process: every answer 2xx/4xx, still healthy', () => {
  const statuses = [...fuzzStatuses.entries()];
  assert.ok(statuses.reduce((sum, [, n]) => sum + n, 0) >= 140, JSON.stringify(statuses));
  for (const [status] of statuses) assert.ok(status >= 200 && status < 500, JSON.stringify(statuses));
  assert.ok(healthyAfterFuzz);
  // a well-formed traceparent is continued, a malformed one starts a fresh trace: either way a local root
  const joined = spansOf('rideshare').filter(
    (s) => fuzzTraceIds.has(s.traceId) && s.attributes[PROFILE_ID] !== undefined,
  );
  assert.ok(joined.length >= 1, 'handlers joined the traces of well-formed traceparent headers');
  console.log(`fuzz: ${JSON.stringify(Object.fromEntries(statuses))}, ${joined.length} joined a given trace`);
});

test('every OrderVehicle and *Handler span carries pyroscope.profile.id = its own span id; no other span does', () => {
  const spans = otlp.spans;
  const roots = spans.filter((s) => isRootName(s.name));
  const others = spans.filter((s) => !isRootName(s.name));
  assert.ok(spansOf('load-generator').filter((s) => s.name === 'OrderVehicle').length >= 10);
  for (const span of roots)
    assert.equal(span.attributes[PROFILE_ID], span.spanId, `${span.name} ${span.spanId}`);
  for (const span of others)
    assert.equal(span.attributes[PROFILE_ID], undefined, `${span.name} has a profile id`);
  const names = new Set(others.map((s) => s.name));
  for (const name of ['RequestVehicle', 'FindNearestVehicle', 'CheckDriverAvailability'])
    assert.ok(names.has(name), name);
  console.log(
    `spans: ${spans.length} (${roots.length} roots); by name: ${JSON.stringify(
      Object.fromEntries(
        [...new Set(spans.map((s) => s.name))].map((n) => [n, spans.filter((s) => s.name === n).length]),
      ),
    )}`,
  );
});

test('each handler span is in its OrderVehicle trace: OrderVehicle → RequestVehicle → *Handler → steps', () => {
  const generator = spansOf('load-generator');
  const byId = new Map(otlp.spans.map((s) => [s.spanId, s]));
  const orders = generator.filter((s) => s.name === 'OrderVehicle');
  const handlers = spansOf('rideshare').filter(
    (s) => s.name.endsWith('Handler') && s.parentSpanId !== undefined && !fuzzTraceIds.has(s.traceId),
  );
  assert.ok(handlers.length >= 10, `handlers called by the load generator: ${handlers.length}`);
  for (const handler of handlers) {
    const request = byId.get(handler.parentSpanId!);
    assert.equal(request?.name, 'RequestVehicle', `parent of ${handler.name}`);
    const order = byId.get(request.parentSpanId!);
    assert.equal(order?.name, 'OrderVehicle');
    assert.equal(handler.traceId, order.traceId);
    assert.equal(order.parentSpanId, undefined, 'OrderVehicle is a root span');
  }
  const answered = orders.filter((o) => o.attributes['http.response.status_code'] === 200);
  assert.ok(answered.length >= 10);
  for (const order of answered) {
    assert.equal(
      handlers.filter((h) => h.traceId === order.traceId).length,
      1,
      `handler of order ${order.traceId}`,
    );
  }
  for (const handler of handlers.filter((h) => h.name === 'CarHandler')) {
    const steps = spansOf('rideshare').filter((s) => s.traceId === handler.traceId);
    const names = steps.map((s) => s.name);
    assert.ok(
      names.includes('FindNearestVehicle') && names.includes('CheckDriverAvailability'),
      names.join(),
    );
  }
});

test('profiles: every labelled sample points at a root span of the same service, with its name', () => {
  const rootsByService = new Map<string, Map<string, string>>();
  for (const span of otlp.spans) {
    if (span.attributes[PROFILE_ID] === undefined) continue;
    const service = String(serviceOf(span));
    const roots = rootsByService.get(service) ?? new Map<string, string>();
    roots.set(span.spanId, span.name);
    rootsByService.set(service, roots);
  }
  const uploads = receivers.pyroscope.uploads;
  assert.deepEqual([...new Set(uploads.map((u) => u.query.appName))].sort(), ['load-generator', 'rideshare']);
  let labelled = 0;
  let unlabelled = 0;
  for (const upload of uploads) {
    if (upload.sampleTypes.includes('wall/nanoseconds')) {
      assert.deepEqual(upload.problems, [], `wall profile upload of ${upload.query.appName}`);
      assert.equal(upload.query.sampleRate, 1000, 'PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS=1000 is 1000 Hz');
    }
    const roots = rootsByService.get(upload.query.appName) ?? new Map<string, string>();
    for (const sample of upload.samples) {
      const spanId = sample.labels.span_id;
      if (spanId === undefined) {
        unlabelled++;
        continue;
      }
      labelled++;
      assert.ok(
        roots.has(spanId),
        `${upload.query.appName} sample labelled ${spanId} (${sample.labels.span_name})`,
      );
      assert.equal(sample.labels.span_name, roots.get(spanId));
    }
  }
  const regions = new Set(
    uploads.filter((u) => u.query.appName === 'rideshare').map((u) => u.query.tags.region),
  );
  assert.deepEqual([...regions].sort(), ['eu-north', 'us-east']);
  console.log(`profiles: ${uploads.length} uploads, ${labelled} labelled samples, ${unlabelled} unlabelled`);
});

test('CarHandler samples show the driver availability check; eu-north’s show the schedule rebuild', () => {
  const carHandlers = new Set(
    spansOf('rideshare')
      .filter((s) => s.name === 'CarHandler')
      .map((s) => s.spanId),
  );
  const carSamples = (region: string): DecodedSample[] =>
    receivers.pyroscope.uploads
      .filter((u) => u.query.appName === 'rideshare' && u.query.tags.region === region)
      .flatMap((u) => u.samples)
      .filter((s) => carHandlers.has(s.labels.span_id ?? ''));
  const euNorth = carSamples('eu-north');
  const usEast = carSamples('us-east');
  assert.ok(euNorth.length >= 20, `eu-north CarHandler samples: ${euNorth.length}`);
  const euNorthShare = share(euNorth, DRIVER_AVAILABILITY_FRAMES);
  const euNorthRebuild = share(euNorth, SLOW_PATH_FRAMES);
  assert.ok(euNorthShare >= 0.5, `eu-north CarHandler samples in the availability check: ${euNorthShare}`);
  assert.ok(euNorthRebuild >= 0.4, `eu-north CarHandler samples in the schedule rebuild: ${euNorthRebuild}`);
  assert.equal(share(usEast, SLOW_PATH_FRAMES), 0, 'us-east never rebuilds the schedule');
  if (usEast.length >= 20) assert.ok(share(usEast, DRIVER_AVAILABILITY_FRAMES) > 0);
  console.log(
    `CarHandler samples: eu-north ${euNorth.length} (${pct(euNorthShare)} availability check, ${pct(euNorthRebuild)} rebuild), ` +
      `us-east ${usEast.length} (${pct(share(usEast, DRIVER_AVAILABILITY_FRAMES))} availability check)`,
  );
});

test('OrderVehicle samples come from the load generator’s own work: route planning and the fare quote', () => {
  const orders = new Set(
    spansOf('load-generator')
      .filter((s) => s.name === 'OrderVehicle')
      .map((s) => s.spanId),
  );
  const samples = receivers.pyroscope
    .allSamples('load-generator')
    .filter((s) => orders.has(s.labels.span_id ?? ''));
  assert.ok(samples.length >= 100, `OrderVehicle samples: ${samples.length}`);
  const own = share(samples, OWN_WORK_FRAMES);
  const fare = share(samples, FARE_ESTIMATE_FRAMES);
  assert.ok(own >= 0.5, `OrderVehicle samples in planning and fare estimate: ${own}`);
  assert.ok(fare > 0, 'the fare quote shows in the flame graph');
  console.log(`OrderVehicle samples: ${samples.length} (${pct(own)} own work, ${pct(fare)} fare estimate)`);
});

test('OrderVehicle tells its story: PlanRoute, EstimateFare, RequestVehicle, one after the other, filling the bar', () => {
  const generator = spansOf('load-generator');
  const orders = generator.filter(
    (s) => s.name === 'OrderVehicle' && s.attributes['http.response.status_code'] === 200,
  );
  assert.ok(orders.length >= 10, `answered orders: ${orders.length}`);
  const covered: number[] = [];
  for (const order of orders) {
    const children = generator
      .filter((s) => s.parentSpanId === order.spanId)
      .sort((a, b) => micros(a.startTimeUnixNano) - micros(b.startTimeUnixNano));
    assert.deepEqual(
      children.map((c) => c.name),
      ['PlanRoute', 'EstimateFare', 'RequestVehicle'],
      `children of OrderVehicle ${order.spanId}`,
    );
    for (const child of children) {
      assert.equal(child.attributes[PROFILE_ID], undefined, 'children share the root’s profile');
      assert.ok(
        micros(child.startTimeUnixNano) >= micros(order.startTimeUnixNano) - 1000,
        `${child.name} starts in the order`,
      );
    }
    for (let i = 1; i < children.length; i++) {
      const previous = children[i - 1]!;
      // start times are whole milliseconds (Date.now()): allow 1 ms of rounding
      assert.ok(
        micros(children[i]!.startTimeUnixNano) >=
          micros(previous.startTimeUnixNano) + durationMicros(previous) - 1000,
        `${children[i]!.name} starts after ${previous.name} ended`,
      );
    }
    const busy = children.reduce((sum, c) => sum + durationMicros(c), 0);
    covered.push(busy / durationMicros(order));
  }
  covered.sort((a, b) => a - b);
  const median = covered[Math.floor(covered.length / 2)] ?? 0;
  // the steps run back to back: the only gaps are the synchronous code between them
  assert.ok(median >= 0.9, `median share of OrderVehicle covered by its children: ${median}`);
  console.log(`OrderVehicle covered by its children: median ${pct(median)}, min ${pct(covered[0] ?? 0)}`);
});

test('the load generator’s spans name their tracer and its version', () => {
  const { version } = JSON.parse(
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8'),
  ) as { version: string };
  for (const name of ['OrderVehicle', 'PlanRoute', 'EstimateFare']) {
    const span = spansOf('load-generator').find((s) => s.name === name);
    assert.ok(span, name);
    assert.equal(span.scope.name, 'load-generator', `${name}: tracer name`);
    assert.equal(span.scope.version, version, `${name}: tracer version`);
  }
});

test('log lines carry trace ids of decoded spans', () => {
  const traceIds = new Set(otlp.spans.map((s) => s.traceId));
  const lines = receivers.loki.entries.map((e) => ({
    labels: e.labels,
    json: e.json as Record<string, unknown>,
  }));
  const placed = lines.filter((l) => l.json?.msg === 'order placed');
  const completed = lines.filter((l) => l.json?.msg === 'order completed');
  assert.ok(
    placed.length >= 10 && completed.length >= 10,
    `placed ${placed.length}, completed ${completed.length}`,
  );
  for (const line of [...placed, ...completed]) {
    assert.ok(
      traceIds.has(String(line.json.trace_id)),
      `${line.json.msg} with trace_id ${line.json.trace_id}`,
    );
  }
  for (const line of placed) {
    assert.equal(line.labels.service_name, 'rideshare');
    assert.equal(typeof line.json.duration_ms, 'number');
    assert.ok(['us-east', 'eu-north'].includes(String(line.json.region)));
  }
  const slow = placed
    .filter((l) => l.json.region === 'eu-north' && l.json.vehicle === 'car')
    .map((l) => Number(l.json.duration_ms));
  const normal = placed
    .filter((l) => l.json.region === 'us-east' && l.json.vehicle === 'car')
    .map((l) => Number(l.json.duration_ms));
  console.log(
    `logs: ${lines.length} lines; car order duration_ms median eu-north (slow) ${median(slow)}, us-east ${median(normal)}`,
  );
  if (slow.length >= 3 && normal.length >= 3) assert.ok(median(slow) > median(normal));
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}
