// Credentials and tenants on the receivers: what a gateway and a multi-tenant server answer.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  NGINX_401_BODY,
  startJaegerReceiver,
  startLokiReceiver,
  startPyroscopeReceiver,
  type ReceiverServer,
} from '../src/index.js';
import { post, request } from './http-helpers.js';
import { upload } from './pprof-builder.js';

const receivers: ReceiverServer[] = [];
const track = <T extends ReceiverServer>(r: T): T => (receivers.push(r), r);
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const JSON_HEADERS = { 'content-type': 'application/json' };
const line = () =>
  JSON.stringify({
    streams: [{ stream: { service_name: 's' }, values: [[`${Date.now()}000000`, 'hello']] }],
  });
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('receiver auth', () => {
  it('basic auth: no or wrong credentials get the gateway’s 401, the right ones go through', async () => {
    const loki = track(await startLokiReceiver({ auth: { basic: { user: 'demo', password: 's3cret' } } }));
    const none = await post(loki.pushUrl, line(), JSON_HEADERS);
    assert.deepEqual(none, { status: 401, body: NGINX_401_BODY });
    const wrong = await post(loki.pushUrl, line(), { ...JSON_HEADERS, authorization: basic('demo', 'nope') });
    assert.equal(wrong.status, 401);
    const right = await post(loki.pushUrl, line(), {
      ...JSON_HEADERS,
      authorization: basic('demo', 's3cret'),
    });
    assert.equal(right.status, 204);
    assert.equal(loki.entries.length, 1);
    assert.deepEqual(
      loki.rejections.map((r) => [r.status, r.reason]),
      [
        [401, 'unauthorized'],
        [401, 'unauthorized'],
      ],
    );
    assert.match(loki.errors[0]!, /no authorization header/);
    assert.equal(loki.requestLog[2]!.tenant, 'fake', 'single-tenant Loki files everything under "fake"');
    assert.equal(
      (await request('GET', `${loki.url}/ready`, undefined)).status,
      200,
      '/ready needs no credentials',
    );
  });

  it('bearer token on Pyroscope, as @pyroscope/nodejs sends PYROSCOPE_AUTH_TOKEN', async () => {
    const pyroscope = track(await startPyroscopeReceiver({ auth: { bearer: 'tok' } }));
    const samples = [{ values: [1, 1, 1] }];
    assert.equal((await upload(pyroscope.url, 'app', { samples })).status, 401);
    assert.equal(
      (await upload(pyroscope.url, 'app', { samples }, { authorization: 'Bearer other' })).status,
      401,
    );
    assert.equal(
      (await upload(pyroscope.url, 'app', { samples }, { authorization: 'Bearer tok' })).status,
      200,
    );
    assert.equal(pyroscope.uploads[0]!.tenant, 'anonymous');
  });

  it('multi-tenant: without X-Scope-OrgID each server answers its own 401 "no org id"; the tenant is recorded', async () => {
    const loki = track(await startLokiReceiver({ auth: { tenant: true } }));
    assert.deepEqual(await post(loki.pushUrl, line(), JSON_HEADERS), { status: 401, body: 'no org id\n' });
    assert.equal(
      (await post(loki.pushUrl, line(), { ...JSON_HEADERS, 'x-scope-orgid': 'team-a' })).status,
      204,
    );
    assert.equal(
      (await post(loki.pushUrl, line(), { ...JSON_HEADERS, 'x-scope-orgid': 'team-b' })).status,
      204,
    );
    assert.deepEqual(
      loki.requestLog.map((r) => r.tenant),
      [undefined, 'team-a', 'team-b'],
    );
    assert.deepEqual(
      loki.entries.map((e) => e.tenant),
      ['team-a', 'team-b'],
    );
    assert.equal(loki.streamCount('team-a'), 1, 'streams are counted per tenant');
    assert.equal(loki.streamCount(), 2);

    const pyroscope = track(await startPyroscopeReceiver({ auth: { tenant: true } }));
    const samples = [{ values: [1, 1, 1] }];
    const missing = await upload(pyroscope.url, 'app', { samples });
    assert.equal(missing.status, 401);
    assert.deepEqual(JSON.parse(missing.body), { code: 'unauthenticated', message: 'no org id' });
    assert.equal(
      (await upload(pyroscope.url, 'app', { samples }, { 'x-scope-orgid': 'team-a' })).status,
      200,
    );
    assert.equal(pyroscope.seriesCount(undefined, 'team-a'), 3);
    assert.equal(pyroscope.seriesCount(undefined, 'anonymous'), 0);
  });

  it('a fixed tenant: another org id is refused like bad credentials; Jaeger takes the same options', async () => {
    const loki = track(
      await startLokiReceiver({ auth: { basic: { user: 'u', password: 'p' }, tenant: 'team-a' } }),
    );
    const headers = { ...JSON_HEADERS, authorization: basic('u', 'p') };
    assert.equal((await post(loki.pushUrl, line(), { ...headers, 'x-scope-orgid': 'team-b' })).status, 401);
    assert.equal((await post(loki.pushUrl, line(), headers)).body, 'no org id\n');
    assert.equal((await post(loki.pushUrl, line(), { ...headers, 'x-scope-orgid': 'team-a' })).status, 204);

    const jaeger = track(await startJaegerReceiver({ auth: { bearer: 't' } }));
    const res = await post(jaeger.endpoint, Buffer.alloc(0), { 'content-type': 'application/x-thrift' });
    assert.equal(res.status, 401);
  });
});
