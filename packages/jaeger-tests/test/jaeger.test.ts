/**
 * The real apps against a real Jaeger v2.13.0 (built from the Go module proxy, cached), started with the
 * project's own jaeger/config.yaml on free loopback ports: once through exporter-jaeger (Thrift over HTTP),
 * once through OTLP/HTTP. Every assertion is on what Jaeger's own query API returns, compared with what the
 * apps sent (decoded on the way, recording-proxy.ts) and what they logged.
 *
 * Without `go` on PATH the whole suite is skipped with one line; with Go, a failed build fails it (the
 * first test shows that on a module that does not compile).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPyroscopeReceiver, type LogRecord, type PyroscopeReceiver } from '@rideshare/test-receivers';
import { parse } from 'yaml';
import {
  cachedBinaryPath,
  embeddedModules,
  ensureJaegerBinary,
  goVersion,
  JAEGER_MODULE,
  JAEGER_MODULE_VERSION,
  JAEGER_VERSION,
  type BuildSpec,
  type JaegerBinary,
} from '../src/jaeger-binary.js';
import { endedSpans } from '../src/ended-spans.js';
import { METRICS_PATH, PROJECT_CONFIG, repoRoot, testConfig } from '../src/jaeger-config.js';
import { startJaeger, type JaegerProcess } from '../src/jaeger-process.js';
import { JaegerQuery, spansOf, type QueriedSpan } from '../src/jaeger-query.js';
import {
  startRecordingProxy,
  type Protocol,
  type RecordingProxy,
  type SentSpan,
} from '../src/recording-proxy.js';
import { runApps, type RunResult } from '../src/ride-run.js';
import {
  isLocalRoot,
  joinProblems,
  profileIdProblems,
  subMillisecondStarts,
  timingProblems,
  type ShapeSpan,
} from '../src/trace-shape.js';

const GO = goVersion();
const SKIP =
  GO === undefined &&
  `needs Go 1.24.6 or later on PATH (go) to build Jaeger ${JAEGER_VERSION} (${JAEGER_MODULE} ${JAEGER_MODULE_VERSION}) from the Go module proxy`;

/** Bounded load (RUN_SECONDS=4, CONCURRENCY=2) gives 30–50 orders here; fewer than this is not a real run. */
const MIN_ORDERS = 5;

interface Pass {
  title: string;
  protocol: Protocol;
  /** The jaeger/config.yaml listener the apps' exporter talks to. */
  listener: string;
  /** The exporter under test, plus `console`: one stdout line per span as it ends (ended-spans.ts). */
  env: (proxyUrl: string) => Record<string, string>;
}

const PASSES: Pass[] = [
  {
    title: 'exporter-jaeger, Thrift over HTTP',
    protocol: 'thrift',
    listener: 'receivers.jaeger.protocols.thrift_http',
    env: (url) => ({
      OTEL_TRACES_EXPORTER: 'jaeger,console',
      OTEL_EXPORTER_JAEGER_ENDPOINT: `${url}/api/traces`,
    }),
  },
  {
    title: 'OTLP/HTTP (protobuf)',
    protocol: 'otlp',
    listener: 'receivers.otlp.protocols.http',
    env: (url) => ({ OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_OTLP_ENDPOINT: url }),
  },
];

describe(`a real Jaeger ${JAEGER_VERSION} with jaeger/config.yaml`, { skip: SKIP }, () => {
  let binary: JaegerBinary;
  let pyroscope: PyroscopeReceiver;

  before(async () => {
    binary = await ensureJaegerBinary();
    console.log(
      `${GO}; Jaeger ${binary.built ? 'built' : 'found in the cache'} in ${(binary.tookMs / 1000).toFixed(1)} s: ${binary.path}`,
    );
    pyroscope = await startPyroscopeReceiver();
  });
  after(async () => {
    await pyroscope?.close();
  });

  test('a Go build that fails rejects with Go’s message, and nothing is cached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broken-build-'));
    writeFileSync(join(dir, 'go.mod'), 'module example.com/broken\n\ngo 1.24\n');
    writeFileSync(join(dir, 'main.go'), 'package main\n\nfunc main() { undefinedFunction() }\n');
    const build: BuildSpec = { dir, pkg: 'example.com/broken', ldflags: '', name: 'broken' };
    const cache = join(dir, 'cache');
    let output = '';
    await assert.rejects(
      ensureJaegerBinary({ build, cacheRoot: cache, log: (text) => (output += text) }),
      /go build .* failed with exit code 1:[\s\S]*undefined: undefinedFunction/,
    );
    assert.match(output, /undefined: undefinedFunction/);
    assert.equal(existsSync(cachedBinaryPath(build, cache)), false);
    rmSync(dir, { recursive: true });
  });

  test(`the binary is ${JAEGER_MODULE}/cmd/jaeger at ${JAEGER_MODULE_VERSION} (= ${JAEGER_VERSION})`, () => {
    assert.equal(embeddedModules(binary.path).get(JAEGER_MODULE), JAEGER_MODULE_VERSION);
  });

  describe('jaeger/config.yaml boots', () => {
    let jaeger: JaegerProcess;
    before(async () => {
      const bootStarted = performance.now();
      jaeger = await startJaeger(binary.path, await testConfig());
      console.log(`Jaeger ready in ${((performance.now() - bootStarted) / 1000).toFixed(1)} s`);
    });
    after(async () => {
      await jaeger?.stop();
    });

    test('only the listeners and the UI config path differ from the project file', () => {
      const project = parse(readFileSync(PROJECT_CONFIG, 'utf8')) as Record<string, unknown>;
      const booted = parse(jaeger.config.yaml) as Record<string, unknown>;
      const moved = jaeger.config.listeners.filter((l) => l.path !== METRICS_PATH.join('.'));
      for (const config of [project, booted]) {
        for (const { path } of moved) setIn(config, [...path.split('.'), 'endpoint'], '<moved>');
        setIn(config, ['extensions', 'jaeger_query', 'ui', 'config_file'], '<ui-config.json>');
      }
      // the collector's metrics endpoint, left to its default (localhost:8888) by the file, declared on a free port
      setIn(booted, [...METRICS_PATH], undefined);
      setIn(project, [...METRICS_PATH], undefined);
      assert.deepEqual(booted, project);
      for (const { original, port } of moved) assert.notEqual(original, `127.0.0.1:${port}`);
      assert.ok(moved.length >= 9, moved.map((l) => l.path).join());
    });

    test('the health check (healthcheckv2) answers 200 and the collector logs that it is ready', async () => {
      const response = await fetch(`${jaeger.healthUrl}/status`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { status?: string };
      assert.equal(body.status, 'StatusOK', JSON.stringify(body));
      assert.match(jaeger.output(), /Everything is ready/);
      assert.doesNotMatch(jaeger.output(), /\terror\t/);
    });

    test('every listener of the file is open on its moved loopback port', async () => {
      for (const listener of jaeger.config.listeners) {
        const open =
          listener.protocol === 'tcp' ? await tcpOpen(listener.port) : await udpTaken(listener.port);
        assert.ok(open, `${listener.path} (${listener.protocol} 127.0.0.1:${listener.port}) is not open`);
      }
    });

    test('the UI config (jaeger/ui-config.json, linkPatterns) is served to the UI', async () => {
      const page = await (await fetch(`${jaeger.queryUrl}/`)).text();
      const injected = /JAEGER_CONFIG = (.*);\n/.exec(page)?.[1];
      assert.ok(injected !== undefined, page);
      const uiConfig = JSON.parse(readFileSync(`${repoRoot}/jaeger/ui-config.json`, 'utf8')) as unknown;
      assert.deepEqual(JSON.parse(injected), uiConfig);
      assert.match(page, new RegExp(`JAEGER_VERSION = .*"gitVersion":"${JAEGER_VERSION}"`));
    });

    test('SIGTERM stops it with exit code 0', async () => {
      assert.deepEqual(await jaeger.stop(), { code: 0, signal: null });
    });
  });

  for (const pass of PASSES) {
    describe(`the apps through ${pass.title}`, () => {
      let jaeger: JaegerProcess;
      let proxy: RecordingProxy;
      let run: RunResult;
      /** Jaeger's traces, by trace id: each fetched by id, and the ids found by service. */
      const stored = new Map<string, QueriedSpan[]>();
      const foundByService = new Map<string, Set<string>>();
      /** What the apps sent, by trace id. */
      const sent = new Map<string, SentSpan[]>();
      /** The span ids the apps ended (printed on their stdout), by trace id. */
      const ended = new Map<string, string[]>();

      before(async () => {
        jaeger = await startJaeger(binary.path, await testConfig());
        proxy = await startRecordingProxy(
          pass.protocol,
          `http://127.0.0.1:${jaeger.config.port(pass.listener)}`,
        );
        run = await runApps({ exporterEnv: pass.env(proxy.url), pyroscopeUrl: pyroscope.url });
        for (const span of proxy.spans) sent.set(span.traceId, [...(sent.get(span.traceId) ?? []), span]);
        for (const span of run.apps.flatMap((app) => endedSpans(app.lines)))
          ended.set(span.traceId, [...(ended.get(span.traceId) ?? []), span.spanId]);
        const endedCount = [...ended.values()].reduce((n, ids) => n + ids.length, 0);
        const query = new JaegerQuery(jaeger.queryUrl);
        await waitForSpans(query, endedCount);
        for (const traceId of sent.keys()) if (!ended.has(traceId)) ended.set(traceId, []);
        for (const service of ['load-generator', 'rideshare']) {
          const traces = await query.tracesOf(service, 10_000);
          foundByService.set(service, new Set(traces.map((t) => t.traceID)));
        }
        for (const traceId of ended.keys()) {
          const trace = await query.trace(traceId);
          stored.set(traceId, trace === undefined ? [] : spansOf(trace));
        }
        const spans = [...stored.values()].flat();
        console.log(
          `${pass.protocol}: ${run.orders.orders} orders, ${endedCount} spans ended, ${proxy.spans.length} sent in ` +
            `${proxy.exports.length} exports, ${spans.length} in Jaeger; by name: ${JSON.stringify(countBy(spans, (s) => `${s.service}/${s.name}`))}`,
        );
      });
      after(async () => {
        await proxy?.close();
        await jaeger?.stop();
      });

      test('the apps exit 0 and report no span dropped, no export failed', () => {
        for (const app of run.apps) {
          assert.equal(run.exitCodes.get(app.name), 0, `${app.name}:\n${app.output()}`);
          const spanTrouble = app.records.filter(
            (r) =>
              level(r.level) >= 40 &&
              (['jaeger', 'otlp'].includes(String(r['backend'])) ||
                /\bspans?\b|not fully flushed|shutdown step failed/.test(String(r.msg))),
          );
          assert.deepEqual(spanTrouble, [], `${app.name} reported trouble with spans`);
        }
      });

      test('Jaeger accepted every export with 2xx and logged no error', () => {
        assert.ok(proxy.exports.length >= 2, `exports: ${proxy.exports.length}`);
        for (const e of proxy.exports)
          assert.ok(e.status >= 200 && e.status < 300 && !e.problem, JSON.stringify(e));
        assert.doesNotMatch(jaeger.output(), /\terror\t/);
      });

      test('each order the apps logged is a trace in Jaeger, with the local roots the log lines name', () => {
        assert.ok(run.orders.ok >= MIN_ORDERS, JSON.stringify(run.orders));
        assert.equal(run.orders.failed, 0, JSON.stringify(run.orders));
        const loadGenerator = run.apps.find((a) => a.name === 'load-generator')!;
        const orders = loadGenerator.records.filter(
          (r) => r.msg === 'order completed' || r.msg === 'order failed',
        );
        assert.equal(orders.length, run.orders.orders);
        assert.deepEqual(new Set(orders.map((r) => String(r['trace_id']))), new Set(stored.keys()));
        const placed = run.apps
          .filter((a) => a.name !== 'load-generator')
          .flatMap((a) => a.records.filter((r) => r.msg === 'order placed'));
        assert.equal(placed.length, run.orders.ok, 'one "order placed" line per answered order');
        // pino's OpenTelemetry instrumentation gives each line the active span: the order's local root
        const named = (record: LogRecord): string | undefined =>
          stored.get(String(record['trace_id']))?.find((s) => s.spanId === record['span_id'])?.name;
        for (const order of orders)
          assert.equal(named(order), 'OrderVehicle', `${order.msg} ${order['trace_id']}`);
        for (const order of placed)
          assert.match(named(order) ?? '', /Handler$/, `order placed ${order['trace_id']}`);
      });

      test('as many spans arrive in Jaeger as the apps ended: per trace and in total', () => {
        const endedIds = [...ended.values()].flat();
        assert.ok(
          endedIds.length >= 5 * MIN_ORDERS,
          `the apps printed ${endedIds.length} span lines (OTEL_TRACES_EXPORTER=…,console)`,
        );
        assert.equal(new Set(endedIds).size, endedIds.length, 'no span ended twice');
        for (const [traceId, ids] of ended) {
          const arrived = (stored.get(traceId) ?? []).map((s) => s.spanId).sort();
          const sentIds = (sent.get(traceId) ?? []).map((s) => s.spanId).sort();
          assert.deepEqual(sentIds, [...ids].sort(), `trace ${traceId}: sent / ended`);
          assert.deepEqual(arrived, [...ids].sort(), `trace ${traceId}: in Jaeger / ended`);
        }
        const total = [...stored.values()].reduce((n, spans) => n + spans.length, 0);
        assert.equal(total, endedIds.length);
        assert.equal(proxy.spans.length, endedIds.length, 'sent in total');
        assert.deepEqual(
          foundByService.get('load-generator'),
          new Set(ended.keys()),
          'found by service load-generator',
        );
        assert.deepEqual(
          foundByService.get('rideshare'),
          new Set(ended.keys()),
          'found by service rideshare',
        );
      });

      test('each trace joins OrderVehicle → RequestVehicle → *Handler → children across the two services', () => {
        assert.ok(stored.size >= MIN_ORDERS, `traces: ${stored.size}`);
        for (const [traceId, spans] of stored)
          assert.deepEqual(joinProblems(shape(spans)), [], `trace ${traceId}`);
      });

      test('every local root has pyroscope.profile.id equal to its span id; no other span has it', () => {
        let roots = 0;
        for (const [traceId, spans] of stored) {
          const shaped = shape(spans);
          assert.deepEqual(profileIdProblems(shaped), [], `trace ${traceId}`);
          const byId = new Map(shaped.map((s) => [s.spanId, s]));
          roots += shaped.filter((s) => isLocalRoot(s, byId)).length;
        }
        assert.equal(roots, 2 * stored.size, 'two local roots a trace: OrderVehicle and the handler');
      });

      test('span starts have sub-millisecond precision, and no child starts before its parent', (t) => {
        const spans = [...stored.values()].flatMap((trace) => shape(trace));
        // the SDK alone starts every span on a whole millisecond: the share would be about 0
        const precise = subMillisecondStarts(spans);
        assert.ok(precise >= 0.95, `${(precise * 100).toFixed(1)}% of ${spans.length} starts are sub-ms`);
        const problems = [...stored.values()].map((trace) => timingProblems(shape(trace)));
        assert.deepEqual(
          problems.flatMap((p) => p.startsEarly),
          [],
        );
        // a handler span can end after its client parent for real on a busy machine (see timingProblems)
        const late = problems.flatMap((p) => p.endsLate);
        t.diagnostic(`children ending after their parent: ${late.length} of ${spans.length} spans`);
      });

      test('host, process and runtime are in the Process; a span keeps its own tags, local roots service.name', () => {
        for (const spans of stored.values()) {
          const byId = new Map(shape(spans).map((s) => [s.spanId, s]));
          for (const span of spans) {
            for (const key of ['host.name', 'process.pid', 'process.runtime.name']) {
              assert.ok(span.processTags.has(key), `${span.service}/${span.name}: process has ${key}`);
            }
            const copied = [...span.tags.keys()].filter((k) => /^(host|process|os)\./.test(k));
            assert.deepEqual(
              copied,
              [],
              `${span.service}/${span.name}: no resource attribute among its tags`,
            );
            if (isLocalRoot(byId.get(span.spanId)!, byId)) {
              assert.equal(
                span.tags.get('service.name'),
                span.service,
                `${span.name}: service.name for Grafana`,
              );
            }
            if (span.name.endsWith('Handler')) {
              assert.ok(span.tags.size <= 11, `${span.name}: ${[...span.tags.keys()].join(', ')}`);
            }
          }
        }
      });
    });
  }
});

/** Polls Jaeger until it holds `expected` spans (it stores what it acknowledged a moment later). */
async function waitForSpans(query: JaegerQuery, expected: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const traces = await query.tracesOf('load-generator', 10_000);
    const count = traces.reduce((n, t) => n + t.spans.length, 0);
    if (count >= expected || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function shape(spans: QueriedSpan[]): ShapeSpan[] {
  return spans.map(({ traceId, spanId, parentId, name, service, tags, startMicros, durationMicros }) => ({
    traceId,
    spanId,
    parentId,
    name,
    service,
    tags,
    startMicros,
    durationMicros,
  }));
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function level(value: unknown): number {
  const names: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
  return typeof value === 'number' ? value : (names[String(value)] ?? 0);
}

function setIn(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = value;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A UDP port is Jaeger's when we cannot bind it ourselves. */
function udpTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(true));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)));
  });
}
