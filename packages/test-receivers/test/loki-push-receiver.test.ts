import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startLokiReceiver, type LokiReceiver } from '../src/index.js';
import { post, request } from './http-helpers.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

const T0 = BigInt(Date.now()) * 1_000_000n;
const ts = (i: number) => String(T0 + BigInt(i));

function pushBody() {
  return JSON.stringify({
    streams: [
      {
        stream: { service_name: 'rideshare', region: 'eu-north' },
        values: [
          [ts(1), '{"level":30,"msg":"order","trace_id":"abc"}'],
          [ts(2), 'plain text line', { trace_id: 'f0e1', span_id: '8000000000000001' }],
        ],
      },
      { stream: { service_name: 'loadgen' }, values: [[ts(3), '[1,2]']] },
    ],
  });
}

describe('loki receiver', () => {
  let receiver: LokiReceiver;
  before(async () => {
    receiver = await startLokiReceiver();
  });
  after(async () => {
    await receiver.close();
  });
  beforeEach(() => receiver.clear());

  it('decodes a plain JSON push: labels, timestamps, lines, parsed JSON, structured metadata; answers 204', async () => {
    const res = await post(receiver.pushUrl, pushBody(), JSON_HEADERS);
    assert.equal(res.status, 204);
    assert.deepEqual(receiver.entries, [
      {
        labels: { region: 'eu-north', service_name: 'rideshare' },
        timestampNs: ts(1),
        line: '{"level":30,"msg":"order","trace_id":"abc"}',
        json: { level: 30, msg: 'order', trace_id: 'abc' },
        tenant: 'fake',
      },
      {
        labels: { region: 'eu-north', service_name: 'rideshare' },
        timestampNs: ts(2),
        line: 'plain text line',
        metadata: { trace_id: 'f0e1', span_id: '8000000000000001' },
        tenant: 'fake',
      },
      {
        labels: { service_name: 'loadgen' },
        timestampNs: ts(3),
        line: '[1,2]',
        json: [1, 2],
        tenant: 'fake',
      },
    ]);
    assert.equal(receiver.streamCount(), 2);
    assert.equal(receiver.withLabels({ region: 'eu-north' }).length, 2);
  });

  it('undoes gzip and (raw, as Go flate reads it) deflate content-encoding; refuses zlib-wrapped deflate and br', async () => {
    const gz = await post(receiver.pushUrl, gzipSync(pushBody()), {
      ...JSON_HEADERS,
      'content-encoding': 'gzip',
    });
    assert.equal(gz.status, 204, gz.body);
    const df = await post(receiver.pushUrl, deflateRawSync(pushBody()), {
      'content-type': 'application/json; charset=utf-8',
      'content-encoding': 'deflate',
    });
    assert.equal(df.status, 204, df.body);
    assert.equal(receiver.entries.length, 6);
    assert.deepEqual(receiver.errors, []);
    const zlib = await post(receiver.pushUrl, deflateSync(pushBody()), {
      ...JSON_HEADERS,
      'content-encoding': 'deflate',
    });
    assert.equal(zlib.status, 400);
    const br = await post(receiver.pushUrl, pushBody(), { ...JSON_HEADERS, 'content-encoding': 'br' });
    assert.deepEqual(br, { status: 400, body: 'Content-Encoding "br" not supported\n' });
    assert.equal(receiver.entries.length, 6);
  });

  it('refuses protobuf with 415 and a clear message, and bad JSON pushes with 400', async () => {
    const pb = await post(receiver.pushUrl, Buffer.from([0x0a, 0x00]), {
      'content-type': 'application/x-protobuf',
    });
    assert.equal(pb.status, 415);
    assert.match(pb.body, /only decodes JSON/);
    const noType = await post(receiver.pushUrl, pushBody(), {});
    assert.deepEqual(noType, { status: 400, body: 'mime: no media type\n' });
    const numberTs = await post(
      receiver.pushUrl,
      JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[1, 'x']] }] }),
      JSON_HEADERS,
    );
    assert.equal(numberTs.status, 400);
    assert.match(numberTs.body, /unix nanoseconds/);
    const notJson = await post(receiver.pushUrl, '{nope', JSON_HEADERS);
    assert.equal(notJson.status, 400);
    assert.equal(receiver.errors.length, 4);
    assert.equal(receiver.entries.length, 0);
  });

  it('a stream without labels gets service_name=unknown_service, as Loki discovers it', async () => {
    const res = await post(
      receiver.pushUrl,
      JSON.stringify({
        streams: [
          { stream: {}, values: [[ts(1), 'x']] },
          { stream: { app: 'shop', empty: '' }, values: [[ts(2), 'y']] },
        ],
      }),
      JSON_HEADERS,
    );
    assert.equal(res.status, 204, res.body);
    assert.deepEqual(
      receiver.entries.map((e) => e.labels),
      [{ service_name: 'unknown_service' }, { app: 'shop', service_name: 'shop' }],
    );
  });

  it('serves GET /ready', async () => {
    const res = await request('GET', `${receiver.url}/ready`, undefined);
    assert.deepEqual(res, { status: 200, body: 'ready' });
  });
});
