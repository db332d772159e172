import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BackendHealth,
  BackendRejection,
  DropCounter,
  RateLimitedErrors,
  describeError,
  oneLineReason,
  safeAddress,
} from '../src/backend-health.js';
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
    /^jaeger at http:\/\/127\.0\.0\.1:9\/api\/traces failed: spans are not being delivered: connect ECONNREFUSED/,
  );
  assert.deepEqual(lines[0]!.fields, {
    backend: 'jaeger',
    address: 'http://127.0.0.1:9/api/traces',
    data: 'spans',
    event: 'failing',
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
  assert.match(lines[1]!.message, /still failing spans: 10 failures since the last report/);
  assert.equal(lines[1]!.fields['event'], 'still-failing');

  now += 500;
  health.success();
  assert.equal(lines.length, 5);
  assert.equal(lines[4]!.level, 'info');
  assert.match(lines[4]!.message, /is reachable again for spans/);
  assert.equal(lines[4]!.fields['event'], 'recovered');
  assert.equal(lines[4]!.fields['failures'], 31);
  assert.equal(lines[4]!.fields['down_ms'], 30_500);
  assert.equal(health.healthy, true);

  // a new outage is reported at once again
  health.failure(new Error('HTTP 503'));
  assert.equal(lines.length, 6);
  assert.match(lines[5]!.message, /rejected spans: HTTP 503/);
});

test("a rejection carries the status and the backend's reason; a new reason is reported at once", () => {
  let now = 0;
  const { lines, report } = recorder();
  const health = new BackendHealth({
    backend: 'pyroscope',
    address: 'http://pyroscope:4040',
    data: 'CPU profiles',
    reportIntervalMs: 60_000,
    report,
    now: () => now,
  });
  const body =
    '{"code":"resource_exhausted","message":"Maximum active series limit exceeded (5000/5000), reduce the number of active streams (reduce labels or reduce label values)"}\n';
  health.failure(new BackendRejection(422, body));
  assert.equal(lines.length, 1);
  assert.equal(
    lines[0]!.message,
    'pyroscope at http://pyroscope:4040 rejected CPU profiles: HTTP 422: resource_exhausted: Maximum active ' +
      'series limit exceeded (5000/5000), reduce the number of active streams (reduce labels or reduce ' +
      'label values) (further failures are reported at most every 60 s)',
  );
  assert.equal(lines[0]!.fields['status'], 422);
  now += 1000;
  health.failure(new BackendRejection(422, body));
  assert.equal(lines.length, 1, 'the same reason again waits for the interval');
  now += 1000;
  health.failure(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:4040'), { code: 'ECONNREFUSED' }));
  assert.equal(lines.length, 2, 'a different reason is a new state, reported at once');
  health.failure(new Error('upload got no answer within 5000 ms'));
  assert.equal(lines.length, 2, 'refused or no answer: both mean unreachable');
  assert.match(lines[1]!.message, /failed: CPU profiles are not being delivered: connect ECONNREFUSED/);
  now += 1000;
  health.failure(new BackendRejection(429, 'per-tenant ingestion rate limit exceeded'));
  assert.match(
    lines[2]!.message,
    /rejected CPU profiles: HTTP 429: per-tenant ingestion rate limit exceeded/,
  );
  health.success();
  assert.match(lines[3]!.message, /^pyroscope at http:\/\/pyroscope:4040 accepts CPU profiles again$/);
  assert.equal(lines[3]!.fields['failures'], 5);
});

test('one state per data kind: a heap profile going through does not end a CPU-profile rejection', () => {
  const { lines, report } = recorder();
  const options = { backend: 'pyroscope', address: 'http://p:4040', reportIntervalMs: 1000, report };
  const cpu = new BackendHealth({ ...options, data: 'CPU profiles' });
  const heap = new BackendHealth({ ...options, data: 'heap profiles' });
  cpu.failure(new BackendRejection(422, 'Maximum active series limit exceeded'));
  heap.success();
  assert.equal(lines.length, 1);
  assert.equal(cpu.healthy, false);
  assert.equal(lines[0]!.fields['data'], 'CPU profiles');
});

test('reasons are one short line; credentials never reach a report', () => {
  assert.equal(oneLineReason('  line one\n\tline two  '), 'line one line two');
  assert.equal(oneLineReason('x'.repeat(1000)).length, 300);
  assert.equal(oneLineReason('{"error":"no org id"}'), 'no org id');
  assert.equal(
    oneLineReason(
      '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    ),
    '401 Authorization Required',
  );
  // a protobuf google.rpc.Status (code 16, message) as an OTLP collector answers
  assert.equal(oneLineReason('\b\u0010\u0012\u0016no basic auth provided'), 'no basic auth provided');
  assert.equal(
    oneLineReason('{"code":"unauthenticated","message":"unauthenticated: bad token"}'),
    'unauthenticated: bad token',
  );
  assert.equal(safeAddress('https://user:s3cret@loki.example/'), 'https://loki.example/');
  assert.equal(
    describeError(new Error('request to https://u:s3cret@host/x failed')),
    'request to https://host/x failed',
  );
  const { lines, report } = recorder();
  const health = new BackendHealth({
    backend: 'loki',
    address: 'https://tenant:s3cret@logs.example',
    data: 'log records',
    reportIntervalMs: 1000,
    report,
  });
  health.failure(new BackendRejection(401, 'invalid credentials for https://tenant:s3cret@logs.example'));
  health.success();
  assert.equal(lines.length, 2);
  assert.doesNotMatch(JSON.stringify(lines), /s3cret/);
});

test('an OTLP exporter error gives its status and body', () => {
  const error = Object.assign(new Error('Unauthorized'), { code: 401, data: 'missing credentials\n' });
  assert.equal(describeError(error), 'HTTP 401: missing credentials');
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
