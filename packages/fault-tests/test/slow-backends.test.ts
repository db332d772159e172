/**
 * Backends that answer only after 3 s, then not at all: request handling never waits for them (export is
 * off the request path), so the app's p99 latency under the same load stays within 2× of the healthy case;
 * the span queue and the Loki buffer stay bounded and drop their oldest entries with a counted warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAllReceivers } from '@rideshare/test-receivers';
import { startRideshare } from '../src/app-process.js';
import { orderPath, percentile, runLoad } from '../src/load.js';
import { BACKENDS, byData, isDropReport, isFirstFailure } from '../src/reports.js';

const REQUESTS = 1500;
const CONCURRENCY = 4;
const MB = 1024 * 1024;

test('slow and hanging backends: p99 within 2× of healthy, queues bounded with counted drops', async (t) => {
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  const { app, url } = await startRideshare({
    ...receivers.env,
    FLEET_SIZE: '8000', // enough scooters for ~6,500 orders (a reserved scooter stays taken for 10 minutes)
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BSP_MAX_QUEUE_SIZE: '500',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100',
    // deadlines above the 3 s delay (slow but answering) and below "never" (hang)
    OTEL_BSP_EXPORT_TIMEOUT: '4000',
    PYROSCOPE_UPLOAD_TIMEOUT_MS: '4000',
    LOKI_PUSH_TIMEOUT_MS: '4000',
    PYROSCOPE_FLUSH_INTERVAL_MS: '1000',
    LOKI_BATCH_INTERVAL_MS: '200',
    LOKI_MAX_BUFFERED_RECORDS: '300',
    BACKEND_REPORT_INTERVAL_MS: '2000',
  });
  t.after(() => app.kill());
  let index = 0;
  const phase = async () => {
    const answers = await runLoad({
      baseUrl: url,
      path: () => orderPath(index++),
      total: REQUESTS,
      concurrency: CONCURRENCY,
    });
    const failed = answers.filter((a) => a.status !== 200);
    assert.equal(failed.length, 0, `every request served: ${JSON.stringify(failed.slice(0, 3))}`);
    return {
      p50: percentile(
        answers.map((a) => a.latencyMs),
        50,
      ),
      p99: percentile(
        answers.map((a) => a.latencyMs),
        99,
      ),
    };
  };

  await runLoad({ baseUrl: url, path: () => orderPath(index++), total: 2000, concurrency: CONCURRENCY }); // warm-up
  await receivers.jaeger.waitFor((r) => r.spans.length > 0, { timeoutMs: 5000 });
  const healthy = await phase();
  const rssBefore = app.rssBytes();

  for (const receiver of [receivers.jaeger, receivers.pyroscope, receivers.loki]) {
    receiver.setBehaviour({ delayMs: 3000 });
  }
  const slow = await phase();
  for (const receiver of [receivers.jaeger, receivers.pyroscope, receivers.loki]) {
    receiver.setBehaviour({ hang: true });
  }
  const hangStarted = Date.now();
  const hanging = await phase();
  // a hanging backend is a failing one once an answer misses its deadline: reported once each
  for (const backend of BACKENDS) {
    await app.waitForRecord(
      isFirstFailure(backend),
      Math.max(0, hangStarted + 8000 - Date.now()),
      `${backend} failure`,
    );
  }
  const rssGrowthMb = (app.rssBytes() - rssBefore) / MB;

  const summary = {
    requests_per_phase: REQUESTS,
    concurrency: CONCURRENCY,
    healthy_ms: healthy,
    slow_3s_ms: slow,
    hanging_ms: hanging,
    rss_growth_mb: +rssGrowthMb.toFixed(1),
  };
  t.diagnostic(JSON.stringify(summary));
  assert.ok(slow.p99 <= 2 * healthy.p99, `p99 with 3 s backends ${slow.p99} ms > 2 × ${healthy.p99} ms`);
  assert.ok(
    hanging.p99 <= 2 * healthy.p99,
    `p99 with hanging backends ${hanging.p99} ms > 2 × ${healthy.p99} ms`,
  );
  assert.ok(rssGrowthMb < 50, `RSS grew ${rssGrowthMb.toFixed(1)} MB`);

  // bounded queues: the oldest went, counted, in a few lines rather than one per span or record
  const spanDrops = app.records.filter(isDropReport('jaeger-spans'));
  const logDrops = app.records.filter(isDropReport('loki'));
  for (const [queue, reports] of [
    ['jaeger-spans', spanDrops],
    ['loki', logDrops],
  ] as const) {
    assert.ok(reports.length >= 1, `${queue}: a drop warning`);
    const dropped = reports.reduce((n, r) => n + Number(r['dropped']), 0);
    assert.ok(dropped >= 10 * reports.length, `${queue}: ${reports.length} warnings for ${dropped} dropped`);
    assert.match(String(reports[0]!.msg), /dropped the \d+ oldest/);
    assert.equal(reports[0]!['level'], 40);
  }
  for (const backend of BACKENDS) {
    for (const [data, first] of byData(app.records.filter(isFirstFailure(backend)))) {
      assert.equal(first.length, 1, `${backend}/${data}: one failure report`);
      assert.match(String(first[0]!['error']), /no answer within 4000 ms/);
    }
  }
  const shutdownStarted = Date.now();
  assert.equal(await app.stop(20_000), 0, app.output());
  t.diagnostic(`shutdown with hanging backends took ${Date.now() - shutdownStarted} ms`);
});
