/** Start-up of the real process: a bad variable is one line on stderr and exit 1; so is a taken port. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');

function run(env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', OTEL_TRACES_EXPORTER: 'none', PYROSCOPE_ENABLED: 'false', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

test('a bad app variable: one line naming it, exit 1', () => {
  assert.deepEqual(run({ PORT: 'abc' }), {
    status: 1,
    stderr: 'invalid configuration: PORT="abc" is not a whole number\n',
    stdout: '',
  });
  assert.equal(
    run({ REGION: 'moon' }).stderr,
    'invalid configuration: REGION="moon" is not one of us-east, eu-north, ap-south\n',
  );
});

test('a bad telemetry variable: one line naming it, exit 1', () => {
  const { status, stderr } = run({ PYROSCOPE_FLUSH_INTERVAL_MS: 'soon' });
  assert.equal(status, 1);
  assert.match(stderr, /^invalid configuration: PYROSCOPE_FLUSH_INTERVAL_MS="soon" [^\n]+\n$/);
});

test('a port already in use: a fatal log line naming the port, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const { status, stdout } = run({ PORT: String(port) }); // the port stays bound while spawnSync blocks
    assert.equal(status, 1);
    const fatal = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((record) => record.msg === 'rideshare cannot start');
    assert.equal(fatal?.port, port);
    assert.equal(fatal?.level, 60);
  } finally {
    blocker.close();
  }
});
