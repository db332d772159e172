/**
 * Jaeger, Pyroscope and Loki addresses point at closed ports (nothing listens there). Both apps start and
 * keep working; the rideshare API serves every request; memory stays bounded; and each backend's failure is
 * logged once with its address, then at most once per BACKEND_REPORT_INTERVAL_MS with a count — not once
 * per span batch, profile or log push.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getFreePort } from '@rideshare/test-receivers';
import { startApp, startRideshare } from '../src/app-process.js';
import { carOrderPath, orderPath, runLoad } from '../src/load.js';
import {
  BACKENDS,
  byData,
  isFirstFailure,
  isRepeatFailure,
  mentionsBackend,
  telemetryEnv,
} from '../src/reports.js';

const REQUESTS = 2500;
const WARM_UP_REQUESTS = 3000;
const REPORT_INTERVAL_MS = 4000;
const MB = 1024 * 1024;

test('backends down: both apps start and serve every request, RSS bounded, one failure report per backend then rate-limited', async (t) => {
  const testStarted = Date.now();
  const ports = { jaeger: await getFreePort(), pyroscope: await getFreePort(), loki: await getFreePort() };
  const env = {
    ...telemetryEnv(ports),
    BACKEND_REPORT_INTERVAL_MS: String(REPORT_INTERVAL_MS),
    // frequent attempts, so that "once per batch" would show: spans every 100 ms, profiles every 500 ms,
    // log pushes every 100 ms
    OTEL_BSP_SCHEDULE_DELAY: '100',
    PYROSCOPE_FLUSH_INTERVAL_MS: '500',
    LOKI_BATCH_INTERVAL_MS: '100',
  };
  const { app: rideshare, url } = await startRideshare({ ...env, FLEET_SIZE: '5000' });
  t.after(() => rideshare.kill());
  const loadGenerator = startApp('load-generator', {
    ...env,
    RIDESHARE_URLS: url,
    CONCURRENCY: '2',
    ORDER_CPU_MS: '5',
    ORDER_PAUSE_MS: '20',
  });
  t.after(() => loadGenerator.kill());
  await loadGenerator.waitForRecord((r) => r.msg === 'load generator started', 20_000);

  // warm up (JIT, the app's own caches and heap, first failures), then measure RSS over the run. Measured
  // here with healthy backends too: the traced app's RSS climbs from ~150 MB to 300-400 MB over its first
  // ~3,000 orders (V8 heap sizing), then stays flat; backends down follow the same curve.
  // Warm-up orders are cars: a reserved bike or scooter stays taken for 10 minutes, and ~6,000 mixed
  // orders ran the 5,000 scooters out near some pickups (503 "no scooter available")
  await runLoad({ baseUrl: url, path: carOrderPath, total: WARM_UP_REQUESTS, concurrency: 8 });
  const rssBefore = rideshare.rssBytes();
  const started = Date.now();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(Math.round(rideshare.rssBytes() / MB)), 1000);
  const answers = await runLoad({ baseUrl: url, path: orderPath, total: REQUESTS, concurrency: 8 });
  clearInterval(sampler);
  const elapsedMs = Date.now() - started;
  const rssAfter = rideshare.rssBytes();
  t.diagnostic(`RSS MB every second: ${samples.join(' ')}`);

  const failed = answers.filter((a) => a.status !== 200);
  assert.equal(answers.length, REQUESTS);
  assert.equal(failed.length, 0, `failed answers: ${JSON.stringify(failed.slice(0, 3))}`);
  const growthMb = (rssAfter - rssBefore) / MB;
  assert.ok(growthMb < 50, `RSS grew ${growthMb.toFixed(1)} MB over ${REQUESTS} requests`);

  // the load generator's orders went through too, while its own telemetry had nowhere to go
  const stopAt = Date.now();
  assert.equal(await loadGenerator.stop(15_000), 0, loadGenerator.output());
  const stopped = loadGenerator.records.find((r) => r.msg === 'load generator stopped');
  assert.ok(stopped, loadGenerator.output());
  assert.ok(Number(stopped['ok']) >= 20, `load generator orders ok: ${stopped['ok']}`);
  assert.equal(
    stopped['failed'],
    0,
    `no failed orders: ${JSON.stringify(loadGenerator.records.filter((r) => r.msg === 'order failed'))}`,
  );
  assert.equal(await rideshare.stop(15_000), 0, rideshare.output());

  const runSeconds = (Date.now() - testStarted) / 1000;
  const summary: Record<string, unknown> = {
    requests: answers.length,
    errors: failed.length,
    elapsed_ms: elapsedMs,
    rss_before_mb: +(rssBefore / MB).toFixed(1),
    rss_growth_mb: +growthMb.toFixed(1),
    load_generator_orders_ok: stopped['ok'],
    load_generator_stop_ms: Date.now() - stopAt,
  };
  for (const app of [rideshare, loadGenerator]) {
    for (const backend of BACKENDS) {
      const address = `http://127.0.0.1:${ports[backend]}${backend === 'jaeger' ? '/api/traces' : ''}`;
      const firsts = byData(app.records.filter(isFirstFailure(backend)));
      assert.ok(firsts.size >= 1, `${app.name}/${backend}: a first-failure report`);
      // one first report for each kind of data the backend takes (Pyroscope: CPU and heap profiles)
      for (const [data, first] of firsts) {
        const where = `${app.name}/${backend}/${data}`;
        assert.equal(first.length, 1, `${where}: one first-failure report; got ${JSON.stringify(first)}`);
        assert.equal(first[0]!['address'], address, `${where}: the report names the address`);
        assert.ok(String(first[0]!.msg).includes(address), `${where}: the message names the address`);
        assert.equal(first[0]!['level'], 40, `${where}: a warning`);
      }
      const repeats = app.records.filter(isRepeatFailure(backend));
      const mentions = app.records.filter(mentionsBackend(backend));
      const where = `${app.name}/${backend}`;
      // rate-limited: at most one repeat per interval (plus the one at shutdown's edge)
      const maxRepeats = firsts.size * (Math.ceil((runSeconds * 1000) / REPORT_INTERVAL_MS) + 1);
      assert.ok(repeats.length <= maxRepeats, `${where}: ${repeats.length} repeats > ${maxRepeats}`);
      // each repeat counts the failures it stands for: there were many more failures than lines
      const failures = firsts.size + repeats.reduce((n, r) => n + Number(r['failures']), 0);
      assert.ok(
        mentions.length * 5 <= failures,
        `${where}: ${mentions.length} lines for ${failures} failed attempts`,
      );
      summary[`${where}`] = `${mentions.length} lines for ${failures} failures`;
    }
  }
  t.diagnostic(JSON.stringify(summary));
});
