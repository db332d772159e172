/**
 * Orders against stub regions (no telemetry started): a good answer, an error answer, a region that is
 * down, one that hangs — the loop counts and logs each outcome and never throws.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Logger } from '@rideshare/profiling-tracing';
import { recordingLogger } from '@rideshare/test-receivers';
import { startOrderLoop } from '../src/order-loop.js';
import { placeOrder } from '../src/place-order.js';

const { logger, records } = recordingLogger<Logger>();

const requests: string[] = [];
let stub: http.Server;
let stubUrl = '';

before(async () => {
  stub = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const region = req.headers.host?.startsWith('127.0.0.1') ? 'stub-region' : 'other';
    if (req.url?.startsWith('/hang')) return; // never answers
    if (req.url?.startsWith('/busy/')) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"no car available"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ order_id: 'o-1', region }));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});

after(async () => {
  stub.closeAllConnections();
  await new Promise((resolve) => stub.close(resolve));
});

const settings = (url: string, requestTimeoutMs = 2_000) => ({
  rideshareUrls: [url],
  orderCpuMs: 5,
  requestTimeoutMs,
});

test('a good answer: ok, logged with region, vehicle, status and duration_ms', async () => {
  records.length = 0;
  assert.equal(await placeOrder(settings(stubUrl), logger), 'ok');
  const [record] = records;
  assert.equal(record?.msg, 'order completed');
  assert.equal(record?.fields.region, 'stub-region');
  assert.equal(record?.fields.status, 200);
  assert.match(String(record?.fields.vehicle), /^(bike|scooter|car)$/);
  assert.equal(typeof record?.fields.duration_ms, 'number');
  assert.match(requests.at(-1) ?? '', /^\/(bike|scooter|car(\?passengers=[1-4])?)$/);
});

test('an error answer, a region that is down, a hung region: failed and logged, never thrown', async () => {
  records.length = 0;
  assert.equal(await placeOrder(settings(`${stubUrl}/busy`), logger), 'failed');
  assert.equal(records.at(-1)?.fields.status, 503);
  assert.equal(records.at(-1)?.fields.error, 'no car available');

  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  assert.equal(await placeOrder(settings(closedUrl), logger), 'failed');
  assert.equal(records.at(-1)?.fields.error, 'fetch failed: ECONNREFUSED');

  assert.equal(await placeOrder(settings(`${stubUrl}/hang`, 200), logger), 'failed');
  assert.equal(records.at(-1)?.fields.error, 'request timed out');
  assert.ok(records.every((r) => r.level === 'warn' && r.msg === 'order failed'));
});

test('the loop: CONCURRENCY workers; stop() waits for orders in flight and logs the totals', async () => {
  records.length = 0;
  const loop = startOrderLoop(
    {
      rideshareUrls: [stubUrl],
      concurrency: 3,
      orderCpuMs: 20,
      orderPauseMs: 10,
      requestTimeoutMs: 1_000,
      runSeconds: 0,
    },
    logger,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  await loop.stop();
  const completed = records.filter((r) => r.msg === 'order completed').length;
  const totals = records.find((r) => r.msg === 'load generator stopped');
  assert.ok(completed >= 3, `completed ${completed}`);
  assert.deepEqual(totals?.fields, { orders: completed, ok: completed, failed: 0 });
  const after = records.length;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(records.length, after, 'no orders after stop()');
  await loop.stop(); // idempotent
});
