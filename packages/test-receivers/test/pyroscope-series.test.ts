// The Pyroscope receiver counts series and refuses data as Pyroscope v1.18.1 does (profiles encoded with
// pprof-format, sent as @pyroscope/nodejs sends them).
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, afterEach, describe, it } from 'node:test';
import {
  startPyroscopeReceiver,
  type PyroscopeReceiver,
  type PyroscopeReceiverOptions,
} from '../src/index.js';
import { post } from './http-helpers.js';
import {
  HEAP_SAMPLE_TYPES,
  buildProfile,
  ingestUrl,
  spanSample,
  upload,
  type SampleSpec,
} from './pprof-builder.js';

const NAME = 'rideshare{region=eu-north}';
const spanId = (i: number) => (0x8000000000000000n + BigInt(i)).toString(16);
const traceId = (i: number) => `${'0'.repeat(24)}${i.toString(16).padStart(8, '0')}`;
const SERIES_LIMIT_MESSAGE = (active: number, limit: number) =>
  'pushing IngestInput-pprof failed push series with index 0 and id  failed: resource_exhausted: ' +
  `Maximum active series limit exceeded (${active}/${limit}), reduce the number of active streams (reduce labels ` +
  'or reduce label values), or contact your administrator to see if the limit can be increased';

const receivers: PyroscopeReceiver[] = [];
async function start(opts?: PyroscopeReceiverOptions): Promise<PyroscopeReceiver> {
  const receiver = await startPyroscopeReceiver(opts);
  receivers.push(receiver);
  return receiver;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const errorBody = (body: string) => JSON.parse(body) as { code: string; message: string };

describe('pyroscope receiver: series', () => {
  it('makes one series per sample-label group and sample type; span_id is kept per sample, not a series label', async () => {
    const pyroscope = await start();
    const samples: SampleSpec[] = [
      ...Array.from({ length: 50 }, (_, i) => spanSample(spanId(i), 'CarHandler')),
      { values: [2, 20_000_000, 0] }, // no labels: the series labels alone
    ];
    const res = await upload(pyroscope.url, NAME, { samples });
    assert.equal(res.status, 200, res.body);
    assert.equal(pyroscope.seriesCount(), 6, '2 label groups × 3 sample types, whatever the number of spans');
    assert.equal(pyroscope.seriesCount('rideshare'), 6);
    assert.equal(pyroscope.seriesCount('load-generator'), 0);
    const cpu = pyroscope
      .seriesLabelSets('rideshare')
      .find((l) => l['__type__'] === 'cpu' && l['span_name'] === 'CarHandler');
    assert.deepEqual(cpu, {
      __name__: 'wall',
      __period_type__: 'wall',
      __period_unit__: 'nanoseconds',
      __profile_type__: 'wall:cpu:nanoseconds:wall:nanoseconds',
      __service_name__: 'rideshare',
      __type__: 'cpu',
      __unit__: 'nanoseconds',
      pyroscope_spy: 'nodespy',
      region: 'eu-north',
      service_name: 'rideshare',
      span_name: 'CarHandler',
    });
    assert.deepEqual([...new Set(pyroscope.seriesLabelSets().map((l) => l['__profile_type__']))].sort(), [
      'wall:cpu:nanoseconds:wall:nanoseconds',
      'wall:samples:count:wall:nanoseconds',
      'wall:wall:nanoseconds:wall:nanoseconds',
    ]);
    assert.ok(pyroscope.seriesLabelSets().every((l) => !('span_id' in l)));
    // the same spans again, and 50 new ones: no new series
    await upload(pyroscope.url, NAME, {
      samples: Array.from({ length: 100 }, (_, i) => spanSample(spanId(i), 'CarHandler')),
    });
    assert.equal(pyroscope.seriesCount(), 6);
    assert.deepEqual(pyroscope.uploads[0]!.series.length, 6);
    assert.deepEqual(pyroscope.rejections, []);
  });

  it('renames profile_id to span_id: it makes no series either', async () => {
    const pyroscope = await start();
    const samples: SampleSpec[] = [
      ...Array.from({ length: 20 }, (_, i) => ({
        values: [1, 1, 1],
        labels: { profile_id: spanId(i), span_name: 'CarHandler' },
      })),
      spanSample(spanId(99), 'CarHandler'),
    ];
    assert.equal((await upload(pyroscope.url, NAME, { samples })).status, 200);
    assert.equal(
      pyroscope.seriesCount(),
      3,
      'profile_id and span_id samples of one span name share its series',
    );
    assert.ok(pyroscope.seriesLabelSets().every((l) => !('profile_id' in l) && !('span_id' in l)));
  });

  it('makes every other sample label a series label: trace_id makes a series per trace', async () => {
    const pyroscope = await start();
    const samples = Array.from({ length: 20 }, (_, i) =>
      spanSample(spanId(i), 'CarHandler', { trace_id: traceId(i) }),
    );
    assert.equal((await upload(pyroscope.url, NAME, { samples })).status, 200);
    assert.equal(pyroscope.seriesCount(), 60, '20 traces × 3 sample types');
    assert.deepEqual(
      new Set(pyroscope.seriesLabelSets().map((l) => l['trace_id'])),
      new Set(Array.from({ length: 20 }, (_, i) => traceId(i))),
    );
    const more = Array.from({ length: 5 }, (_, i) =>
      spanSample(spanId(100 + i), 'CarHandler', { trace_id: traceId(100 + i) }),
    );
    await upload(pyroscope.url, NAME, { samples: more });
    assert.equal(pyroscope.seriesCount(), 75, 'every new trace adds its own series');
  });

  it('numeric labels and all-zero samples make no series (Normalize)', async () => {
    const pyroscope = await start();
    const samples: SampleSpec[] = [
      { values: [1, 1, 1], numLabels: { thread: 7 } },
      { values: [0, 0, 0], labels: { span_name: 'Idle' } },
    ];
    assert.equal((await upload(pyroscope.url, NAME, { samples })).status, 200);
    assert.equal(pyroscope.seriesCount(), 3);
    assert.ok(pyroscope.seriesLabelSets().every((l) => !('thread' in l) && !('span_name' in l)));
  });

  it('names a heap profile `memory`, and sanitizes dotted tag names as the server does', async () => {
    const pyroscope = await start();
    const res = await upload(pyroscope.url, 'load-generator{otel.scope.name=nodejs,region=us-east}', {
      sampleTypes: HEAP_SAMPLE_TYPES,
      periodType: 'space/bytes',
      samples: [{ values: [3, 300] }],
    });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(
      pyroscope
        .seriesLabelSets()
        .map((l) => l['__profile_type__'])
        .sort(),
      ['memory:objects:count:space:bytes', 'memory:space:bytes:space:bytes'],
    );
    const labels = pyroscope.seriesLabelSets()[0]!;
    assert.equal(labels['otel_scope_name'], 'nodejs');
    assert.equal(labels['service_name'], 'load-generator');
    assert.ok(!('otel.scope.name' in labels));
  });

  it('keeps a sample with a span_id that is not 16 hex characters (without its span) and says so', async () => {
    const pyroscope = await start();
    const res = await upload(pyroscope.url, NAME, { samples: [spanSample('not-a-span-id', 'CarHandler')] });
    assert.equal(res.status, 200);
    assert.equal(pyroscope.seriesCount(), 3);
    assert.deepEqual(pyroscope.uploads[0]!.problems, [
      '1 samples have a span_id that is not 16 hex characters (kept without a span)',
    ]);
  });
});

describe('pyroscope receiver: limits', () => {
  after(() => undefined);

  it('refuses new series past the default 5,000 active series with 422 and the server message', async () => {
    const pyroscope = await start();
    const samples = Array.from({ length: 1700 }, (_, i) =>
      spanSample(spanId(i), 'CarHandler', { trace_id: traceId(i) }),
    );
    const res = await upload(pyroscope.url, NAME, { samples });
    assert.equal(res.status, 422);
    assert.equal(
      res.body,
      `${JSON.stringify({ code: 'unknown', message: SERIES_LIMIT_MESSAGE(5000, 5000) })}\n`,
    );
    assert.equal(pyroscope.seriesCount(), 5000, 'what came before the refused series stays active');
    assert.equal(pyroscope.uploads.length, 0);
    assert.deepEqual(
      pyroscope.rejections.map((r) => ({
        status: r.status,
        reason: r.reason,
        message: r.message,
        tenant: r.tenant,
      })),
      [
        {
          status: 422,
          reason: 'series_limit',
          message: SERIES_LIMIT_MESSAGE(5000, 5000),
          tenant: 'anonymous',
        },
      ],
    );
  });

  it('takes a configured limit, and still takes data for series already active', async () => {
    const pyroscope = await start({ limits: { maxGlobalSeriesPerTenant: 10 } });
    const traces = (n: number) =>
      Array.from({ length: n }, (_, i) => spanSample(spanId(i), 'CarHandler', { trace_id: traceId(i) }));
    assert.equal((await upload(pyroscope.url, NAME, { samples: traces(3) })).status, 200);
    assert.equal(pyroscope.seriesCount(), 9);
    const refused = await upload(pyroscope.url, NAME, { samples: traces(4) });
    assert.equal(refused.status, 422);
    assert.equal(errorBody(refused.body).message, SERIES_LIMIT_MESSAGE(10, 10));
    assert.equal(pyroscope.seriesCount(), 10);
    assert.equal(
      (await upload(pyroscope.url, NAME, { samples: traces(3) })).status,
      200,
      'active series are fine',
    );
    const off = await start({ limits: { maxGlobalSeriesPerTenant: 0 } });
    assert.equal(
      (await upload(off.url, NAME, { samples: traces(2000) })).status,
      200,
      '0 disables the limit',
    );
    assert.equal(off.seriesCount(), 6000);
  });

  it('forgets series 10 minutes after their last write', async () => {
    let now = Date.now();
    const pyroscope = await start({ limits: { maxGlobalSeriesPerTenant: 3 }, clock: () => now });
    assert.equal((await upload(pyroscope.url, NAME, { samples: [spanSample(spanId(1), 'A')] })).status, 200);
    assert.equal((await upload(pyroscope.url, NAME, { samples: [spanSample(spanId(1), 'B')] })).status, 422);
    now += 10 * 60_000 + 1;
    assert.equal(pyroscope.seriesCount(), 0);
    assert.equal((await upload(pyroscope.url, NAME, { samples: [spanSample(spanId(1), 'B')] })).status, 200);
  });

  it('refuses too many label names, too long values, bad names, too many samples and sample labels: 422', async () => {
    const pyroscope = await start();
    const refusal = async (samples: SampleSpec[], name = NAME) => {
      const res = await upload(pyroscope.url, name, { samples });
      assert.equal(res.status, 422, res.body);
      return errorBody(res.body).message;
    };
    const prefix =
      'pushing IngestInput-pprof failed push series with index 0 and id  failed: invalid_argument: ';
    // series labels: __name__, __delta__, pyroscope_spy, service_name, region = 5; + 26 sample labels = 31
    const many = Object.fromEntries(
      Array.from({ length: 26 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v']),
    );
    const tooMany = await refusal([{ values: [1, 1, 1], labels: many }]);
    assert.ok(
      tooMany.startsWith(`${prefix}profile series '{__delta__="false", __name__="wall", l00="v", `),
      tooMany,
    );
    assert.ok(tooMany.endsWith(`' has 31 label names; limit 30`), tooMany);
    assert.equal(
      (
        await upload(pyroscope.url, NAME, {
          samples: [{ values: [1, 1, 1], labels: Object.fromEntries(Object.entries(many).slice(1)) }],
        })
      ).status,
      200,
      '30 label names are fine',
    );
    const long = 'x'.repeat(2049);
    assert.match(
      await refusal([{ values: [1, 1, 1], labels: { note: long } }]),
      new RegExp(`has label value too long: '${long}'$`),
    );
    assert.match(
      await refusal([{ values: [1, 1, 1], labels: { 'a-b': 'v' } }]),
      /with error: invalid label name 'a-b'$/,
    );
    const samples16001 = Array.from({ length: 16001 }, (_, i) => ({ stack: [`f${i}`], values: [1, 1, 1] }));
    assert.match(
      await refusal(samples16001),
      /exceeds the samples count limit \(max_profile_stacktrace_samples, actual: 16001, limit: 16000\)$/,
    );
    const labels101 = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
    assert.match(
      await refusal([{ values: [1, 1, 1], labels: labels101 }]),
      /exceeds the sample labels limit \(max_profile_stacktrace_sample_labels, actual: 101, limit: 100\)$/,
    );
    assert.deepEqual(
      pyroscope.rejections.map((r) => r.reason),
      [
        'max_label_names_per_series',
        'label_value_too_long',
        'invalid_labels',
        'samples_limit',
        'sample_labels_limit',
      ],
    );
    assert.equal(pyroscope.seriesCount(), 3, 'refused profiles add no series');
  });

  it('refuses profiles outside the ingestion window (1 h back, 10 min ahead)', async () => {
    const now = Date.parse('2026-12-02T12:00:00.000Z');
    const pyroscope = await start({ clock: () => now });
    const old = await upload(pyroscope.url, NAME, {
      samples: [{ values: [1, 1, 1] }],
      timeMs: now - 61 * 60_000,
    });
    assert.equal(old.status, 422);
    assert.equal(
      errorBody(old.body).message,
      'pushing IngestInput-pprof failed push series with index 0 and id  failed: invalid_argument: profile with labels ' +
        `'{__delta__="false", __name__="wall", pyroscope_spy="nodespy", region="eu-north", service_name="rideshare"}' ` +
        'is outside of ingestion window (profile timestamp: 2026-12-02 10:59:00 +0000 UTC, the ingestion window starts ' +
        'at 2026-12-02 11:00:00 +0000 UTC and ends at 2026-12-02 12:10:00 +0000 UTC)',
    );
    const ahead = await upload(pyroscope.url, NAME, {
      samples: [{ values: [1, 1, 1] }],
      timeMs: now + 11 * 60_000,
    });
    assert.equal(ahead.status, 422);
    assert.equal(pyroscope.rejections[1]!.reason, 'not_in_ingestion_window');
  });

  it('refuses a profile over the uncompressed size limit, and bad names with 400', async () => {
    const pyroscope = await start({ limits: { maxProfileSizeBytes: 1000 } });
    const big = Array.from({ length: 200 }, (_, i) => ({ stack: [`function${i}`], values: [1, 1, 1] }));
    const res = await upload(pyroscope.url, NAME, { samples: big });
    assert.equal(res.status, 422);
    assert.equal(
      errorBody(res.body).message,
      'parsing IngestInput-pprof failed invalid_argument: decompressed size exceeds maximum allowed size of 1000 bytes',
    );
    const badName = await upload(pyroscope.url, 'my app{region=x}', { samples: [{ values: [1, 1, 1] }] });
    assert.equal(badName.status, 400);
    assert.deepEqual(errorBody(badName.body), {
      code: 'invalid_argument',
      message: "name: invalid service name: my app: character is not allowed: ' '",
    });
    const badTag = await upload(pyroscope.url, 'app{a-b=x}', { samples: [{ values: [1, 1, 1] }] });
    assert.equal(
      errorBody(badTag.body).message,
      "name: invalid label name: a-b: character is not allowed: '-'",
    );
    const noName = await post(
      ingestUrl(pyroscope.url, { format: 'pprof' }),
      gzipSync(buildProfile({ samples: [] })),
    );
    assert.equal(errorBody(noName.body).message, 'name: service name is required');
  });

  it('applies the ingestion rate limit (configurable), refusing with 422 resource_exhausted', async () => {
    let now = Date.now();
    // 2 KiB/s with a 4 KiB burst
    const pyroscope = await start({
      limits: { ingestionRateMB: 2 / 1024, ingestionBurstSizeMB: 4 / 1024 },
      clock: () => now,
    });
    const samples = Array.from({ length: 40 }, (_, i) => ({ stack: [`fn${i}`, 'main'], values: [1, 1, 1] }));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await upload(pyroscope.url, NAME, { samples })).status);
    assert.deepEqual(statuses, [200, 200, 422]);
    assert.match(
      pyroscope.rejections[0]!.message,
      /failed: resource_exhausted: push rate limit \(2\.0 KiB\) exceeded while adding 1\.\d KiB$/,
    );
    now += 1000;
    assert.equal((await upload(pyroscope.url, NAME, { samples })).status, 200, 'the bucket refills');
  });
});
