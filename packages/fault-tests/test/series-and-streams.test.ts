/**
 * The real apps through 2,000+ orders against receivers that count series and streams as Pyroscope 1.18.1
 * and Loki 3.5.0 do (default limits: 5,000 active series, 5,000 streams per tenant):
 *  - Pyroscope series per service stay within what is static — tag sets × (span names + unlabelled) ×
 *    profile types, each counted from the run itself — and do not grow from 1,000 orders to 2,000;
 *  - no profile upload is refused;
 *  - Loki streams are the label sets {service_name, region, level}, within the product of the values seen,
 *    and no push is refused.
 * A per-request sample label (e.g. `trace_id`) makes a series per request and fails this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parsePyroscopeName,
  startAllReceivers,
  waitUntil,
  type AllReceivers,
} from '@rideshare/test-receivers';
import { startApp, startRideshare, type AppProcess } from '../src/app-process.js';

const ORDERS = 2_000;
const HALFWAY = 1_000;
const FLUSH_MS = 1_000;
const REGIONS = ['us-east', 'eu-north'] as const;
const LOKI_LABELS = new Set(['service_name', 'region', 'level']);

const ordersDone = (app: AppProcess) =>
  app.records.filter((r) => r.msg === 'order completed' || r.msg === 'order failed').length;

/** The profiling process an upload came from: `<app name>/<region tag>`. */
function uploaderOf(url: string): string {
  const name = new URL(url, 'http://receiver').searchParams.get('name') ?? '';
  const { appName, tags } = parsePyroscopeName(name);
  return `${appName}/${tags['region'] ?? ''}`;
}

/** Waits until every profiling process has had an upload answered that it started after `after` + a flush. */
async function profilesSince(
  receivers: AllReceivers,
  processes: readonly string[],
  after: number,
): Promise<void> {
  const since = after + FLUSH_MS;
  await waitUntil(
    () =>
      processes.every((p) =>
        receivers.pyroscope.requestLog.some(
          (r) => r.receivedAt > since && r.status !== undefined && uploaderOf(r.url) === p,
        ),
      ),
    30_000,
    () =>
      `uploads after ${since} from ${processes.join(', ')}: ${receivers.pyroscope.requestLog.length} requests`,
  );
}

function seriesPerService(receivers: AllReceivers): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const labels of receivers.pyroscope.seriesLabelSets()) {
    const service = labels['service_name'] ?? '';
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return counts;
}

/** What is static per service, from the run itself: tag sets, span names and profile types. */
function staticFacts(receivers: AllReceivers) {
  const facts = new Map<
    string,
    { tagSets: Set<string>; spanNames: Set<string>; profileTypes: Set<string> }
  >();
  const of = (service: string) => {
    let f = facts.get(service);
    if (f === undefined) {
      f = { tagSets: new Set(), spanNames: new Set(), profileTypes: new Set() };
      facts.set(service, f);
    }
    return f;
  };
  for (const u of receivers.pyroscope.uploads) {
    const f = of(u.query.tags['service_name'] ?? u.query.appName);
    f.tagSets.add(JSON.stringify(Object.entries(u.query.tags).sort()));
    for (const s of u.samples)
      if (s.labels['span_name'] !== undefined) f.spanNames.add(s.labels['span_name']);
    for (const series of u.series) f.profileTypes.add(series['__profile_type__'] ?? '');
  }
  return facts;
}

test('2,000 orders: Pyroscope series and Loki streams stay bounded by what is static, nothing refused', async (t) => {
  const started = Date.now();
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  const env = {
    ...receivers.env,
    PYROSCOPE_FLUSH_INTERVAL_MS: String(FLUSH_MS),
    OTEL_BSP_SCHEDULE_DELAY: '500',
    LOKI_BATCH_INTERVAL_MS: '500',
  };
  const regions = await Promise.all(
    REGIONS.map((region) => startRideshare({ ...env, REGION: region, SLOW_MODE: 'never' })),
  );
  for (const { app } of regions) t.after(() => app.kill());
  const loadGenerator = startApp('load-generator', {
    ...env,
    RIDESHARE_URLS: regions.map((r) => r.url).join(','),
    CONCURRENCY: '6',
    ORDER_CPU_MS: '2',
    ORDER_PAUSE_MS: '0',
  });
  t.after(() => loadGenerator.kill());
  const processes = ['load-generator/', ...REGIONS.map((region) => `rideshare/${region}`)];

  let refusedAfter: number | undefined;
  const watchRefusals = setInterval(() => {
    if (refusedAfter === undefined && receivers.pyroscope.rejections.length > 0)
      refusedAfter = ordersDone(loadGenerator);
  }, 50);
  t.after(() => clearInterval(watchRefusals));
  const describeRun = () =>
    `orders ${ordersDone(loadGenerator)}; series ${JSON.stringify(seriesPerService(receivers))}; ` +
    `pyroscope rejections ${receivers.pyroscope.rejections.length}: ${receivers.pyroscope.rejections[0]?.message ?? ''}`;
  await waitUntil(() => ordersDone(loadGenerator) >= HALFWAY, 120_000, describeRun);
  const halfwayAt = Date.now();
  await profilesSince(receivers, processes, halfwayAt);
  const atHalfway = { orders: ordersDone(loadGenerator), series: seriesPerService(receivers) };

  await waitUntil(() => ordersDone(loadGenerator) >= ORDERS, 120_000, describeRun);
  // SIGTERM: each app flushes its last profile, spans and logs
  assert.equal(await loadGenerator.stop(15_000), 0, loadGenerator.output());
  for (const { app } of regions) assert.equal(await app.stop(15_000), 0, app.output());
  const stopped = loadGenerator.records.find((r) => r.msg === 'load generator stopped');
  const orders = Number(stopped?.['orders']);
  const atEnd = { orders, series: seriesPerService(receivers) };

  const facts = staticFacts(receivers);
  const bounds: Record<string, { count: number; bound: number; why: string }> = {};
  for (const [service, f] of facts) {
    const bound = f.tagSets.size * (f.spanNames.size + 1) * f.profileTypes.size;
    bounds[service] = {
      count: atEnd.series[service] ?? 0,
      bound,
      why:
        `${f.tagSets.size} tag sets × (${f.spanNames.size} span names [${[...f.spanNames].join(', ')}] + unlabelled) ` +
        `× ${f.profileTypes.size} profile types`,
    };
  }
  const streams = receivers.loki.streamLabelSets();
  const values = (name: string) => new Set(streams.map((s) => s[name] ?? ''));
  const streamBound = values('service_name').size * values('region').size * values('level').size;
  const rejected = receivers.pyroscope.rejections;
  // the figures first, so that a failing run shows them too
  t.diagnostic(
    JSON.stringify({
      orders,
      series_at_halfway: atHalfway,
      series_at_end: atEnd.series,
      bounds,
      pyroscope_uploads_taken: receivers.pyroscope.uploads.length,
      pyroscope_uploads_refused: rejected.length,
      first_refusal: rejected[0] && {
        status: rejected[0].status,
        message: rejected[0].message,
        after_orders: refusedAfter,
      },
      loki_streams: streams.length,
      loki_stream_bound: streamBound,
      loki_stream_labels: streams,
      loki_entries: receivers.loki.entries.length,
      loki_refused: receivers.loki.rejections.length,
      run_seconds: (Date.now() - started) / 1000,
    }),
  );

  // (a) series per service within the static bound, and not growing with the number of orders
  for (const [service, { count, bound, why }] of Object.entries(bounds)) {
    assert.ok(count > 0, `${service}: some series`);
    assert.ok(count <= bound, `${service}: ${count} series > ${why} = ${bound}`);
  }
  assert.deepEqual(
    atEnd.series,
    atHalfway.series,
    `series per service after ${atHalfway.orders} orders and after ${atEnd.orders}: no growth with the number of orders`,
  );
  assert.ok(orders >= ORDERS, `orders: ${orders}`);

  // (b) no profile upload refused
  assert.deepEqual(
    rejected.map((r) => `${r.status} ${r.message}`).slice(0, 3),
    [],
    `${rejected.length} of ${receivers.pyroscope.requestLog.length} uploads refused`,
  );

  // (c) Loki streams: {service_name, region, level}, within the product of the values seen; nothing refused
  const names = new Set(streams.flatMap((s) => Object.keys(s)));
  assert.deepEqual(
    [...names].filter((n) => !LOKI_LABELS.has(n)),
    [],
    'stream label names',
  );
  assert.ok(streams.length <= streamBound, `${streams.length} streams ≤ ${streamBound}`);
  assert.deepEqual(receivers.loki.rejections, [], 'no Loki push refused');
  assert.ok(receivers.loki.entries.length >= orders, `log lines ${receivers.loki.entries.length}`);
});
