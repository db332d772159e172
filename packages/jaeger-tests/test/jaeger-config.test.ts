/**
 * The rewrite of jaeger/config.yaml for a test run (runs without Go): every listener moves to its own
 * loopback port, the agent protocols on UDP, and the UI config is read from the repository.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { testConfig } from '../src/jaeger-config.js';

test('every endpoint of jaeger/config.yaml moves to a distinct free port on 127.0.0.1', async () => {
  const config = await testConfig();
  const rewritten = parse(config.yaml) as {
    receivers: { jaeger: { protocols: Record<string, { endpoint: string }> } };
    extensions: { jaeger_query: { ui: { config_file: string } } };
  };
  assert.deepEqual(
    config.listeners.map((l) => [l.path, l.protocol, l.original]),
    [
      ['extensions.healthcheckv2.http', 'tcp', '0.0.0.0:13133'],
      ['extensions.jaeger_query.http', 'tcp', '0.0.0.0:16686'],
      ['extensions.jaeger_query.grpc', 'tcp', '0.0.0.0:16685'],
      ['receivers.otlp.protocols.grpc', 'tcp', '0.0.0.0:4317'],
      ['receivers.otlp.protocols.http', 'tcp', '0.0.0.0:4318'],
      ['receivers.jaeger.protocols.thrift_http', 'tcp', '0.0.0.0:14268'],
      ['receivers.jaeger.protocols.thrift_binary', 'udp', '0.0.0.0:6832'],
      ['receivers.jaeger.protocols.thrift_compact', 'udp', '0.0.0.0:6831'],
      ['receivers.jaeger.protocols.grpc', 'tcp', '0.0.0.0:14250'],
      ['service.telemetry.metrics', 'tcp', 'localhost:8888 (collector default)'],
    ],
  );
  assert.equal(new Set(config.listeners.map((l) => l.port)).size, config.listeners.length);
  assert.equal(
    rewritten.receivers.jaeger.protocols['thrift_http']?.endpoint,
    `127.0.0.1:${config.port('receivers.jaeger.protocols.thrift_http')}`,
  );
  assert.doesNotMatch(config.yaml, /0\.0\.0\.0/);
  assert.deepEqual((parse(config.yaml) as { service: { telemetry: unknown } }).service.telemetry, {
    resource: { 'service.name': 'jaeger' },
    logs: { level: 'info' },
    metrics: {
      readers: [
        {
          pull: {
            exporter: { prometheus: { host: '127.0.0.1', port: config.port('service.telemetry.metrics') } },
          },
        },
      ],
    },
  });
  assert.ok(existsSync(rewritten.extensions.jaeger_query.ui.config_file));
  assert.match(rewritten.extensions.jaeger_query.ui.config_file, /jaeger\/ui-config\.json$/);
  assert.throws(() => config.port('receivers.zipkin'), /no listener at receivers\.zipkin/);
});
