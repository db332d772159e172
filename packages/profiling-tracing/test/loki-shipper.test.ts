import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LokiReceiver, getFreePort, startLokiReceiver } from '@rideshare/test-receivers';
import { BackendHealth, DropCounter } from '../src/backend-health.js';
import { recorder } from './report-recorder.js';
import { LokiShipper } from '../src/loki-shipper.js';

function shipperFor(url: string, overrides: { maxBufferedRecords?: number; pushTimeoutMs?: number } = {}) {
  return shipperWith(url, { labels: { service_name: 'svc', region: 'eu-north' }, ...overrides });
}

// a minute ago: Loki refuses entries older than a week (reject_old_samples) and the receiver does too
const BASE_MS = Date.now() - 60_000;
const record = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 30, time: BASE_MS + i, service: 'svc', msg: `r${i}`, ...extra });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('Loki down at start: failure reported once, records kept and delivered in order once it is up', async (t) => {
  const port = await getFreePort();
  const url = `http://127.0.0.1:${port}`;
  const { shipper, lines } = shipperFor(url);
  t.after(() => shipper.close(100));
  for (let i = 0; i < 50; i++) shipper.add(record(i));
  await sleep(400); // several failed attempts
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0]!.fields['address'], url);
  assert.equal(shipper.buffered, 50, 'nothing lost while Loki is down');

  const loki = await new LokiReceiver({ port }).listen();
  t.after(() => loki.close());
  const back = Date.now();
  await loki.waitFor((r) => r.entries.length >= 50, { timeoutMs: 2000 });
  assert.ok(Date.now() - back < 500, `delivered ${Date.now() - back} ms after Loki came up`);
  assert.deepEqual(
    loki.entries.map((e) => (e.json as { msg: string }).msg),
    Array.from({ length: 50 }, (_, i) => `r${i}`),
  );
  assert.deepEqual(loki.entries[0]!.labels, { level: 'info', service_name: 'svc', region: 'eu-north' });
  assert.equal(loki.entries[0]!.timestampNs, `${BASE_MS}000000`);
  assert.match(lines.at(-1)!.message, /reachable again/);
});

test('a full buffer drops the oldest records, counted; the newest are delivered', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  await loki.stop();
  const { shipper, lines } = shipperFor(loki.url, { maxBufferedRecords: 20 });
  t.after(() => shipper.close(100));
  for (let i = 0; i < 50; i++) shipper.add(record(i));
  assert.equal(shipper.buffered, 20);
  await sleep(200);
  await loki.restart();
  await loki.waitFor((r) => r.entries.length >= 20, { timeoutMs: 2000 });
  await sleep(150);
  assert.deepEqual(
    loki.entries.map((e) => (e.json as { msg: string }).msg),
    Array.from({ length: 20 }, (_, i) => `r${30 + i}`),
  );
  const dropReports = lines.filter((l) => l.fields['queue'] === 'loki');
  assert.equal(dropReports[0]!.fields['dropped'], 1, 'first drop reported at once');
  await shipper.close(1000);
  const dropped = lines
    .filter((l) => l.fields['queue'] === 'loki')
    .reduce((n, l) => n + Number(l.fields['dropped']), 0);
  assert.equal(dropped, 30, 'every dropped record counted');
});

test('a push without an answer is retried; levels and hostname become labels like pino-loki', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  loki.setBehaviour({ hang: true });
  const { shipper, lines } = shipperFor(loki.url, { pushTimeoutMs: 150 });
  t.after(() => shipper.close(100));
  shipper.add(record(1, { level: 50, hostname: 'box' }));
  shipper.add(record(2, { level: 40 }));
  await sleep(400);
  assert.match(String(lines[0]?.fields['error']), /no answer within 150 ms/);
  loki.setBehaviour({});
  await loki.waitFor((r) => r.entries.length >= 2, { timeoutMs: 2000 });
  const error = loki.entries.find((e) => (e.json as { msg: string }).msg === 'r1')!;
  assert.deepEqual(error.labels, {
    level: 'error',
    service_name: 'svc',
    region: 'eu-north',
    hostname: 'box',
  });
  assert.equal(
    (error.json as { hostname?: string }).hostname,
    undefined,
    'hostname is a label, not in the line',
  );
  const warning = loki.entries.find((e) => (e.json as { msg: string }).msg === 'r2')!;
  assert.equal(warning.labels['level'], 'warning');
});

test('close() pushes what is left and says how much could not be delivered', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const { shipper } = shipperFor(loki.url);
  for (let i = 0; i < 35; i++) shipper.add(record(i));
  assert.equal(await shipper.close(2000), 0);
  assert.equal(loki.entries.length, 35);

  await loki.stop();
  const second = shipperFor(loki.url);
  for (let i = 0; i < 5; i++) second.shipper.add(record(i));
  assert.equal(await second.shipper.close(300), 5, 'Loki down at exit: 5 undelivered');
});

function shipperWith(url: string, extra: Partial<ConstructorParameters<typeof LokiShipper>[0]>) {
  const { lines, report } = recorder();
  const counter = (field: string) =>
    new DropCounter({
      queue: 'loki',
      field,
      describe: (n) => `${field} ${n}`,
      reportIntervalMs: 60_000,
      report,
    });
  const shipper = new LokiShipper({
    url,
    labels: { service_name: 'svc' },
    batchIntervalMs: 50,
    maxBufferedRecords: 1000,
    maxBatchRecords: 10,
    pushTimeoutMs: 2000,
    health: new BackendHealth({
      backend: 'loki',
      address: url,
      data: 'log records',
      reportIntervalMs: 60_000,
      report,
    }),
    drops: counter('dropped'),
    truncations: counter('truncated'),
    refusals: counter('refused'),
    ...extra,
  });
  return { shipper, lines };
}

test('a line over the line limit is truncated to it, with a marker, counted and reported', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const { shipper, lines } = shipperWith(loki.url, { maxLineBytes: 4096 });
  t.after(() => shipper.close(100));
  shipper.add(record(1, { payload: 'é'.repeat(10_000) })); // 2-byte characters: the cut must not split one
  shipper.add(record(2));
  await loki.waitFor((r) => r.entries.length >= 2, { timeoutMs: 2000 });
  const [long, short] = loki.entries;
  assert.ok(Buffer.byteLength(long!.line) <= 4096, `${Buffer.byteLength(long!.line)} bytes`);
  assert.ok(Buffer.byteLength(long!.line) > 4000, 'cut at the limit, not far below it');
  assert.match(
    long!.line,
    new RegExp(`^\\{"level":30,"time":${BASE_MS + 1},"service":"svc","msg":"r1","payload":"éé`),
  );
  assert.match(long!.line, / …\[truncated \d+ bytes: Loki's line limit is 4096\]$/);
  assert.doesNotMatch(long!.line, /\uFFFD/, 'no broken UTF-8 sequence');
  assert.equal((short!.json as { msg: string }).msg, 'r2', 'short lines are untouched');
  const truncated = lines.filter((l) => l.fields['truncated'] !== undefined);
  assert.equal(truncated.length, 1);
  assert.equal(truncated[0]!.fields['truncated'], 1);
});

test("a 400 is not retried (Loki kept the valid entries); 429 and 5xx are, with Loki's reason reported", async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const { shipper, lines } = shipperWith(loki.url, {});
  t.after(() => shipper.close(100));
  loki.setBehaviour({ status: 400 });
  for (let i = 0; i < 5; i++) shipper.add(record(i));
  await loki.waitFor((r) => r.requests >= 1, { timeoutMs: 2000 });
  await sleep(300);
  assert.equal(loki.requests, 1, 'the refused push was not sent again');
  assert.equal(shipper.buffered, 0);
  assert.match(
    lines[0]!.message,
    /^loki at http:\/\/127\.0\.0\.1:\d+ rejected log records: HTTP 400: fault injected: status 400/,
  );
  assert.equal(lines.find((l) => l.fields['refused'] !== undefined)?.fields['refused'], 5);

  loki.setBehaviour({ status: 429 });
  for (let i = 5; i < 10; i++) shipper.add(record(i));
  await loki.waitFor((r) => r.requests >= 3, { timeoutMs: 2000 });
  assert.equal(shipper.buffered, 5, 'kept for the retry');
  assert.ok(
    lines.some((l) => /rejected log records: HTTP 429/.test(l.message)),
    'a new reason is told at once',
  );
  loki.setBehaviour({});
  await loki.waitFor((r) => r.entries.length >= 5, { timeoutMs: 2000 });
  await sleep(100); // the answer reaches the shipper after the receiver has recorded the entries
  assert.deepEqual(
    loki.entries.map((e) => (e.json as { msg: string }).msg),
    ['r5', 'r6', 'r7', 'r8', 'r9'],
  );
  assert.match(lines.at(-1)!.message, /accepts log records again$/);
});

test('basic auth and the tenant header are sent; the password is in no report', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const url = loki.url;
  const { shipper, lines } = shipperWith(url, {
    basicAuth: { user: 'tenant-7', password: 's3cret' },
    tenantId: 'tenant-7',
  });
  t.after(() => shipper.close(100));
  loki.setBehaviour({ status: 401 });
  shipper.add(record(1));
  await loki.waitFor((r) => r.requests >= 1, { timeoutMs: 2000 });
  loki.setBehaviour({});
  await loki.waitFor((r) => r.entries.length >= 1, { timeoutMs: 2000 });
  await sleep(100);
  const headers = loki.requestLog.at(-1)!.headers;
  assert.equal(headers['authorization'], `Basic ${Buffer.from('tenant-7:s3cret').toString('base64')}`);
  assert.equal(headers['x-scope-orgid'], 'tenant-7');
  assert.ok(lines.length >= 2);
  assert.doesNotMatch(JSON.stringify(lines), /s3cret|dGVuYW50LTc6czNjcmV0/);
});

test("a 300 KB line at Loki's default limit: the receiver (Loki 3.5's limits) takes it truncated, nothing refused", async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const { shipper, lines } = shipperWith(loki.url, {}); // default maxLineBytes: Loki's 256 KB
  t.after(() => shipper.close(100));
  shipper.add(record(1, { payload: 'x'.repeat(300 * 1024) }));
  shipper.add(record(2));
  await loki.waitFor((r) => r.entries.length >= 2, { timeoutMs: 3000 });
  assert.deepEqual(loki.rejections, [], 'Loki refused nothing');
  const size = Buffer.byteLength(loki.entries[0]!.line);
  assert.ok(size <= 256 * 1024 && size > 256 * 1024 - 100, `${size} bytes: cut at the limit`);
  assert.equal(lines.filter((l) => l.fields['truncated'] === 1).length, 1, 'counted and reported');
});

test('a bug thrown from a push the timer started goes to `unexpected`, not to the process', async (t) => {
  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  // the shipper runs in the app's own thread: an unhandled rejection here would end the app
  class ThrowingHealth extends BackendHealth {
    override success(): void {
      throw new Error('bug in success()');
    }
    override failure(): void {
      throw new Error('bug in failure()');
    }
  }
  const errors: unknown[] = [];
  const { shipper } = shipperWith(loki.url, {
    health: new ThrowingHealth({
      backend: 'loki',
      address: loki.url,
      data: 'log records',
      reportIntervalMs: 1,
      report: () => {},
    }),
    unexpected: (error) => void errors.push(error),
  });
  t.after(() => shipper.close(100).catch(() => {})); // its last push meets the same bug
  shipper.add(record(1));
  await loki.waitFor(() => errors.length >= 1, { timeoutMs: 2000 });
  assert.match(String(errors[0]), /bug in failure\(\)/);
  assert.ok(loki.entries.length >= 1, 'the push itself went through');
});

test("pino's own lines, of every shape, reach Loki as the full parse would send them", async (t) => {
  const { default: pino } = await import('pino');
  const written: string[] = [];
  const sink = { write: (line: string) => void written.push(line) };
  const demo = pino({ base: { service: 'svc', region: 'eu-north' } }, sink);
  demo.info({ trace_id: 'abc', n: 1 }, 'an order: "quoted", ünïcödé, a\nnewline');
  const defaults = pino({}, sink); // pid and hostname bindings
  defaults.warn('with pino defaults');
  defaults.child({ hostname: 'other-box' }).error('a child names hostname again: the last one counts');
  defaults.info({ time: 'a logged time field' }, 'time named again');
  defaults.info({ nested: { level: 'x', hostname: 'y' } }, 'keys named again inside an object');
  pino({ timestamp: pino.stdTimeFunctions.isoTime }, sink).info('an ISO time: not the fast form');
  pino({ formatters: { level: (label) => ({ level: label }) } }, sink).info(
    'a level label: not the fast form',
  );
  pino({ base: { hostname: 'x"y\\z' } }, sink).debug('never written: below info');
  pino({ level: 'debug', base: { hostname: 'x"y\\z', pid: 7 } }, sink).debug('escaped hostname');
  assert.equal(written.length, 8);

  const loki = await startLokiReceiver();
  t.after(() => loki.close());
  const { shipper } = shipperFor(loki.url);
  t.after(() => shipper.close(100));
  for (const line of written) shipper.add(line);
  assert.ok(await shipper.flush());
  assert.equal(loki.entries.length, written.length);

  const levels: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'warning', 50: 'error' };
  written.forEach((line, i) => {
    const record = JSON.parse(line) as Record<string, unknown>;
    const { hostname, ...rest } = record;
    const entry = loki.entries[i]!;
    const level = typeof record['level'] === 'number' ? levels[record['level']]! : 'info';
    assert.deepEqual(
      entry.labels,
      { level, service_name: 'svc', region: 'eu-north', ...(hostname !== undefined && { hostname }) },
      line,
    );
    assert.deepEqual(entry.json, rest, line);
    assert.deepEqual(Object.keys(entry.json as object), Object.keys(rest), `key order of ${line}`);
    assert.ok(!entry.line.endsWith('\n'));
    const ms = typeof record['time'] === 'number' ? record['time'] : undefined;
    if (ms !== undefined) assert.equal(entry.timestampNs, `${ms}000000`, line);
  });
  // the demo's line is sent as pino wrote it, byte for byte (no re-serialisation)
  assert.equal(loki.entries[0]!.line, written[0]!.slice(0, -1));
  assert.equal(loki.entries[7]!.labels['hostname'], 'x"y\\z');
});
