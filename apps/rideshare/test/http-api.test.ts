/**
 * The HTTP API in-process (no telemetry started): orders, health, and every kind of bad input answered
 * with JSON and a 4xx, never a crash or a stack trace. Ends with a small fuzz run.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, test } from 'node:test';
import type { Logger } from '@rideshare/profiling-tracing';
import { recordingLogger } from '@rideshare/test-receivers';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDispatch, type Dispatch } from '../src/dispatch.js';

const { logger, records } = recordingLogger<Logger>();

let base = '';
let port = 0;
let dispatch: Dispatch;
const servers: http.Server[] = [];

async function listen(app: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return server;
}

before(async () => {
  dispatch = createDispatch(loadConfig({ REGION: 'eu-north', FLEET_SIZE: '2000', SLOW_MODE: 'never' }));
  const server = await listen(createApp({ dispatch, logger, slowOrderMs: 100 }));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function get(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  assert.match(response.headers.get('content-type') ?? '', /application\/json/, `${path}: ${text}`);
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

/** Sends bytes as they are (no client-side validation) and returns the status code of the answer. */
function rawRequest(head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.write(head);
  });
}

test('GET /health', async () => {
  assert.deepEqual(await get('/health'), { status: 200, body: { status: 'ok', region: 'eu-north' } });
});

test('GET /car, /bike, /scooter place orders and log one "order placed" line each with duration_ms', async () => {
  records.length = 0;
  for (const vehicle of ['car', 'bike', 'scooter']) {
    const { status, body } = await get(`/${vehicle}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.vehicle, vehicle);
    assert.equal(body.region, 'eu-north');
    assert.match(String(body.order_id), /^[0-9a-f-]{36}$/);
    assert.equal(typeof body.eta_seconds, 'number');
    assert.equal(body.driver === null, vehicle !== 'car');
  }
  const placed = records.filter((r) => r.msg === 'order placed');
  assert.equal(placed.length, 3);
  for (const r of placed) {
    assert.equal(r.level, 'info');
    assert.equal(typeof r.fields.duration_ms, 'number');
    assert.equal(typeof r.fields.order_id, 'string');
  }
});

test('a car for 7 from a given pickup', async () => {
  const { status, body } = await get('/car?passengers=7&pickup=59.33,18.07');
  assert.equal(status, 200);
  assert.equal(body.passengers, 7);
  assert.deepEqual(body.pickup, { lat: 59.33, lon: 18.07 });
});

test('bad input: 400 JSON naming the parameter', async () => {
  const cases: [string, string | null][] = [
    ['/car?passengers=0', 'passengers'],
    ['/car?passengers=abc', 'passengers'],
    ['/bike?passengers=2', 'passengers'],
    ['/scooter?pickup=999,0', 'pickup'],
    ['/car?pickup=1,2', 'pickup'],
    ['/car?colour=red', 'colour'],
    ['/car?passengers=1&passengers=1', 'passengers'],
    ['/car?pickup[lat]=59', 'pickup[lat]'],
    [`/car?pickup=${'9'.repeat(300)}`, null],
    ['/car?passengers=%FF', 'passengers'],
  ];
  for (const [path, parameter] of cases) {
    const { status, body } = await get(path);
    assert.equal(status, 400, path);
    assert.equal(body.parameter, parameter, path);
    assert.equal(typeof body.error, 'string', path);
  }
});

test('unknown routes 404, other methods 405, malformed JSON bodies are never parsed', async () => {
  assert.deepEqual(await get('/truck'), { status: 404, body: { error: 'not found' } });
  assert.deepEqual(await get('/%E0%A4%A'), { status: 404, body: { error: 'not found' } });
  const post = await get('/car', {
    method: 'POST',
    body: '{"not json',
    headers: { 'content-type': 'application/json' },
  });
  assert.deepEqual(post, { status: 405, body: { error: 'method not allowed' } });
});

test('oversized headers and request lines are refused by the HTTP server, which keeps serving', async () => {
  assert.equal(await rawRequest(`GET /car?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431);
  assert.equal(await rawRequest(`GET /car HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`), 431);
  assert.equal(await rawRequest('GARBAGE\r\n\r\n'), 400);
  assert.equal((await get('/health')).status, 200);
});

test('an unexpected failure is a 500 without a stack trace, logged on the server', async () => {
  const broken: Dispatch = {
    ...dispatch,
    scheduleCacheBypassed: () => {
      throw new Error('schedule store unreachable');
    },
  };
  const server = await listen(createApp({ dispatch: broken, logger, slowOrderMs: 100 }));
  records.length = 0;
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/car`);
  const text = await response.text();
  assert.equal(response.status, 500);
  assert.deepEqual(JSON.parse(text), { error: 'internal error' });
  assert.doesNotMatch(text, /schedule store|at |\.js/);
  assert.ok(records.some((r) => r.level === 'error' && r.msg === 'request failed'));
});

test('slow orders also log a warning (without duration_ms, which dashboards sum)', async () => {
  const server = await listen(createApp({ dispatch, logger, slowOrderMs: 1 }));
  records.length = 0;
  await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/car`);
  const warning = records.find((r) => r.msg === 'slow order');
  assert.equal(warning?.level, 'warn');
  assert.equal(typeof warning?.fields.took_ms, 'number');
  assert.equal(warning?.fields.duration_ms, undefined);
});

test('fuzz: 300 random query strings and headers, every answer 2xx/4xx, still healthy', async () => {
  let seed = 42;
  const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const alphabet = 'abcpassengerspickup0123456789,.-=&%?+;[]{}"\'<>\\/ ~!@#$^*()_|éß\u00ff';
  const piece = (max: number): string =>
    Array.from(
      { length: Math.floor(random() * max) },
      () => alphabet[Math.floor(random() * alphabet.length)],
    ).join('');
  const statuses = new Map<number, number>();
  for (let i = 0; i < 300; i++) {
    const route = ['/car', '/bike', '/scooter', '/health', '/', `/${piece(8)}`][Math.floor(random() * 6)]!;
    const query = encodeURI(piece(random() < 0.05 ? 400 : 40)).replace(/%25/g, '%');
    const headerValue = piece(30).replace(/[^\x20-\x7e]/g, '');
    const head =
      `GET ${encodeURI(route)}?${query} HTTP/1.1\r\nHost: fuzz\r\n` +
      `traceparent: ${headerValue}\r\nX-${piece(5).replace(/[^a-z]/g, '') || 'y'}: ${headerValue}\r\n` +
      'Connection: close\r\n\r\n';
    const status = await rawRequest(head);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    assert.ok(status >= 200 && status < 500, `status ${status} for ${JSON.stringify(head)}`);
  }
  assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, JSON.stringify([...statuses]));
  assert.equal((await get('/health')).status, 200);
});
