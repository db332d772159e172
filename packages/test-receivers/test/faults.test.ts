import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getFreePort, startAllReceivers, startLokiReceiver } from '../src/index.js';
import { post } from './http-helpers.js';

const line = () =>
  JSON.stringify({ streams: [{ stream: { app: 't' }, values: [[`${Date.now()}000000`, 'hello']] }] });
const HEADERS = { 'content-type': 'application/json' };

describe('fault injection and lifecycle', () => {
  it('delays the answer by delayMs', async () => {
    const loki = await startLokiReceiver();
    try {
      loki.setBehaviour({ delayMs: 300 });
      const t0 = performance.now();
      const res = await post(loki.pushUrl, line(), HEADERS);
      const elapsed = performance.now() - t0;
      assert.equal(res.status, 204);
      assert.ok(elapsed >= 280, `answered after ${elapsed} ms`);
      assert.equal(loki.entries.length, 1);
      loki.setBehaviour({});
      const t1 = performance.now();
      await post(loki.pushUrl, line(), HEADERS);
      assert.ok(performance.now() - t1 < 200);
    } finally {
      await loki.close();
    }
  });

  it('answers the injected status and does not record the data', async () => {
    const loki = await startLokiReceiver();
    try {
      loki.setBehaviour({ status: 503 });
      const res = await post(loki.pushUrl, line(), HEADERS);
      assert.equal(res.status, 503);
      assert.equal(loki.entries.length, 0);
      assert.equal(loki.requests, 1);
      assert.equal(loki.requestLog[0]!.status, 503);
      loki.setBehaviour({});
      assert.equal((await post(loki.pushUrl, line(), HEADERS)).status, 204);
      assert.equal(loki.entries.length, 1);
    } finally {
      await loki.close();
    }
  });

  it('hangs: never answers, and close() destroys the connection promptly', async () => {
    const loki = await startLokiReceiver();
    loki.setBehaviour({ hang: true });
    const pending = post(loki.pushUrl, line(), HEADERS, 4_000);
    await loki.waitFor((r) => r.requestLog.some((q) => q.bodyBytes > 0), { timeoutMs: 2_000 });
    const outcome = await Promise.race([
      pending.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('still pending'), 300)),
    ]);
    assert.equal(outcome, 'still pending');
    const t0 = performance.now();
    await loki.close();
    await assert.rejects(pending, (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET');
    assert.ok(performance.now() - t0 < 1_000);
    assert.equal(loki.entries.length, 0);
  });

  it('stop() refuses connections on the port; restart() listens on the same port again', async () => {
    const loki = await startLokiReceiver();
    try {
      const port = loki.port;
      assert.equal((await post(loki.pushUrl, line(), HEADERS)).status, 204);
      await loki.stop();
      await assert.rejects(post(loki.pushUrl, line(), HEADERS), (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, 'ECONNREFUSED');
        return true;
      });
      await loki.restart();
      assert.equal(loki.port, port);
      assert.equal((await post(loki.pushUrl, line(), HEADERS)).status, 204);
      assert.equal(loki.entries.length, 2, 'data survives stop/restart');
    } finally {
      await loki.close();
    }
  });

  it('a backend that arrives late can be started on a port chosen before', async () => {
    const port = await getFreePort();
    const url = `http://127.0.0.1:${port}/loki/api/v1/push`;
    await assert.rejects(post(url, line(), HEADERS), { code: 'ECONNREFUSED' });
    const loki = await startLokiReceiver({ port });
    try {
      assert.equal(loki.url, `http://127.0.0.1:${port}`);
      assert.equal((await post(url, line(), HEADERS)).status, 204);
    } finally {
      await loki.close();
    }
  });

  it('waitFor rejects with a message naming the receiver on timeout, resolves as soon as data arrives', async () => {
    const loki = await startLokiReceiver();
    try {
      await assert.rejects(
        loki.waitFor((r) => r.entries.length > 0, { timeoutMs: 100, description: 'a log line' }),
        /loki receiver at http:\/\/127\.0\.0\.1:\d+: waitFor for a log line timed out after 100 ms/,
      );
      const waiting = loki.waitFor((r) => r.entries.length > 0, { timeoutMs: 2_000 });
      await post(loki.pushUrl, line(), HEADERS);
      await waiting;
    } finally {
      await loki.close();
    }
  });

  it('startAllReceivers gives the env an app needs, and close() closes all three', async () => {
    const all = await startAllReceivers();
    const { jaeger, pyroscope, loki } = all;
    assert.deepEqual(all.env, {
      OTEL_EXPORTER_JAEGER_ENDPOINT: `http://127.0.0.1:${jaeger.port}/api/traces`,
      OTEL_TRACES_EXPORTER: 'jaeger',
      PYROSCOPE_SERVER_ADDRESS: `http://127.0.0.1:${pyroscope.port}`,
      LOKI_URL: `http://127.0.0.1:${loki.port}`,
    });
    assert.equal(new Set([jaeger.port, pyroscope.port, loki.port]).size, 3);
    for (const r of [jaeger, pyroscope, loki]) {
      assert.equal((await post(`${r.url}/nope`, 'x')).status, 404);
    }
    await all.close();
    for (const r of [jaeger, pyroscope, loki]) {
      await assert.rejects(post(`${r.url}/ready`, ''), { code: 'ECONNREFUSED' });
    }
  });
});
