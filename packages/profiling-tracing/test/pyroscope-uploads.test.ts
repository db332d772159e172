import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getFreePort } from '@rideshare/test-receivers';
import { BackendHealth } from '../src/backend-health.js';
import { recorder } from './report-recorder.js';
import { boundPyroscopeExports, watchPyroscopeUploads } from '../src/pyroscope-uploads.js';

test('uploads to <server>/ingest are observed through undici diagnostics channels; others are not', async (t) => {
  let status = 500;
  const server = http.createServer((req, res) => {
    req.resume();
    res.statusCode = status;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { lines, report } = recorder();
  const health = new BackendHealth({
    backend: 'pyroscope',
    address: url,
    data: 'profiles',
    reportIntervalMs: 60_000,
    report,
  });
  const unwatch = watchPyroscopeUploads(url, health);
  t.after(unwatch);
  const post = (base: string, path: string) =>
    fetch(`${base}${path}`, { method: 'POST', body: 'x' }).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );

  await post(url, '/other?x=1'); // same server, not an upload
  assert.equal(lines.length, 0);
  await post(url, '/ingest?name=app');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.fields['error'], 'HTTP 500');
  assert.equal(lines[0]!.fields['address'], url);

  const closed = `http://127.0.0.1:${await getFreePort()}`;
  await post(closed, '/ingest?name=app'); // another server's failure is not Pyroscope's
  assert.equal(health.healthy, false);
  status = 200;
  await post(url, '/ingest?name=app');
  assert.equal(lines.length, 2);
  assert.match(lines[1]!.message, /reachable again/);
  assert.equal(lines[1]!.fields['failures'], 1);

  const refusedHealth = new BackendHealth({
    backend: 'pyroscope',
    address: closed,
    data: 'profiles',
    reportIntervalMs: 60_000,
    report,
  });
  const unwatchClosed = watchPyroscopeUploads(closed, refusedHealth);
  t.after(unwatchClosed);
  await post(closed, '/ingest?name=app');
  assert.equal(lines.length, 3);
  assert.match(String(lines[2]!.fields['error']), /ECONNREFUSED/);
});

test('a profile export that hangs or rejects is bounded and never rejects', async () => {
  const failures: unknown[] = [];
  const hanging = { export: (_profile: unknown) => new Promise<void>(() => undefined) };
  boundPyroscopeExports(hanging, 100, (e) => failures.push(e));
  const started = Date.now();
  await hanging.export({});
  assert.ok(Date.now() - started < 1000);
  assert.match(String(failures[0]), /no answer within 100 ms/);

  const rejecting = { export: (_profile: unknown) => Promise.reject(new Error('encode failed')) };
  boundPyroscopeExports(rejecting, 1000, (e) => failures.push(e));
  await rejecting.export({});
  assert.match(String(failures[1]), /encode failed/);

  let answered = 0;
  const fine = { export: async (_profile: unknown) => void answered++ };
  boundPyroscopeExports(fine, 1000, (e) => failures.push(e));
  await fine.export({});
  assert.equal(answered, 1);
  assert.equal(failures.length, 2);
});
