/**
 * SIGTERM under load, as `docker compose down` sends it: requests already sent get their answer, then the
 * spans of every finished request, the last profile and the buffered logs are flushed, and the process exits
 * 0 within SHUTDOWN_TIMEOUT_MS — also when a backend is down or hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getFreePort, startAllReceivers, waitUntil } from '@rideshare/test-receivers';
import { startApp, startRideshare } from '../src/app-process.js';
import { orderPath, runLoad } from '../src/load.js';

const HANDLERS = new Set(['BikeHandler', 'ScooterHandler', 'CarHandler']);
const MIN_REQUESTS = 600;
const MIN_ORDERS = 20;

test('SIGTERM during load: in-flight requests finish; spans, last profile and logs flushed; exit 0', async (t) => {
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  // long intervals: at SIGTERM spans, the profile and logs are all still buffered in the app
  const buffered = {
    ...receivers.env,
    OTEL_BSP_SCHEDULE_DELAY: '5000',
    PYROSCOPE_FLUSH_INTERVAL_MS: '60000',
    LOKI_BATCH_INTERVAL_MS: '5000',
  };
  const { app, url } = await startRideshare({ ...buffered, FLEET_SIZE: '5000' });
  t.after(() => app.kill());
  const loadGenerator = startApp('load-generator', {
    ...buffered,
    RIDESHARE_URLS: url,
    CONCURRENCY: '2',
    ORDER_CPU_MS: '20',
    ORDER_PAUSE_MS: '10',
  });
  t.after(() => loadGenerator.kill());

  let sigtermAt = 0;
  let answered = 0;
  const load = runLoad({
    baseUrl: url,
    path: orderPath,
    total: 100_000,
    concurrency: 8,
    until: () => sigtermAt > 0,
    onAnswer: () => answered++,
  });
  // enough work buffered in both apps, counted rather than timed, so a busy machine only makes it slower
  await waitUntil(
    () =>
      answered >= MIN_REQUESTS &&
      loadGenerator.records.filter((r) => r.msg === 'order completed').length >= MIN_ORDERS,
    60_000,
    () => `answers ${answered}; load generator output:\n${loadGenerator.output()}`,
  );
  // the load generator first (SIGTERM: it finishes its in-flight orders), while our load keeps going;
  // then the rideshare app, under that load
  const generatorCode = await loadGenerator.stop(15_000);
  sigtermAt = app.signal('SIGTERM');
  const answers = await load;
  const { code, at: exitAt } = await app.exited;
  const shutdownMs = exitAt - sigtermAt;

  const sentBefore = answers.filter((a) => a.sentAt <= sigtermAt);
  const failed = sentBefore.filter((a) => a.status !== 200);
  assert.ok(sentBefore.length >= MIN_REQUESTS, `requests before SIGTERM: ${sentBefore.length}`);
  assert.equal(
    failed.length,
    0,
    `requests sent before SIGTERM without an answer: ${JSON.stringify(failed.slice(0, 3))}`,
  );
  assert.equal(code, 0, app.output());
  assert.ok(shutdownMs < 10_000, `exit ${shutdownMs} ms after SIGTERM`);
  assert.equal(generatorCode, 0, loadGenerator.output());

  // the load generator's orders are served by the same app: they count too
  const stopped = loadGenerator.records.find((r) => r.msg === 'load generator stopped');
  assert.ok(stopped, loadGenerator.output());
  const orders = Number(stopped['orders']);
  assert.equal(stopped['failed'], 0, 'load generator orders all completed');
  const served = answers.filter((a) => a.status === 200).length + orders;
  const handlerSpans = receivers.jaeger.spans.filter(
    (s) => HANDLERS.has(s.operationName) && s.process.serviceName === 'rideshare',
  );
  assert.ok(
    handlerSpans.length >= 0.99 * served,
    `handler spans ${handlerSpans.length} for ${served} answers; jaeger requests ${receivers.jaeger.requestLog.length}, ` +
      `rejected ${JSON.stringify(receivers.jaeger.errors.slice(0, 3))}; app warnings ` +
      JSON.stringify(
        app.records.filter((r) => Number(r['level']) >= 40 && r.msg !== 'slow order').slice(0, 5),
      ),
  );
  const lastProfiles = receivers.pyroscope.requestLog.filter(
    (r) => r.url.startsWith('/ingest') && r.receivedAt >= sigtermAt,
  );
  assert.ok(lastProfiles.length >= 1, 'the last profile was uploaded at shutdown');
  const rideshareProfiles = receivers.pyroscope.uploads.filter((u) => u.query.appName === 'rideshare');
  assert.ok(rideshareProfiles.length >= 1, 'a rideshare profile was decoded');
  const orderLogs = receivers.loki.entries.filter(
    (e) => (e.json as { msg?: string } | undefined)?.msg === 'order placed',
  );
  assert.ok(
    orderLogs.length >= 0.99 * served,
    `'order placed' records in Loki ${orderLogs.length} for ${served}`,
  );
  assert.ok(
    app.records.some((r) => r.msg === 'shutdown complete'),
    'shutdown completed within its deadline',
  );

  // the load generator: every order it finished has its OrderVehicle span
  const orderSpans = receivers.jaeger.spansNamed('OrderVehicle');
  assert.ok(
    orders >= MIN_ORDERS && orderSpans.length >= 0.99 * orders,
    `OrderVehicle spans ${orderSpans.length} for ${orders}`,
  );

  t.diagnostic(
    JSON.stringify({
      requests_before_sigterm: sentBefore.length,
      errors: failed.length,
      served,
      handler_spans: handlerSpans.length,
      loki_order_records: orderLogs.length,
      profiles_at_shutdown: lastProfiles.length,
      shutdown_ms: shutdownMs,
      load_generator: { orders, order_spans: orderSpans.length },
    }),
  );
});

test('SIGTERM with Jaeger hanging and Pyroscope down: exit 0 within SHUTDOWN_TIMEOUT_MS, logs still flushed', async (t) => {
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  receivers.jaeger.setBehaviour({ hang: true });
  const SHUTDOWN_TIMEOUT_MS = 3000;
  const { app, url } = await startRideshare({
    ...receivers.env,
    PYROSCOPE_SERVER_ADDRESS: `http://127.0.0.1:${await getFreePort()}`,
    FLEET_SIZE: '5000',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    LOKI_BATCH_INTERVAL_MS: '5000',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
  t.after(() => app.kill());
  const answers = await runLoad({ baseUrl: url, path: orderPath, total: 300, concurrency: 4 });
  assert.equal(answers.filter((a) => a.status !== 200).length, 0);
  await receivers.jaeger.waitFor((r) => r.requests > 0, { timeoutMs: 3000, description: 'a hanging export' });
  const sigtermAt = app.signal('SIGTERM');
  const { code, at } = await app.exited;
  const shutdownMs = at - sigtermAt;
  assert.equal(code, 0, app.output());
  assert.ok(shutdownMs <= SHUTDOWN_TIMEOUT_MS + 1000, `exit ${shutdownMs} ms after SIGTERM`);
  const orderLogs = receivers.loki.entries.filter(
    (e) => (e.json as { msg?: string } | undefined)?.msg === 'order placed',
  );
  assert.equal(orderLogs.length, 300, 'the buffered logs reached Loki although Jaeger hung');
  t.diagnostic(
    JSON.stringify({
      shutdown_ms: shutdownMs,
      shutdown_timeout_ms: SHUTDOWN_TIMEOUT_MS,
      loki_order_records: orderLogs.length,
    }),
  );
});
