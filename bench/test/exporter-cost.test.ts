/**
 * `npm run exporter-cost`: the worker must measure the real span pipeline on complete traces (every span
 * it makes reaches a decoding Jaeger receiver, as the package exports it), and the summary must pair each
 * exporter with the `none` run of its own round. No timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startJaegerReceiver } from '@rideshare/test-receivers';
import {
  EXPORTERS,
  runWorker,
  summariseExporterCost,
  workerEnv,
  type ExporterCostMeasurement,
  type ExporterName,
} from '../src/exporter-cost-run.js';

test('the exporter-cost worker exports every span of every request it makes, as the package shapes them', async () => {
  const receiver = await startJaegerReceiver();
  try {
    const env = workerEnv('jaeger', receiver.url);
    assert.equal(env.OTEL_EXPORTER_JAEGER_ENDPOINT, receiver.endpoint);
    const result = await runWorker({
      ...env,
      EXPORTER_COST_WARMUP_REQUESTS: '35',
      EXPORTER_COST_REQUESTS: '70',
    });
    assert.equal(result.requests, 70);
    assert.ok(result.cpuMicrosPerRequest > 0);
    // warm-up and measured requests, 3 spans each, all flushed before the worker reports
    const roots = receiver.spansNamed('CarHandler');
    assert.equal(roots.length, 105);
    assert.equal(receiver.spans.length, 315);
    for (const root of roots) {
      assert.equal(root.parentSpanId, '0000000000000000');
      assert.equal(root.tags['pyroscope.profile.id'], root.spanId, 'a local root carries its own profile id');
      assert.equal(root.tags['service.name'], 'exporter-cost');
      assert.equal(root.tags['http.route'], '/car');
      assert.equal(root.tags['net.peer.port'], undefined, 'connection attributes are dropped, as in the app');
      const children = receiver.spans.filter((s) => s.parentSpanId === root.spanId);
      assert.deepEqual(children.map((s) => s.operationName).sort(), [
        'CheckDriverAvailability',
        'FindNearestVehicle',
      ]);
    }
  } finally {
    await receiver.close();
  }
});

test('the worker refuses a bad request count with a message naming the variable', async () => {
  await assert.rejects(
    runWorker({ ...workerEnv('none', 'http://127.0.0.1:9'), EXPORTER_COST_REQUESTS: 'many' }),
    /EXPORTER_COST_REQUESTS must be a positive integer, got "many"/,
  );
});

function measurement(exporter: ExporterName, round: number, cpu: number): ExporterCostMeasurement {
  return {
    exporter,
    round,
    requests: 6000,
    cpuMicrosPerRequest: cpu,
    chunkMs: { median: 1, p99: round + 2, max: 10 * (round + 1) },
    received: { requests: exporter === 'none' ? 0 : 10, bytes: 1000 },
  };
}

test('an exporter costs the median of its differences to "none" in the same round, not a difference of medians', () => {
  // the machine is slower in round 1: pairing cancels it, a difference of medians would not
  const cpu: Record<ExporterName, number[]> = {
    none: [40, 90, 41],
    jaeger: [180, 240, 175],
    otlp: [80, 150, 90],
  };
  const rows = EXPORTERS.flatMap((e) => cpu[e].map((c, r) => measurement(e, r, c)));
  const s = summariseExporterCost(rows);
  assert.equal(s.none.addedMicrosPerRequest, 0);
  assert.equal(s.jaeger.addedMicrosPerRequest, 140); // differences 140, 150, 134
  assert.equal(s.otlp.addedMicrosPerRequest, 49); // 40, 60, 49; the difference of medians would be 49 too…
  assert.deepEqual(s.otlp.addedMicrosPerRequestSpread, { median: 49, min: 40, max: 60 });
  assert.deepEqual(s.jaeger.cpuMicrosPerRequest, { median: 180, min: 175, max: 240 });
  // …but not for jaeger: 180 − 41 = 139
  assert.notEqual(s.jaeger.addedMicrosPerRequest, 180 - 41);
  assert.equal(s.jaeger.chunkP99Ms, 3);
  assert.equal(s.jaeger.chunkMaxMs, 30);
});

test("the summary fails loudly when an exporter or a round's baseline is missing", () => {
  const rows = [measurement('none', 0, 40), measurement('jaeger', 0, 180)];
  assert.throws(() => summariseExporterCost(rows), /no measurement of "otlp"/);
  rows.push(measurement('otlp', 0, 90), measurement('otlp', 1, 95), measurement('jaeger', 1, 170));
  assert.throws(() => summariseExporterCost(rows), /round 1 has no "none" measurement/);
});
