/**
 * Backends that arrive after the app, then go away and come back: without restarting the app, each one gets
 * data again (spans, profiles, logs) within one flush interval (+ a margin) of being back; log records
 * written while Loki was away are delivered when it is back; each outage and recovery is reported once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { JaegerReceiver, LokiReceiver, PyroscopeReceiver, getFreePort } from '@rideshare/test-receivers';
import { startRideshare } from '../src/app-process.js';
import { orderPath, runLoad } from '../src/load.js';
import { BACKENDS, MAIN_DATA, byData, isFirstFailure, isRecovery, telemetryEnv } from '../src/reports.js';

const INTERVAL_MS = { jaeger: 200, pyroscope: 1000, loki: 200 };
const MARGIN_MS = 1000;

test('late and flapping backends get data again within one flush interval of coming back', async (t) => {
  const ports = { jaeger: await getFreePort(), pyroscope: await getFreePort(), loki: await getFreePort() };
  const { app, url } = await startRideshare({
    ...telemetryEnv(ports),
    FLEET_SIZE: '5000',
    OTEL_BSP_SCHEDULE_DELAY: String(INTERVAL_MS.jaeger),
    PYROSCOPE_FLUSH_INTERVAL_MS: String(INTERVAL_MS.pyroscope),
    LOKI_BATCH_INTERVAL_MS: String(INTERVAL_MS.loki),
    BACKEND_REPORT_INTERVAL_MS: '60000',
  });
  t.after(() => app.kill());
  let stopLoad = false;
  const load = runLoad({
    baseUrl: url,
    path: orderPath,
    total: 100_000,
    concurrency: 2,
    until: () => stopLoad,
  });
  const jaeger = new JaegerReceiver({ port: ports.jaeger });
  const pyroscope = new PyroscopeReceiver({ port: ports.pyroscope });
  const loki = new LokiReceiver({ port: ports.loki });
  t.after(() => Promise.all([jaeger.close(), pyroscope.close(), loki.close()]));

  /** Starts (or restarts) the three receivers and measures how long each waits for new data. */
  const comeBack = async (phase: string) => {
    const before = {
      jaeger: jaeger.spans.length,
      pyroscope: pyroscope.uploads.length,
      loki: loki.entries.length,
    };
    const backAt = Date.now();
    await Promise.all([jaeger.listen(), pyroscope.listen(), loki.listen()]);
    const arrival = async (backend: 'jaeger' | 'pyroscope' | 'loki', has: () => boolean) => {
      const receiver = { jaeger, pyroscope, loki }[backend];
      await receiver.waitFor(has, {
        timeoutMs: INTERVAL_MS[backend] + MARGIN_MS,
        description: `${backend} data after it came back (${phase})`,
      });
      return Date.now() - backAt;
    };
    const [spansMs, profilesMs, logsMs] = await Promise.all([
      arrival('jaeger', () => jaeger.spans.length > before.jaeger),
      arrival('pyroscope', () => pyroscope.uploads.length > before.pyroscope),
      arrival('loki', () => loki.entries.length > before.loki),
    ]);
    return { spansMs, profilesMs, logsMs };
  };

  await sleep(2000); // the app runs with all three backends missing
  const late = await comeBack('late');
  await Promise.all([jaeger.stop(), pyroscope.stop(), loki.stop()]);
  await sleep(2000); // flap: all three gone again
  const flapped = await comeBack('restarted');

  stopLoad = true;
  const answers = await load;
  assert.ok(answers.length > 100, `requests during the run: ${answers.length}`);
  assert.equal(answers.filter((a) => a.status !== 200).length, 0, 'every request served');
  assert.equal(await app.stop(15_000), 0, app.output());

  // nothing that could be kept was lost: every order's log record reached Loki, including those logged
  // before Loki first came up and while it was stopped (a retried push may arrive twice: count distinct)
  const served = new Set(answers.map((a) => (JSON.parse(a.body) as { order_id: string }).order_id));
  const logged = new Set(
    loki.entries
      .map((e) => e.json as { msg?: string; order_id?: string } | undefined)
      .filter((r) => r?.msg === 'order placed')
      .map((r) => r!.order_id),
  );
  const missing = [...served].filter((id) => !logged.has(id));
  assert.equal(missing.length, 0, `${missing.length} of ${served.size} orders have no record in Loki`);

  for (const backend of BACKENDS) {
    // per kind of data the backend takes; the main one (spans, CPU profiles, log records) is sent all the time
    const firsts = byData(app.records.filter(isFirstFailure(backend)));
    const recoveries = byData(app.records.filter(isRecovery(backend)));
    assert.equal(firsts.get(MAIN_DATA[backend])?.length, 2, `${backend}: one report per outage`);
    for (const [data, first] of firsts) {
      assert.equal(recoveries.get(data)?.length, first.length, `${backend}/${data}: one recovery per outage`);
    }
  }
  t.diagnostic(
    JSON.stringify({
      requests: answers.length,
      loki_order_records: logged.size,
      late_ms: { spans: late.spansMs, profiles: late.profilesMs, logs: late.logsMs },
      restarted_ms: { spans: flapped.spansMs, profiles: flapped.profilesMs, logs: flapped.logsMs },
      intervals_ms: INTERVAL_MS,
    }),
  );
});
