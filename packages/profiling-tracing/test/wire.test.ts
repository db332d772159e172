/**
 * End to end over the real wire formats: a traced app (one `startTelemetry` call) sends spans with
 * exporter-jaeger (Thrift over HTTP), profiles with @pyroscope/nodejs (gzipped pprof on /ingest) and logs
 * with our pino transport (Loki push JSON) to local receivers that decode them. A span's `pyroscope.profile.id`
 * must be the `span_id` label of the samples taken while it ran, and its logs must carry its trace id.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { startAllReceivers, type AllReceivers } from '@rideshare/test-receivers';

const APP = fileURLToPath(new URL('./fixtures/traced-app.js', import.meta.url));
const SAMPLING_MICROS = 1000;
const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** @pyroscope/nodejs names frames `<file>:<function>:<line>`. */
const inFunction = (name: string) => (sample: { stack: string[] }) =>
  sample.stack.some((frame) => frame.split(':')[1] === name);

/**
 * Runs the fixture app against the receivers: 16 concurrent requests, half of them continuing a trace
 * from another service, then SIGTERM. Returns the app's exit code and output once it has exited.
 */
async function runTracedApp(
  t: TestContext,
  receivers: AllReceivers,
  nodeFlags: string[] = [],
): Promise<{ exitCode: number | null; stdoutLines: string[]; stderr: string }> {
  const app = spawn(process.execPath, [...nodeFlags, APP], {
    env: {
      ...process.env,
      ...receivers.env,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PYROSCOPE_FLUSH_INTERVAL_MS: '1000',
      PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: String(SAMPLING_MICROS),
      LOKI_BATCH_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => app.kill('SIGKILL'));
  let stderr = '';
  app.stderr.on('data', (chunk) => (stderr += chunk));
  const stdoutLines: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: app.stdout }).on('line', (line) => {
      stdoutLines.push(line);
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
    });
    app.once('exit', (code) => reject(new Error(`app exited early (${code}): ${stderr}`)));
  });

  await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      const headers: Record<string, string> =
        i % 2 === 0 ? { traceparent: `00-${REMOTE_TRACE_ID}-00f067aa0ba902b7-01` } : {};
      const response = await fetch(`http://127.0.0.1:${port}/quote`, { headers });
      assert.equal(response.status, 200);
    }),
  );

  const exited = once(app, 'exit');
  app.kill('SIGTERM');
  const [exitCode] = (await exited) as [number | null];
  return { exitCode, stdoutLines, stderr };
}

test('span → profile → logs link over Jaeger Thrift, pprof and Loki push', async (t) => {
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  const { exitCode, stdoutLines, stderr } = await runTracedApp(t, receivers);
  assert.equal(exitCode, 0, `exit code after SIGTERM; stderr: ${stderr}`);

  // spans: the renamed server spans are the local roots, with pyroscope.profile.id = own span id
  const handlers = receivers.jaeger.spansNamed('QuoteHandler');
  assert.equal(handlers.length, 16, `QuoteHandler spans: ${handlers.length}`);
  for (const span of handlers) {
    assert.equal(span.tags['pyroscope.profile.id'], span.spanId);
    assert.equal(span.process.serviceName, 'wire-test');
    assert.equal(span.process.tags['region'], 'eu-north'); // resource attributes: the batch's Process
    // express, imported by the ESM fixture after startTelemetry, was patched through the ESM hooks
    assert.equal(span.tags['http.route'], '/quote');
  }
  assert.equal(
    handlers.filter((s) => s.traceId === REMOTE_TRACE_ID).length,
    8,
    'remote parents are continued',
  );
  const others = receivers.jaeger.spans.filter((s) => s.operationName !== 'QuoteHandler');
  assert.ok(others.some((s) => s.operationName === 'PriceRoute'));
  for (const span of others) assert.equal(span.tags['pyroscope.profile.id'], undefined, span.operationName);
  // the Loki destination pushes from the app's own thread: its requests must not be traced
  const pushSpans = receivers.jaeger.spans.filter((s) =>
    JSON.stringify(s.tags).includes('/loki/api/v1/push'),
  );
  assert.deepEqual(
    pushSpans.map((s) => s.operationName),
    [],
    'spans of the Loki pushes',
  );

  // profiles: the upload names the app and region and states the real sample rate
  const wallUploads = receivers.pyroscope.uploads.filter((u) =>
    u.sampleTypes.some((type) => type.startsWith('cpu/')),
  );
  assert.ok(wallUploads.length >= 1, `wall uploads with CPU time: ${wallUploads.length}`);
  for (const upload of wallUploads) {
    assert.equal(upload.query.appName, 'wire-test');
    assert.equal(upload.query.tags['region'], 'eu-north');
    assert.equal(upload.query.sampleRate, 1e6 / SAMPLING_MICROS);
    assert.equal(upload.query.spyName, 'nodespy');
  }
  const byId = new Map(handlers.map((s) => [s.spanId, s]));
  const quoteSamples = wallUploads.flatMap((u) => u.samples).filter(inFunction('computeQuote'));
  const count = (s: { values: Record<string, number> }) => s.values['samples/count'] ?? 1;
  const total = quoteSamples.reduce((n, s) => n + count(s), 0);
  const linked = quoteSamples.filter(
    (s) => byId.has(s.labels['span_id'] ?? '') && s.labels['span_name'] === 'QuoteHandler',
  );
  // no trace_id: Pyroscope <= 2.0 would make it a series label, one series per request
  const labelNames = new Set(wallUploads.flatMap((u) => u.samples.flatMap((s) => Object.keys(s.labels))));
  assert.deepEqual([...labelNames].sort(), ['span_id', 'span_name']);
  const linkedCount = linked.reduce((n, s) => n + count(s), 0);
  assert.ok(total >= 100, `computeQuote samples: ${total}`);
  assert.ok(linkedCount / total >= 0.99, `samples linked to their span: ${linkedCount}/${total}`);
  const spansWithSamples = new Set(linked.map((s) => s.labels['span_id']));
  assert.ok(
    spansWithSamples.size >= 15,
    `QuoteHandler spans that open a flame graph: ${spansWithSamples.size}/16`,
  );

  // logs: JSON on stdout and in Loki, with the trace and span ids of the request
  const lokiQuotes = receivers.loki.entries.filter(
    (e) => (e.json as { msg?: string })?.msg === 'quote computed',
  );
  assert.equal(lokiQuotes.length, 16);
  const traceIds = new Set(handlers.map((s) => s.traceId));
  const spanIds = new Set(receivers.jaeger.spans.map((s) => s.spanId));
  for (const entry of lokiQuotes) {
    const record = entry.json as { trace_id: string; span_id: string };
    assert.ok(traceIds.has(record.trace_id), `log trace_id ${record.trace_id} is a decoded trace`);
    assert.ok(spanIds.has(record.span_id), `log span_id ${record.span_id} is a decoded span`);
    assert.deepEqual(entry.labels, { service_name: 'wire-test', region: 'eu-north', level: 'info' });
  }
  assert.equal(
    stdoutLines.filter((l) => l.includes('"quote computed"')).length,
    16,
    'stdout has every record too',
  );
});

test('without AsyncContextFrame, span labels are off with one warning, never wrong', async (t) => {
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  const { exitCode, stdoutLines, stderr } = await runTracedApp(t, receivers, ['--no-async-context-frame']);
  assert.equal(exitCode, 0, `exit code after SIGTERM; stderr: ${stderr}`);

  const warnings = stdoutLines.filter((line) => line.includes('span profiles are off'));
  assert.equal(warnings.length, 1, stdoutLines.join('\n'));
  assert.equal(receivers.jaeger.spansNamed('QuoteHandler').length, 16, 'traces still flow');
  for (const span of receivers.jaeger.spans) {
    assert.equal(
      span.tags['pyroscope.profile.id'],
      undefined,
      `${span.operationName} must not link to a profile`,
    );
  }
  const samples = receivers.pyroscope.uploads.flatMap((u) => u.samples);
  assert.ok(samples.some(inFunction('computeQuote')), 'profiles still flow');
  assert.deepEqual(
    samples.filter((s) => s.labels['span_id'] !== undefined),
    [],
    'no sample carries a span id',
  );
});
