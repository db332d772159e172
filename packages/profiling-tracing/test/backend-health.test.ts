import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackendHealth, DropCounter, RateLimitedErrors, describeError } from '../src/backend-health.js';
import { recorder } from './report-recorder.js';

test('a failing backend is reported once with its address, then at most once per interval, then its recovery', () => {
  let now = 1_000_000;
  const { lines, report } = recorder();
  const health = new BackendHealth({
    backend: 'jaeger',
    address: 'http://127.0.0.1:9/api/traces',
    data: 'spans',
    reportIntervalMs: 10_000,
    report,
    now: () => now,
  });
  health.success();
  assert.equal(lines.length, 0, 'nothing to say while healthy');

  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  health.failure(refused);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 'warn');
  assert.match(
    lines[0]!.message,
    /^jaeger at http:\/\/127\.0\.0\.1:9\/api\/traces failed: spans are not being delivered/,
  );
  assert.deepEqual(lines[0]!.fields, {
    backend: 'jaeger',
    address: 'http://127.0.0.1:9/api/traces',
    error: 'connect ECONNREFUSED 127.0.0.1:9',
  });
  assert.equal(health.healthy, false);

  // one failure a second for 30 s: three more reports, each with the count since the previous one
  for (let i = 0; i < 30; i++) {
    now += 1000;
    health.failure(refused);
  }
  assert.equal(lines.length, 4);
  assert.deepEqual(
    lines.slice(1).map((l) => l.fields['failures']),
    [10, 10, 10],
  );
  assert.match(lines[1]!.message, /still failing: 10 failures since the last report/);

  now += 500;
  health.success();
  assert.equal(lines.length, 5);
  assert.equal(lines[4]!.level, 'info');
  assert.match(lines[4]!.message, /is reachable again/);
  assert.equal(lines[4]!.fields['failures'], 31);
  assert.equal(lines[4]!.fields['down_ms'], 30_500);
  assert.equal(health.healthy, true);

  // a new outage is reported at once again
  health.failure(new Error('HTTP 503'));
  assert.equal(lines.length, 6);
  assert.match(lines[5]!.message, /failed: spans are not being delivered/);
});

test('dropped data: first drop at once, then counted per interval, the rest on flush', () => {
  let now = 0;
  const { lines, report } = recorder();
  const drops = new DropCounter({
    queue: 'loki',
    describe: (n) => `dropped ${n} oldest`,
    reportIntervalMs: 1000,
    report,
    now: () => now,
  });
  drops.dropped();
  for (let i = 0; i < 99; i++) {
    now += 25;
    drops.dropped();
  }
  drops.flush();
  assert.deepEqual(
    lines.map((l) => l.fields['dropped']),
    [1, 40, 40, 19],
  );
  assert.equal(drops.total, 100);
  assert.equal(lines.at(-1)!.fields['dropped_total'], 100);
  drops.flush();
  assert.equal(lines.length, 4, 'nothing new, nothing reported');
});

test('other errors are rate-limited with a count', () => {
  let now = 0;
  const { lines, report } = recorder();
  const errors = new RateLimitedErrors({
    source: 'opentelemetry',
    reportIntervalMs: 1000,
    report,
    now: () => now,
  });
  for (let i = 0; i < 50; i++) {
    errors.error(new Error('boom'));
    now += 100;
  }
  assert.equal(lines.length, 5);
  assert.deepEqual(
    lines.map((l) => l.fields['errors']),
    [1, 10, 10, 10, 10],
  );
});

test('describeError keeps the code and the cause', () => {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(
    describeError(new TypeError('fetch failed', { cause })),
    'fetch failed: connect ECONNREFUSED 127.0.0.1:1',
  );
  const coded = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.equal(describeError(coded), 'ECONNRESET socket hang up');
  assert.equal(describeError('plain'), 'plain');
});
