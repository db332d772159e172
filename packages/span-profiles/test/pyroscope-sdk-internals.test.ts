/**
 * What pyroscope-sdk-internals.ts reaches for in @pyroscope/nodejs, checked against the installed SDK: an
 * upgrade that moves any of it fails here, with the message naming the module, before it fails in a service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Pyroscope from '@pyroscope/nodejs';
import {
  checkSdkInternals,
  pyroscopeSdkInternals,
  type ProfileExporter,
} from '../src/pyroscope-sdk-internals.js';

test('the installed @pyroscope/nodejs has the registry, the exporter field and the builders we reuse', async () => {
  const password = randomUUID();
  Pyroscope.init({
    appName: 'internals-test',
    serverAddress: 'http://127.0.0.1:4040',
    tags: { region: 'eu-north' },
    basicAuthUser: 'profiler',
    basicAuthPassword: password,
    tenantID: 'team-a',
  });
  const sdk = await pyroscopeSdkInternals(); // throws "… no longer has …, which pyroscope-sdk-internals.ts reaches for"

  const url = sdk.exporter.buildEndpointUrl({
    profile: {},
    sampleRate: 100,
    startedAt: new Date(10_000),
    stoppedAt: new Date(20_000),
  });
  assert.equal(url.origin + url.pathname, 'http://127.0.0.1:4040/ingest');
  assert.equal(url.searchParams.get('sampleRate'), '100');
  assert.equal(url.searchParams.get('from'), '10');
  assert.match(url.searchParams.get('name') ?? '', /^internals-test\{.*region=eu-north/);
  const headers = sdk.exporter.buildRequestHeaders();
  assert.equal(
    headers.get('authorization'),
    `Basic ${Buffer.from(`profiler:${password}`).toString('base64')}`,
  );
  assert.equal(headers.get('x-scope-orgid'), 'team-a');
  assert.equal(typeof sdk.exporter.buildUploadProfileBody, 'function');
});

test('an SDK without what we reach for fails loudly, naming the module, what moved and the version', () => {
  const exporter = { export: async () => {} };
  const moved = { wallProfiler: { exporter }, heapProfiler: { exporter } };
  assert.throws(
    () => checkSdkInternals(moved, '0.7.0'),
    /@pyroscope\/nodejs 0\.7\.0 no longer has the exporter's buildEndpointUrl\(\), which pyroscope-sdk-internals\.ts reaches for/,
  );
  assert.throws(
    () => checkSdkInternals({ wallProfiler: {} }, '0.7.0'),
    /no longer has wallProfiler\.exporter/,
  );
});

test('each profile kind gets its own exporter', () => {
  const shared = {
    export: async () => {},
    buildEndpointUrl: () => new URL('http://x/ingest'),
    buildRequestHeaders: () => new Headers(),
    buildUploadProfileBody: async () => new Uint8Array(),
  };
  const sdkProfiler = {
    wallProfiler: { exporter: shared as ProfileExporter },
    heapProfiler: { exporter: shared as ProfileExporter },
  };
  const internals = checkSdkInternals(sdkProfiler, '0.6.4');
  const wall: ProfileExporter = { export: async () => {} };
  const heap: ProfileExporter = { export: async () => {} };
  internals.setExporter('wall', wall);
  internals.setExporter('heap', heap);
  assert.equal(sdkProfiler.wallProfiler.exporter, wall);
  assert.equal(sdkProfiler.heapProfiler.exporter, heap);
});
