import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Function as PprofFunction, Location, Profile, StringTable, ValueType } from 'pprof-format';
import { parsePyroscopeName, startPyroscopeReceiver, type PyroscopeReceiver } from '../src/index.js';
import { post } from './http-helpers.js';

/** A wall profile shaped like @pyroscope/nodejs's: samples/count, wall/nanoseconds, cpu/nanoseconds. */
function buildProfile(): Uint8Array {
  const st = new StringTable();
  const fn = (id: number, name: string) =>
    new PprofFunction({ id, name: st.dedup(name), systemName: st.dedup(name), filename: st.dedup('app.js') });
  const functions = [fn(1, '(root)'), fn(2, 'handler'), fn(3, 'checkDriverAvailability'), fn(4, 'burnCpu')];
  const locations = [
    new Location({ id: 1, line: [{ functionId: 1, line: 1 }] }),
    new Location({ id: 2, line: [{ functionId: 2, line: 10 }] }),
    // inlined: burnCpu inlined into checkDriverAvailability (innermost first)
    new Location({
      id: 3,
      line: [
        { functionId: 4, line: 30 },
        { functionId: 3, line: 20 },
      ],
    }),
  ];
  const label = (k: string, v: string) => ({ key: st.dedup(k), str: st.dedup(v) });
  const profile = new Profile({
    sampleType: [
      new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') }),
      new ValueType({ type: st.dedup('wall'), unit: st.dedup('nanoseconds') }),
      new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    ],
    periodType: new ValueType({ type: st.dedup('wall'), unit: st.dedup('nanoseconds') }),
    period: 10_000_000,
    function: functions,
    location: locations,
    sample: [
      {
        locationId: [3, 2, 1],
        value: [3, 30_000_000, 29_000_000],
        label: [label('span_id', '8000000000000001'), label('span_name', 'CarHandler')],
      },
      { locationId: [2, 1], value: [1, 10_000_000, 0], label: [{ key: st.dedup('thread'), num: 7 }] },
    ],
    stringTable: st,
    timeNanos: BigInt(Date.now()) * 1_000_000n,
    durationNanos: 10_000_000_000,
  });
  return profile.encode();
}

const NAME = 'rideshare{region=eu-north,service_name=rideshare}';

function ingestUrl(base: string, params: Record<string, string>): string {
  return `${base}/ingest?${new URLSearchParams(params).toString()}`;
}

describe('pyroscope receiver', () => {
  let receiver: PyroscopeReceiver;
  before(async () => {
    receiver = await startPyroscopeReceiver();
  });
  after(async () => {
    await receiver.close();
  });
  beforeEach(() => receiver.clear());

  it('decodes a gzipped pprof upload: query, name tags, stacks leaf first, values by type, labels', async () => {
    const from = Math.floor(Date.now() / 1000) - 10;
    const url = ingestUrl(receiver.url, {
      format: 'pprof',
      from: String(from),
      name: NAME,
      spyName: 'nodespy',
      until: String(from + 10),
      sampleRate: '100',
    });
    const res = await post(url, gzipSync(buildProfile()), { 'content-type': 'application/octet-stream' });
    assert.equal(res.status, 200);
    assert.deepEqual(receiver.errors, []);
    assert.equal(receiver.uploads.length, 1);
    const u = receiver.uploads[0]!;
    assert.deepEqual(
      { ...u.query, raw: undefined },
      {
        name: NAME,
        from,
        until: from + 10,
        sampleRate: 100,
        spyName: 'nodespy',
        format: 'pprof',
        appName: 'rideshare',
        tags: { region: 'eu-north', service_name: 'rideshare' },
        raw: undefined,
      },
    );
    assert.deepEqual(u.problems, []);
    assert.deepEqual(u.sampleTypes, ['samples/count', 'wall/nanoseconds', 'cpu/nanoseconds']);
    assert.deepEqual(u.samples[0], {
      stack: ['burnCpu', 'checkDriverAvailability', 'handler', '(root)'],
      values: { 'samples/count': 3, 'wall/nanoseconds': 30_000_000, 'cpu/nanoseconds': 29_000_000 },
      labels: { span_id: '8000000000000001', span_name: 'CarHandler' },
      numLabels: {},
    });
    assert.deepEqual(u.samples[1], {
      stack: ['handler', '(root)'],
      values: { 'samples/count': 1, 'wall/nanoseconds': 10_000_000, 'cpu/nanoseconds': 0 },
      labels: {},
      numLabels: { thread: 7 },
    });
    assert.equal(Number(u.profile.period), 10_000_000);
    assert.equal(receiver.allSamples('rideshare').length, 2);
    assert.equal(receiver.allSamples('other').length, 0);
  });

  it('accepts multipart/form-data with a profile field and flags sampleRate=NaN', async () => {
    const boundary = 'XyZboundary42';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="profile"; filename="profile.pprof"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      gzipSync(buildProfile()),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const url = ingestUrl(receiver.url, {
      format: 'pprof',
      from: '1',
      until: '2',
      name: 'app',
      spyName: 'nodespy',
      sampleRate: 'NaN',
    });
    const res = await post(url, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    assert.equal(res.status, 200, res.body);
    const u = receiver.uploads[0]!;
    assert.equal(u.samples.length, 2);
    assert.equal(u.samples[0]!.stack[0], 'burnCpu');
    assert.deepEqual(u.query.tags, {});
    assert.equal(u.query.appName, 'app');
    assert.ok(Number.isNaN(u.query.sampleRate));
    assert.equal(u.query.raw['sampleRate'], 'NaN');
    assert.deepEqual(u.problems, ['sampleRate is not a positive number: NaN']);
  });

  it('answers 422 (as Pyroscope does on /ingest) on a body that is not pprof, and counts it as an error', async () => {
    const url = ingestUrl(receiver.url, {
      format: 'pprof',
      name: 'app',
      from: '1',
      until: '2',
      sampleRate: '100',
    });
    const res = await post(url, gzipSync(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), {
      'content-type': 'application/octet-stream',
    });
    assert.equal(res.status, 422);
    const body = JSON.parse(res.body) as { code: string; message: string };
    assert.equal(body.code, 'unknown');
    assert.match(body.message, /^parsing IngestInput-pprof failed invalid_argument: /);
    assert.equal(receiver.uploads.length, 0);
    assert.equal(receiver.errors.length, 1);
    assert.equal(receiver.rejections.length, 1);
    assert.equal(receiver.rejections[0]!.status, 422);
  });

  it('parses names with and without tags', () => {
    assert.deepEqual(parsePyroscopeName(NAME), {
      appName: 'rideshare',
      tags: { region: 'eu-north', service_name: 'rideshare' },
    });
    assert.deepEqual(parsePyroscopeName('a.b{}'), { appName: 'a.b', tags: {} });
    assert.deepEqual(parsePyroscopeName('plain'), { appName: 'plain', tags: {} });
  });
});
