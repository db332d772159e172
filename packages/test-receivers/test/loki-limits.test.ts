// The Loki receiver counts streams and refuses data as Loki v3.5.0 does.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { startLokiReceiver, type LokiReceiver, type LokiReceiverOptions } from '../src/index.js';
import { post } from './http-helpers.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

type Values = ([string, string] | [string, string, Record<string, string>])[];
const push = (loki: LokiReceiver, streams: { stream: Record<string, string>; values: Values }[]) =>
  post(loki.pushUrl, JSON.stringify({ streams }), JSON_HEADERS);
const app = (level: string, extra: Record<string, string> = {}) => ({
  service_name: 'rideshare',
  region: 'eu-north',
  level,
  ...extra,
});

const receivers: LokiReceiver[] = [];
async function start(opts: LokiReceiverOptions = {}): Promise<LokiReceiver> {
  const receiver = await startLokiReceiver({ clock: () => NOW, ...opts });
  receivers.push(receiver);
  return receiver;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('loki receiver: streams and limits', () => {
  it('counts one stream per label set, however many lines', async () => {
    const loki = await start();
    for (let i = 0; i < 3; i++) {
      const res = await push(loki, [
        {
          stream: app('info'),
          values: [
            [ns(NOW + i), 'a'],
            [ns(NOW + i), 'b'],
          ],
        },
        { stream: app('warn'), values: [[ns(NOW + i), 'c']] },
        { stream: { ...app('info'), region: 'us-east' }, values: [[ns(NOW + i), 'd']] },
      ]);
      assert.equal(res.status, 204, res.body);
    }
    assert.equal(loki.entries.length, 12);
    assert.equal(loki.streamCount(), 3);
    assert.deepEqual(loki.streamLabelSets()[1], {
      level: 'warn',
      region: 'eu-north',
      service_name: 'rideshare',
    });
    assert.deepEqual(loki.rejections, []);
  });

  it('refuses a new stream past the default 5,000 with 429 and the server message; the other streams go in', async () => {
    const loki = await start();
    const streams = Array.from({ length: 5001 }, (_, i) => ({
      stream: app('info', { order: String(i) }),
      values: [[ns(NOW), 'x']] as Values,
    }));
    const res = await push(loki, streams);
    assert.equal(res.status, 429);
    assert.equal(
      res.body,
      'Maximum active stream limit exceeded when trying to create stream {level="info", order="5000", region="eu-north", ' +
        'service_name="rideshare"}, reduce the number of active streams (reduce labels or reduce label values), or ' +
        "contact your Loki administrator to see if the limit can be increased, user: 'fake'\n",
    );
    assert.equal(loki.streamCount(), 5000);
    assert.equal(loki.entries.length, 5000);
    assert.equal(loki.rejections[0]!.reason, 'stream_limit');
  });

  it('answers only the last stream’s outcome: a refused stream followed by a good one is a 204', async () => {
    const loki = await start({ limits: { maxGlobalStreamsPerUser: 2 } });
    assert.equal(
      (
        await push(loki, [
          { stream: app('info'), values: [[ns(NOW), 'a']] },
          { stream: app('warn'), values: [[ns(NOW), 'b']] },
        ])
      ).status,
      204,
    );
    const newLast = await push(loki, [
      { stream: app('info'), values: [[ns(NOW), 'c']] },
      { stream: app('error'), values: [[ns(NOW), 'd']] },
    ]);
    assert.equal(newLast.status, 429);
    const newFirst = await push(loki, [
      { stream: app('error'), values: [[ns(NOW), 'e']] },
      { stream: app('info'), values: [[ns(NOW), 'f']] },
    ]);
    assert.equal(newFirst.status, 204, 'the client is not told');
    assert.deepEqual(
      loki.entries.map((e) => e.line),
      ['a', 'b', 'c', 'f'],
    );
    assert.deepEqual(
      loki.rejections.map((r) => [r.status, r.reason]),
      [
        [429, 'stream_limit'],
        [204, 'stream_limit'],
      ],
    );
  });

  it('refuses streams with more than 15 label names (service_name not counted), too long names and values: 400, the rest of the push goes in', async () => {
    const loki = await start();
    const labels = (n: number) => ({
      service_name: 's',
      ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v'])),
    });
    const ok = await push(loki, [{ stream: labels(15), values: [[ns(NOW), 'fifteen']] }]);
    assert.equal(ok.status, 204, ok.body);
    const res = await push(loki, [
      { stream: labels(16), values: [[ns(NOW), 'sixteen']] },
      { stream: app('info'), values: [[ns(NOW), 'good']] },
    ]);
    assert.equal(res.status, 400);
    const sixteen = Object.entries(labels(16))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ');
    assert.equal(res.body, `entry for stream '{${sixteen}}' has 16 label names; limit 15\n`);
    assert.deepEqual(
      loki.entries.map((e) => e.line),
      ['fifteen', 'good'],
      'the valid stream of the push is stored',
    );
    const value = 'v'.repeat(2049);
    const long = await push(loki, [{ stream: app('info', { note: value }), values: [[ns(NOW), 'x']] }]);
    assert.equal(
      long.body,
      `stream '{level="info", note="${value}", region="eu-north", service_name="rideshare"}' has label value too long: '${value}'\n`,
    );
    const name = 'n'.repeat(1025);
    const longName = await push(loki, [{ stream: app('info', { [name]: 'v' }), values: [[ns(NOW), 'x']] }]);
    assert.match(longName.body, new RegExp(`has label name too long: '${name}'\\n$`));
    assert.deepEqual(
      loki.rejections.map((r) => r.reason),
      ['max_label_names_per_series', 'label_value_too_long', 'label_name_too_long'],
    );
  });

  it('refuses a line over 256 KB (262144 bytes) with 400, keeps the other lines of the push', async () => {
    const loki = await start();
    const limit = 256 * 1024;
    const res = await push(loki, [
      {
        stream: app('info'),
        values: [
          [ns(NOW), 'a'.repeat(limit)],
          [ns(NOW + 1), 'b'.repeat(limit + 1)],
          [ns(NOW + 2), 'small'],
        ],
      },
    ]);
    assert.equal(res.status, 400);
    assert.equal(
      res.body,
      `Max entry size '262144' bytes exceeded for stream '{level="info", region="eu-north", service_name="rideshare"}' while adding an entry with length '262145' bytes\n`,
    );
    assert.deepEqual(
      loki.entries.map((e) => e.line.length),
      [limit, 5],
    );
    assert.equal(loki.rejections[0]!.reason, 'line_too_long');
    assert.equal(loki.truncatedLines, 0, 'not truncated by default');
    const utf8 = await push(loki, [{ stream: app('info'), values: [[ns(NOW), 'é'.repeat(limit / 2 + 1)]] }]);
    assert.equal(utf8.status, 400, 'the limit is in bytes');
  });

  it('with max_line_size_truncate, cuts long lines instead and counts them', async () => {
    const loki = await start({ limits: { maxLineSizeTruncate: true, maxLineSize: 10 } });
    const res = await push(loki, [{ stream: app('info'), values: [[ns(NOW), '0123456789abcdef']] }]);
    assert.equal(res.status, 204);
    assert.equal(loki.entries[0]!.line, '0123456789');
    assert.equal(loki.truncatedLines, 1);
  });

  it('refuses entries older than 7 days or more than 10 minutes ahead, grouping repeated errors', async () => {
    const loki = await start();
    const old = NOW - 8 * 24 * 3600_000;
    const res = await push(loki, [
      {
        stream: app('info'),
        values: [
          [ns(old), 'old'],
          [String(BigInt(ns(old)) + 1n), 'old too'],
          [ns(NOW + 11 * 60_000), 'ahead'],
          [ns(NOW), 'now'],
        ],
      },
    ]);
    assert.equal(res.status, 400);
    const stream = '{level="info", region="eu-north", service_name="rideshare"}';
    assert.equal(
      res.body,
      `2 errors like: entry for stream '${stream}' has timestamp too old: 2026-11-24T12:00:00Z, oldest acceptable timestamp is: 2026-11-25T12:00:00Z; ` +
        `1 errors like: entry for stream '${stream}' has timestamp too new: 2026-12-02T12:11:00Z\n`,
    );
    assert.deepEqual(
      loki.entries.map((e) => e.line),
      ['now'],
    );
    const off = await start({ limits: { rejectOldSamples: false } });
    assert.equal((await push(off, [{ stream: app('info'), values: [[ns(old), 'old']] }])).status, 204);
  });

  it('refuses too much structured metadata (128 entries, 64 KB) and, when disallowed, any', async () => {
    const loki = await start();
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    const tooMany = await push(loki, [{ stream: app('info'), values: [[ns(NOW), 'x', many]] }]);
    assert.match(
      tooMany.body,
      /has too many structured metadata labels: '129', limit: '128'\. Please see `limits_config\.max_structured_metadata_entries_count`/,
    );
    const big = { trace: 'x'.repeat(64 * 1024) };
    const tooBig = await push(loki, [{ stream: app('info'), values: [[ns(NOW), 'x', big]] }]);
    assert.match(tooBig.body, /has structured metadata too large: '65541' bytes, limit: '65536' bytes/);
    const ok = await push(loki, [{ stream: app('info'), values: [[ns(NOW), 'x', { trace_id: 'abc' }]] }]);
    assert.equal(ok.status, 204);
    const strict = await start({ limits: { allowStructuredMetadata: false } });
    const refused = await push(strict, [
      { stream: app('info'), values: [[ns(NOW), 'x', { trace_id: 'abc' }]] },
    ]);
    assert.match(refused.body, /includes structured metadata, but this feature is disallowed/);
  });

  it('applies the ingestion rate limit (4 MB/s, burst 6 MB; configurable) with 429 and stores nothing of that push', async () => {
    let now = NOW;
    const loki = await start({
      limits: { ingestionRateMB: 1 / 1024, ingestionBurstSizeMB: 2 / 1024 },
      clock: () => now,
    });
    const line = 'x'.repeat(700);
    const pushOne = () =>
      push(loki, [
        {
          stream: app('info'),
          values: [
            [ns(now), line],
            [ns(now), line],
          ],
        },
      ]);
    assert.equal((await pushOne()).status, 204);
    const limited = await pushOne();
    assert.equal(limited.status, 429);
    assert.equal(
      limited.body,
      "Ingestion rate limit exceeded for user fake (limit: 1024 bytes/sec) while attempting to ingest '2' lines totaling '1400' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n",
    );
    assert.equal(loki.entries.length, 2);
    now += 2000;
    assert.equal((await pushOne()).status, 204, 'the bucket refills');
    const defaults = await start();
    assert.equal(defaults.limits.ingestionRateMB, 4);
    assert.equal(defaults.limits.ingestionBurstSizeMB, 6);
  });

  it('answers 422 to a push without streams', async () => {
    const loki = await start();
    const res = await post(loki.pushUrl, JSON.stringify({ streams: [] }), JSON_HEADERS);
    assert.deepEqual(res, {
      status: 422,
      body: 'error at least one valid stream is required for ingestion\n',
    });
  });
});
