import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.js';

test('defaults fit the compose file', () => {
  assert.deepEqual(loadConfig({}), {
    rideshareUrls: ['http://us-east:5000', 'http://eu-north:5000', 'http://ap-south:5000'],
    concurrency: 1,
    orderCpuMs: 300,
    orderPauseMs: 700,
    requestTimeoutMs: 5_000,
    runSeconds: 0,
  });
});

test('RIDESHARE_URLS: comma-separated, trimmed, trailing slashes dropped', () => {
  assert.deepEqual(
    loadConfig({ RIDESHARE_URLS: ' http://localhost:5001/ , https://eu.example.com ' }).rideshareUrls,
    ['http://localhost:5001', 'https://eu.example.com'],
  );
});

test('a bad value is one line naming the variable and the value', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ CONCURRENCY: 'abc' }, /^invalid configuration: CONCURRENCY="abc" is not a whole number$/],
    [{ CONCURRENCY: '0' }, /^invalid configuration: CONCURRENCY="0" is out of range \(1\.\.64\)$/],
    [{ ORDER_CPU_MS: '-5' }, /^invalid configuration: ORDER_CPU_MS="-5" is out of range \(0\.\.60000\)$/],
    [{ ORDER_PAUSE_MS: '1e3' }, /^invalid configuration: ORDER_PAUSE_MS="1e3" is not a whole number$/],
    [{ RUN_SECONDS: 'forever' }, /^invalid configuration: RUN_SECONDS="forever" is not a whole number$/],
    [{ REQUEST_TIMEOUT_MS: '0' }, /^invalid configuration: REQUEST_TIMEOUT_MS="0" is out of range/],
    [
      { RIDESHARE_URLS: 'us-east:5000' },
      /^invalid configuration: RIDESHARE_URLS="us-east:5000" has "us-east:5000", which is not an http\(s\) URL$/,
    ],
    [
      { RIDESHARE_URLS: 'http://a:5000,' },
      /^invalid configuration: RIDESHARE_URLS="http:\/\/a:5000," has "", which is not a URL/,
    ],
    [{ RIDESHARE_URLS: 'ftp://a' }, /which is not an http\(s\) URL/],
    [{ RIDESHARE_URLS: 'http://a:5000/?x=1' }, /without credentials, query or #/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), { message }, JSON.stringify(env));
  }
});
