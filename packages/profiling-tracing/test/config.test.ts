import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTelemetry } from '../src/start-telemetry.js';

const defaults = { serviceName: 'rideshare' };
const SECRET = randomUUID(); // made at run time: no credential-looking literal in the repository

test('defaults: OTLP exporter, CPU time on, 100 Hz, span labels in async context', () => {
  const config = loadConfig(defaults, {});
  assert.equal(config.serviceName, 'rideshare');
  assert.deepEqual(config.tracesExporters, ['otlp']);
  assert.equal(config.debugTracer, false);
  assert.equal(config.pyroscope.collectCpuTime, true);
  assert.equal(config.pyroscope.samplingIntervalMicros, 10_000);
  assert.equal(config.pyroscope.flushIntervalMs, 60_000);
  assert.equal(config.pyroscope.serverAddress, 'http://localhost:4040');
  assert.equal(config.pyroscope.applicationName, 'rideshare');
  assert.equal(config.pyroscope.spanLabels, 'async-context');
  assert.equal(config.logs.lokiUrl, undefined);
  assert.equal(config.shutdownTimeoutMs, 10_000);
  // the SDK's defaults, but batches of 100 spans instead of 512 (config.ts: an export holds the event loop)
  assert.equal(config.spans.maxExportBatchSize, 100);
  assert.equal(config.spans.maxQueueSize, 2048);
  assert.equal(config.spans.scheduledDelayMs, 5000);
});

test('OTEL_BSP_MAX_EXPORT_BATCH_SIZE still sets the batch size', () => {
  assert.equal(loadConfig(defaults, { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' }).spans.maxExportBatchSize, 512);
  assert.throws(() => loadConfig(defaults, { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' }), ConfigError);
});

test('standard and PYROSCOPE_* variables are honoured', () => {
  const config = loadConfig(defaults, {
    OTEL_SERVICE_NAME: 'custom',
    OTEL_TRACES_EXPORTER: 'otlp, console',
    PYROSCOPE_SERVER_ADDRESS: 'http://pyroscope:4040/',
    PYROSCOPE_FLUSH_INTERVAL_MS: '10000',
    PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: '1000',
    PYROSCOPE_WALL_COLLECT_CPU_TIME: 'false',
    PYROSCOPE_APPLICATION_NAME: 'app',
    LOKI_URL: 'http://loki:3100',
  });
  assert.equal(config.serviceName, 'custom');
  assert.deepEqual(config.tracesExporters, ['otlp', 'console']);
  assert.equal(config.pyroscope.serverAddress, 'http://pyroscope:4040');
  assert.equal(config.pyroscope.flushIntervalMs, 10_000);
  assert.equal(config.pyroscope.samplingIntervalMicros, 1000);
  assert.equal(config.pyroscope.collectCpuTime, false);
  assert.equal(config.pyroscope.applicationName, 'app');
  assert.equal(config.logs.lokiUrl, 'http://loki:3100');
});

test('"none" among exporters means no exporter', () => {
  assert.deepEqual(loadConfig(defaults, { OTEL_TRACES_EXPORTER: 'jaeger,none' }).tracesExporters, ['none']);
});

const malformed: [string, string, RegExp][] = [
  ['PYROSCOPE_SERVER_ADDRESS', 'not a url', /is not a URL/],
  ['PYROSCOPE_SERVER_ADDRESS', 'ftp://x', /not an http\(s\) URL/],
  ['PYROSCOPE_FLUSH_INTERVAL_MS', 'soon', /not a whole number/],
  ['PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS', '1.5', /not a whole number/],
  ['PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS', '0', /out of range/],
  ['PYROSCOPE_WALL_COLLECT_CPU_TIME', 'maybe', /not a boolean/],
  ['PYROSCOPE_SPAN_LABELS', 'sometimes', /is not one of/],
  ['OTEL_TRACES_EXPORTER', 'zipkin', /unknown exporter "zipkin"/],
  ['OTEL_EXPORTER_JAEGER_ENDPOINT', 'jaeger:14268', /not an http\(s\) URL|not a URL/],
  ['OTEL_EXPORTER_JAEGER_AGENT_PORT', '70000', /out of range/],
  ['OTEL_BSP_SCHEDULE_DELAY', 'fast', /not a whole number/],
  ['LOKI_URL', 'loki', /is not a URL/],
  ['LOG_LEVEL', 'loud', /is not one of/],
  ['DEBUG_TRACER', 'yes please', /not a boolean/],
  ['SHUTDOWN_TIMEOUT_MS', '-1', /out of range/],
];

for (const [variable, value, reason] of malformed) {
  test(`malformed ${variable}=${JSON.stringify(value)} names the variable and the value`, () => {
    assert.throws(
      () => loadConfig(defaults, { [variable]: value }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.variable === variable &&
        error.message.includes(`${variable}=${JSON.stringify(value)}`) &&
        reason.test(error.message),
    );
  });
}

test('a malformed variable: startTelemetry rejects with its ConfigError before starting anything', async () => {
  // the library never exits; each app's main prints the one line and exits 1 (apps/*/test/startup.test.ts)
  await assert.rejects(
    startTelemetry({ serviceName: 'svc', env: { PYROSCOPE_FLUSH_INTERVAL_MS: 'every minute' } }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message ===
        'invalid configuration: PYROSCOPE_FLUSH_INTERVAL_MS="every minute" is not a whole number',
  );
});

test('Pyroscope credentials: basic auth (both variables) and a tenant, or a token', () => {
  const { pyroscope } = loadConfig(defaults, {
    PYROSCOPE_BASIC_AUTH_USER: 'profiler',
    PYROSCOPE_BASIC_AUTH_PASSWORD: SECRET,
    PYROSCOPE_TENANT_ID: 'team-a',
  });
  assert.deepEqual(
    { basicAuth: pyroscope.basicAuth, tenantId: pyroscope.tenantId, authToken: pyroscope.authToken },
    { basicAuth: { user: 'profiler', password: SECRET }, tenantId: 'team-a', authToken: undefined },
  );
  const withToken = loadConfig(defaults, { PYROSCOPE_AUTH_TOKEN: SECRET }).pyroscope;
  assert.deepEqual([withToken.authToken, withToken.basicAuth], [SECRET, undefined]);
});

const credentialErrors: [Record<string, string>, string, RegExp][] = [
  [{ PYROSCOPE_BASIC_AUTH_PASSWORD: SECRET }, 'PYROSCOPE_BASIC_AUTH_USER', /must be set when/],
  [{ PYROSCOPE_BASIC_AUTH_USER: 'profiler' }, 'PYROSCOPE_BASIC_AUTH_PASSWORD', /must be set when/],
  [
    { PYROSCOPE_AUTH_TOKEN: SECRET, PYROSCOPE_BASIC_AUTH_USER: 'u', PYROSCOPE_BASIC_AUTH_PASSWORD: SECRET },
    'PYROSCOPE_AUTH_TOKEN',
    /set one of them/,
  ],
  [
    { PYROSCOPE_SERVER_ADDRESS: `https://profiler:${SECRET}@pyroscope.example:4040` },
    'PYROSCOPE_SERVER_ADDRESS',
    /"https:\/\/pyroscope\.example:4040" carries a user and password \(not shown here\)/,
  ],
];

for (const [env, variable, reason] of credentialErrors) {
  test(`Pyroscope credentials: ${Object.keys(env).join(' + ')} fails on ${variable}, without the secret`, () => {
    assert.throws(
      () => loadConfig(defaults, env),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.variable === variable &&
        reason.test(error.message) &&
        !error.message.includes(SECRET),
    );
  });
}
