/**
 * The logger with its Loki destination in-process (no worker thread): records reach Loki, `close()` pushes
 * what is buffered before it resolves, a Loki that hangs cannot hold `close()` past its deadline, and an
 * exception inside the destination never reaches the code that logs.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '@rideshare/test-receivers';
import { startLogs } from '../src/logger.js';
import type { TelemetryConfig } from '../src/config.js';

function logsConfig(
  lokiUrl: string,
  overrides: Partial<TelemetryConfig['logs']> = {},
): TelemetryConfig['logs'] {
  return {
    level: 'info',
    lokiUrl,
    // long: only close() pushes, so a test sees what close() did
    lokiBatchIntervalMs: 60_000,
    lokiMaxBufferedRecords: 100,
    lokiPushTimeoutMs: 5000,
    lokiMaxLineBytes: 256 * 1024,
    ...overrides,
  } as TelemetryConfig['logs'];
}

/** The destination's reports (pino-style lines written with process.stdout.write) while the test runs. */
function captureReports(t: TestContext, { throwing = false } = {}): string[] {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    // the app's records go to fd 1 through pino's own destination; this sees only the reports
    if (text.startsWith('{"level":')) {
      lines.push(text);
      if (throwing) throw new Error('stdout is gone');
      return true;
    }
    return write(chunk, ...(rest as []));
  }) as typeof process.stdout.write;
  t.after(() => {
    process.stdout.write = write;
  });
  return lines;
}

test('close() pushes the buffered records to Loki before it resolves; later records are dropped quietly', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const logs = await startLogs({
    config: logsConfig(loki.url),
    serviceName: 'logger-test',
    region: 'eu-north',
    reportIntervalMs: 1000,
  });
  for (let i = 0; i < 3; i++) logs.logger.info({ i }, `record ${i}`);
  logs.logger.debug('below the level');
  assert.equal(loki.entries.length, 0, 'nothing pushed before the batch interval or close()');

  await logs.close(2000);
  assert.deepEqual(
    loki.entries.map((e) => (e.json as { msg: string }).msg),
    ['record 0', 'record 1', 'record 2'],
  );
  assert.deepEqual(loki.entries[0]!.labels, {
    service_name: 'logger-test',
    region: 'eu-north',
    level: 'info',
  });
  assert.deepEqual(
    { ...(loki.entries[0]!.json as Record<string, unknown>), time: 0 },
    { level: 30, time: 0, service: 'logger-test', region: 'eu-north', i: 0, msg: 'record 0' },
  );

  logs.logger.info('after close');
  await logs.close(100); // a second close is the first one's outcome
  assert.equal(loki.entries.length, 3);
});

test('the batch interval pushes without close()', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const logs = await startLogs({
    config: logsConfig(loki.url, { lokiBatchIntervalMs: 50 }),
    serviceName: 'logger-test',
    region: undefined,
    reportIntervalMs: 1000,
  });
  t.after(() => logs.close(100));
  logs.logger.warn('pushed by the timer');
  await loki.waitFor((r) => r.entries.length === 1, { timeoutMs: 3000 });
  assert.deepEqual(loki.entries[0]!.labels, { service_name: 'logger-test', level: 'warning' });
});

test('a Loki that never answers cannot hold close() past its deadline; what was left is reported', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  loki.setBehaviour({ hang: true });
  const reports = captureReports(t);
  const logs = await startLogs({
    config: logsConfig(loki.url),
    serviceName: 'logger-test',
    region: undefined,
    reportIntervalMs: 1000,
  });
  logs.logger.info('never delivered');
  await logs.close(300);
  assert.equal(loki.requests, 1, 'the push was attempted');
  assert.equal(loki.entries.length, 0);
  const undelivered = reports.map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(
    undelivered.some((r) => r['undelivered'] === 1 && r['level'] === 40),
    `reports: ${reports.join('')}`,
  );
});

test('an exception inside the Loki destination never reaches the code that logs', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  // every report the destination makes throws (as if stdout had gone); dropping the oldest record reports
  const reports = captureReports(t, { throwing: true });
  const logs = await startLogs({
    config: logsConfig(loki.url, { lokiMaxBufferedRecords: 1 }),
    serviceName: 'logger-test',
    region: undefined,
    reportIntervalMs: 1000,
  });
  logs.logger.info('first');
  assert.doesNotThrow(() => logs.logger.info('second: the first is dropped, and the report throws'));
  assert.ok(reports.length >= 1, 'the drop was reported (and the report threw)');
  await logs.close(2000);
  assert.deepEqual(
    loki.entries.map((e) => (e.json as { msg: string }).msg),
    ['second: the first is dropped, and the report throws'],
  );
});
