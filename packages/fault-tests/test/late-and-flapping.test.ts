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
import { BACKENDS, isFirstFailure, isRecovery, telemetryEnv } from '../src/reports.js';

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

  /** Starts (or restarts) the three receivers and measures how long each waits for data. */
  const comeBack = async (phase: string) => {
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
      arrival('jaeger', () => jaeger.spans.length > 0),
      arrival('pyroscope', () => pyroscope.uploads.length > 0),
      arrival('loki', () => loki.entries.length > 0),
    ]);
    return { backAt, spansMs, profilesMs, logsMs };
  };

  await sleep(2000); // the app runs with all three backends missing
  const late = await comeBack('late');
  // log records written while Loki was away were kept and are delivered now
  const backNs = BigInt(late.backAt) * 1_000_000n;
  await loki.waitFor((r) => r.entries.some((e) => BigInt(e.timestampNs) < backNs - 1_000_000_000n), {
    timeoutMs: 2000,
    description: 'records logged before Loki was up',
  });

  await Promise.all([jaeger.stop(), pyroscope.stop(), loki.stop()]);
  await sleep(2000); // flap: all three gone again
  jaeger.clear();
  pyroscope.clear();
  loki.clear();
  const flapped = await comeBack('restarted');
  const downNs = BigInt(flapped.backAt - 1500) * 1_000_000n;
  await loki.waitFor((r) => r.entries.some((e) => BigInt(e.timestampNs) < downNs), {
    timeoutMs: 2000,
    description: 'records logged while Loki was stopped',
  });

  stopLoad = true;
  const answers = await load;
  assert.ok(answers.length > 100, `requests during the run: ${answers.length}`);
  assert.equal(answers.filter((a) => a.status !== 200).length, 0, 'every request served');
  assert.equal(await app.stop(15_000), 0, app.output());

  for (const backend of BACKENDS) {
    assert.equal(app.records.filter(isFirstFailure(backend)).length, 2, `${backend}: one report per outage`);
    assert.equal(app.records.filter(isRecovery(backend)).length, 2, `${backend}: one recovery per outage`);
  }
  t.diagnostic(
    JSON.stringify({
      requests: answers.length,
      late_ms: { spans: late.spansMs, profiles: late.profilesMs, logs: late.logsMs },
      restarted_ms: { spans: flapped.spansMs, profiles: flapped.profilesMs, logs: flapped.logsMs },
      intervals_ms: INTERVAL_MS,
    }),
  );
});
