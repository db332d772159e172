/**
 * One upload per profile kind, against a local HTTP server: the outcome names the kind; a refusal gives the
 * status and the server's answer; a hang, a refused connection or a failed encoding gives the reason; an
 * export never rejects; the request's credentials never appear in a reason, even when the server echoes them.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getFreePort } from '@rideshare/test-receivers';
import { uploadingExporter, warnOnChange, type UploadOutcome } from '../src/profile-uploads.js';
import type { ProfileExport, SdkExporter } from '../src/pyroscope-sdk-internals.js';

const USER = 'uploader';
const PASSWORD = randomUUID(); // made at run time: no credential-looking literal in the repository
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface Seen {
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
}

/** Answers 401 (echoing what it got, as a careless server might) without the basic credential. */
async function authServer(
  t: TestContext,
  answer: 'ok' | 'hang' = 'ok',
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    seen.push({
      url: req.url ?? '',
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
    });
    if (answer === 'hang') return;
    const got = req.headers.authorization ?? '';
    const decoded = Buffer.from(got.split(' ')[1] ?? '', 'base64').toString();
    if (got !== BASIC) res.writeHead(401).end(`invalid credentials:\n  got "${got}" (${decoded})`);
    else res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => (server.closeAllConnections(), server.close()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Stands in for the SDK exporter's builders (the real ones: pyroscope-sdk-internals.test.ts). */
function fakeSdk(
  base: string,
  authorization: string | undefined,
  body = async () => new Uint8Array([1, 2]),
): SdkExporter {
  return {
    buildEndpointUrl: (e: ProfileExport) => new URL(`${base}/ingest?name=app&sampleRate=${e.sampleRate}`),
    buildRequestHeaders: () => new Headers(authorization === undefined ? {} : { authorization }),
    buildUploadProfileBody: body,
  };
}

const PROFILE: ProfileExport = {
  profile: {},
  sampleRate: Number.NaN,
  startedAt: new Date(),
  stoppedAt: new Date(),
};

function uploads(options: { timeoutMs?: number; sampleRate?: number } = {}) {
  const outcomes: UploadOutcome[] = [];
  const warnings: string[] = [];
  const onUpload = (outcome: UploadOutcome) => void outcomes.push(outcome);
  return {
    outcomes,
    warnings,
    options: { timeoutMs: 2000, ...options, onUpload, warn: (m: string) => void warnings.push(m) },
  };
}

test('an accepted upload: ok, with the SDK-built URL and headers, our sample rate and the pprof content type', async (t) => {
  const { url, seen } = await authServer(t);
  const { outcomes, options } = uploads({ sampleRate: 100 });
  await uploadingExporter(fakeSdk(url, BASIC), 'wall', options).export(PROFILE);
  assert.deepEqual(outcomes, [{ profile: 'wall', ok: true }]);
  assert.deepEqual(seen, [
    { url: '/ingest?name=app&sampleRate=100', authorization: BASIC, contentType: 'application/octet-stream' },
  ]);
});

test('a refused upload: the status and the server answer on one line, without the credentials', async (t) => {
  const { url } = await authServer(t);
  const { outcomes, options } = uploads();
  const wrong = `Basic ${Buffer.from(`${USER}:not-${PASSWORD}`).toString('base64')}`;
  await uploadingExporter(fakeSdk(url, wrong), 'heap', options).export(PROFILE);
  await uploadingExporter(fakeSdk(url, undefined), 'heap', options).export(PROFILE);
  assert.deepEqual(outcomes, [
    { profile: 'heap', ok: false, status: 401, reason: `invalid credentials: got "Basic ***" (${USER}:***)` },
    { profile: 'heap', ok: false, status: 401, reason: 'invalid credentials: got "" ()' },
  ]);
});

test('a hanging server, a closed port and a failed encoding: a reason each, and the export resolves', async (t) => {
  const { url } = await authServer(t, 'hang');
  const { outcomes, options } = uploads({ timeoutMs: 200 });
  await uploadingExporter(fakeSdk(url, BASIC), 'wall', options).export(PROFILE);
  const closed = `http://127.0.0.1:${await getFreePort()}`;
  await uploadingExporter(fakeSdk(closed, BASIC), 'wall', options).export(PROFILE);
  const failing = fakeSdk(url, BASIC, () => Promise.reject(new Error('encode failed')));
  await uploadingExporter(failing, 'heap', options).export(PROFILE);
  assert.deepEqual(
    outcomes.map(
      (o) => !o.ok && [o.profile, o.status, o.reason.replace(/\d+\.\d+\.\d+\.\d+:\d+/, 'ADDRESS')],
    ),
    [
      ['wall', undefined, 'no answer within 200 ms'],
      ['wall', undefined, 'fetch failed: connect ECONNREFUSED ADDRESS'],
      ['heap', undefined, 'encode failed'],
    ],
  );
});

test('an onUpload that throws is a warning, not an unhandled rejection', async (t) => {
  const { url } = await authServer(t);
  const { warnings, options } = uploads();
  const throwing = {
    ...options,
    onUpload: () => {
      throw new Error('observer broke');
    },
  };
  await uploadingExporter(fakeSdk(url, BASIC), 'wall', throwing).export(PROFILE);
  assert.deepEqual(warnings, ['onUpload threw: observer broke']);
});

test('the default onUpload warns when a kind starts failing and when it recovers, not per upload', () => {
  const warnings: string[] = [];
  const report = warnOnChange((m) => void warnings.push(m));
  report({ profile: 'wall', ok: false, status: 503, reason: 'overloaded' });
  report({ profile: 'wall', ok: false, status: 503, reason: 'overloaded' });
  report({ profile: 'heap', ok: false, reason: 'fetch failed' });
  report({ profile: 'wall', ok: true });
  report({ profile: 'wall', ok: true });
  assert.deepEqual(warnings, [
    'wall profile upload failed (HTTP 503): overloaded; not repeated until one works',
    'heap profile upload failed: fetch failed; not repeated until one works',
    'wall profile uploads work again',
  ]);
});
