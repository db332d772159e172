/**
 * Bad input from outside: malformed, oversized and odd requests get a 4xx (400 JSON for bad query values)
 * and the server keeps serving; a malformed `traceparent` starts a fresh trace; a fuzz run of random query
 * strings and headers never gets a 5xx or a dead server; a bad environment variable stops either app at
 * start with one line naming it, exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startAllReceivers, NO_PARENT_SPAN_ID, type JaegerSpan } from '@rideshare/test-receivers';
import { appMain, startRideshare, type AppName } from '../src/app-process.js';
import { request } from '../src/load.js';

/** A small seeded PRNG (mulberry32), so that a failing fuzz case can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('bad requests: 4xx (400 JSON for bad query values), malformed traceparent → fresh trace, fuzz, still serving', async (t) => {
  const receivers = await startAllReceivers();
  t.after(() => receivers.close());
  const { app, url } = await startRideshare({
    ...receivers.env,
    FLEET_SIZE: '5000',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  t.after(() => app.kill());

  const badQueries = [
    '/car?passengers=abc',
    '/car?passengers=99',
    '/car?passengers=-1',
    '/car?passengers=1e1',
    '/car?passengers=%202',
    '/bike?passengers=2',
    '/bike?pickup=abc',
    '/bike?pickup=91,0',
    '/bike?pickup=0,0',
    '/bike?pickup=40.7,-74.0,1',
    '/scooter?pickup=%E0%A4%A',
    '/scooter?foo=1',
    '/scooter?passengers=1&passengers=1',
    '/scooter?%00=1',
    `/bike?pickup=${'9'.repeat(300)}`,
    `/car?${'x=1&'.repeat(100)}`,
  ];
  for (const path of badQueries) {
    const answer = await request(url, path, {});
    assert.equal(answer.status, 400, `${path}: ${answer.status} ${answer.body}`);
    const body = JSON.parse(answer.body) as { error?: unknown };
    assert.equal(typeof body.error, 'string', `${path}: JSON error body`);
  }
  const odd: [string, Record<string, string>][] = [
    [`/${'a'.repeat(8000)}`, {}],
    ['/%', {}],
    ['/bike/../../etc/passwd', {}],
    ['/bike', { 'x-large': 'y'.repeat(20_000) }], // over Node's 16 KB header limit: 431
  ];
  for (const [path, headers] of odd) {
    const answer = await request(url, path, headers);
    assert.ok(answer.status >= 400 && answer.status < 500, `${path.slice(0, 40)}: ${answer.status}`);
  }
  const post = await fetch(`${url}/bike`, { method: 'POST', body: 'x'.repeat(1_000_000) }).catch(
    () => undefined,
  );
  assert.ok(
    post === undefined || (post.status >= 400 && post.status < 500),
    `POST with 1 MB: ${post?.status}`,
  );

  // traceparent: a malformed one starts a fresh trace (no parent); a valid one is continued
  const remoteTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const cases = {
    garbage: 'not-a-traceparent',
    badIds: '00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-00f067aa0ba902b7-01',
    zeroTrace: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    tooLong: `00-${remoteTrace}-00f067aa0ba902b7-01-${'f'.repeat(200)}`,
    valid: `00-${remoteTrace}-00f067aa0ba902b7-01`,
  };
  const markers: Record<string, string> = {};
  let n = 0;
  for (const [name, traceparent] of Object.entries(cases)) {
    const lat = `40.71${String(100 + n++)}`; // a unique query, to find the request's span by `url.query`
    const pickup = `${lat},-74.006`;
    markers[name] = lat;
    const answer = await request(url, `/bike?pickup=${pickup}`, { traceparent });
    assert.equal(answer.status, 200, `${name}: ${answer.body}`);
  }
  const spanFor = (pickup: string): JaegerSpan | undefined =>
    receivers.jaeger.spans.find(
      (s) =>
        s.operationName === 'BikeHandler' && Object.values(s.tags).some((v) => String(v).includes(pickup)),
    );
  await receivers.jaeger.waitFor(() => Object.values(markers).every((m) => spanFor(m) !== undefined), {
    timeoutMs: 5000,
    description: 'the traceparent test spans',
  });
  for (const name of ['garbage', 'badIds', 'zeroTrace', 'tooLong']) {
    const span = spanFor(markers[name]!)!;
    assert.notEqual(span.traceId, remoteTrace, `${name}: a new trace id`);
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(span.traceId, '0'.repeat(32));
    assert.equal(span.parentSpanId, NO_PARENT_SPAN_ID, `${name}: no parent`);
    assert.equal(span.references.length, 0, `${name}: no references`);
  }
  const continued = spanFor(markers['valid']!)!;
  assert.equal(continued.traceId, remoteTrace, 'a valid traceparent is continued');
  assert.equal(continued.parentSpanId, '00f067aa0ba902b7');

  // fuzz: random query strings and headers, every answer 2xx/4xx, never 5xx, never a dead server
  const random = seeded(20261125);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chars =
    'abcdefghijklmnopqrstuvwxyz0123456789-_.,;:!~*()[]{}<>"\'`|\\^%&=+?#/ \t\u00e9\u4e2d\ud83d\ude97';
  const randomText = (max: number) =>
    Array.from({ length: Math.floor(random() * max) }, () => pick([...chars])).join('');
  const fuzzQuery = () =>
    pick([
      () => randomText(40),
      () => `passengers=${randomText(6)}`,
      () => `pickup=${randomText(30)}`,
      () =>
        `passengers=${Math.floor(random() * 20) - 5}&pickup=${(random() * 200 - 100).toFixed(3)},${(random() * 400 - 200).toFixed(3)}`,
      () => `${randomText(8)}=${randomText(8)}&${randomText(8)}`,
      () => randomText(400),
    ])();
  const statuses = new Map<number, number>();
  const FUZZ = 300;
  for (let i = 0; i < FUZZ; i++) {
    const path = `${pick(['/bike', '/scooter', '/car', '/health', '/', `/${randomText(10)}`])}?${encodeURI(fuzzQuery()).replace(/#/g, '%23')}`;
    // header values: any printable ASCII (what an HTTP client can send at all)
    const printable = (max: number) => randomText(max).replace(/[^\x20-\x7e]/g, '');
    const headers: Record<string, string> = {};
    if (random() < 0.5)
      headers['traceparent'] = pick([printable(60), `00-${printable(32)}-${printable(16)}-01`]);
    if (random() < 0.3) headers['tracestate'] = printable(100);
    if (random() < 0.3) headers[`x-${printable(8).replace(/[^a-z0-9]/g, '') || 'h'}`] = printable(200);
    if (random() < 0.2) headers['content-type'] = printable(30);
    const answer = await request(url, path, headers);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    assert.ok(
      answer.status >= 200 && answer.status < 500,
      `fuzz #${i} ${JSON.stringify({ path, headers })} → ${answer.status} ${answer.error ?? answer.body}`,
    );
  }
  const health = await request(url, '/health', {});
  assert.equal(health.status, 200, 'still serving after the fuzz run');
  assert.equal(
    app.records.filter((r) => r.msg === 'request failed').length,
    0,
    'no unexpected errors logged',
  );
  assert.equal(await app.stop(15_000), 0, app.output());
  t.diagnostic(JSON.stringify({ fuzz_requests: FUZZ, statuses: Object.fromEntries(statuses) }));
});

const badVariables: [AppName, string, string][] = [
  ['rideshare', 'PORT', 'eighty'],
  ['rideshare', 'LOKI_URL', 'loki:3100'],
  ['rideshare', 'BACKEND_REPORT_INTERVAL_MS', 'soon'],
  ['rideshare', 'LOKI_MAX_BUFFERED_RECORDS', '0'],
  ['load-generator', 'CONCURRENCY', 'lots'],
  ['load-generator', 'OTEL_BSP_MAX_QUEUE_SIZE', 'big'],
  ['load-generator', 'PYROSCOPE_UPLOAD_TIMEOUT_MS', '-5'],
];

for (const [app, variable, value] of badVariables) {
  test(`${app}: ${variable}=${JSON.stringify(value)} stops start-up with one line naming it, exit 1`, () => {
    const result = spawnSync(process.execPath, [appMain(app)], {
      env: { PATH: process.env.PATH ?? '', [variable]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0]!.includes(`${variable}=${JSON.stringify(value)}`), lines[0]);
    assert.equal(result.stdout, '');
  });
}
