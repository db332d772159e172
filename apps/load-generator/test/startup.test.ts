/** Start-up of the real process: a bad variable is one line on stderr and exit 1. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');

function run(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', OTEL_TRACES_EXPORTER: 'none', PYROSCOPE_ENABLED: 'false', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr };
}

test('a bad variable: one line naming it, exit 1', () => {
  assert.deepEqual(run({ RIDESHARE_URLS: 'us-east:5000' }), {
    status: 1,
    stderr:
      'invalid configuration: RIDESHARE_URLS="us-east:5000" has "us-east:5000", which is not an http(s) URL\n',
  });
  assert.deepEqual(run({ CONCURRENCY: 'lots' }), {
    status: 1,
    stderr: 'invalid configuration: CONCURRENCY="lots" is not a whole number\n',
  });
  const { status, stderr } = run({ OTEL_BSP_SCHEDULE_DELAY: 'fast' });
  assert.equal(status, 1);
  assert.match(stderr, /^invalid configuration: OTEL_BSP_SCHEDULE_DELAY="fast" [^\n]+\n$/);
});

test('RUN_SECONDS: stops by itself, cleanly, with every region down', () => {
  const result = spawnSync(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_TRACES_EXPORTER: 'none',
      PYROSCOPE_ENABLED: 'false',
      RIDESHARE_URLS: 'http://127.0.0.1:9',
      ORDER_CPU_MS: '10',
      ORDER_PAUSE_MS: '10',
      RUN_SECONDS: '1',
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const records = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const failed = records.filter((r) => r.msg === 'order failed');
  const totals = records.find((r) => r.msg === 'load generator stopped');
  assert.ok(failed.length >= 2, `failed orders: ${failed.length}`);
  assert.deepEqual(totals && { orders: totals.orders, ok: totals.ok, failed: totals.failed }, {
    orders: failed.length,
    ok: 0,
    failed: failed.length,
  });
});
