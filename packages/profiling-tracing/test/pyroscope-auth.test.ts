/**
 * A Pyroscope behind an auth gateway, multi-tenant: the traced app (one `startTelemetry` call) sends its
 * profiles with PYROSCOPE_BASIC_AUTH_USER/_PASSWORD and PYROSCOPE_TENANT_ID. With them, the uploads are
 * accepted under that tenant; with a wrong password or no tenant, the receiver answers 401 and the app
 * reports it once per profile kind, with the status and the server's reason, and the password nowhere.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { startPyroscopeReceiver, type PyroscopeReceiver } from '@rideshare/test-receivers';

const APP = fileURLToPath(new URL('./fixtures/traced-app.js', import.meta.url));
const USER = 'profiler';
const PASSWORD = randomUUID(); // made at run time: no credential-looking literal in the repository
const TENANT = 'team-a';

async function receiver(t: TestContext): Promise<PyroscopeReceiver> {
  const pyroscope = await startPyroscopeReceiver({
    auth: { basic: { user: USER, password: PASSWORD }, tenant: TENANT },
  });
  t.after(() => pyroscope.close());
  return pyroscope;
}

/** Runs the app until it has uploaded (or tried to) a few times, then SIGTERM; its whole output. */
async function runApp(t: TestContext, env: Record<string, string>): Promise<string> {
  const app = spawn(process.execPath, [APP], {
    env: {
      ...process.env,
      OTEL_TRACES_EXPORTER: 'none',
      LOKI_URL: '',
      PYROSCOPE_FLUSH_INTERVAL_MS: '300',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => app.kill('SIGKILL'));
  let output = '';
  app.stderr.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: app.stdout }).on('line', (line) => {
      output += `${line}\n`;
      if (line.startsWith('{"port"')) setTimeout(resolve, 1200);
    });
    app.once('exit', (code) => reject(new Error(`app exited early (${code}): ${output}`)));
  });
  const exited = once(app, 'exit');
  app.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, output);
  return output;
}

const records = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{"level"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const pyroscopeReports = (output: string) => records(output).filter((r) => r['backend'] === 'pyroscope');

test('with basic auth and the tenant, profiles are accepted under that tenant', async (t) => {
  const pyroscope = await receiver(t);
  const output = await runApp(t, {
    PYROSCOPE_SERVER_ADDRESS: pyroscope.url,
    PYROSCOPE_BASIC_AUTH_USER: USER,
    PYROSCOPE_BASIC_AUTH_PASSWORD: PASSWORD,
    PYROSCOPE_TENANT_ID: TENANT,
  });
  assert.deepEqual(pyroscopeReports(output), []);
  const wall = pyroscope.uploads.filter((u) => u.sampleTypes.includes('wall/nanoseconds'));
  assert.ok(wall.length >= 2, `wall uploads: ${wall.length}`);
  assert.ok(
    pyroscope.uploads.some((u) => !u.sampleTypes.includes('wall/nanoseconds')),
    'heap uploads',
  );
  assert.deepEqual([...new Set(pyroscope.uploads.map((u) => u.tenant))], [TENANT]);
  assert.ok(!output.includes(PASSWORD));
});

test('a wrong password or no tenant: 401 reported once per profile kind, with the reason, never the password', async (t) => {
  const pyroscope = await receiver(t);
  const wrongPassword = `${PASSWORD}-old`;
  const cases: [Record<string, string>, RegExp][] = [
    [
      { PYROSCOPE_BASIC_AUTH_PASSWORD: wrongPassword, PYROSCOPE_TENANT_ID: TENANT },
      /HTTP 401: 401 Authorization Required$/,
    ],
    [{ PYROSCOPE_BASIC_AUTH_PASSWORD: PASSWORD }, /HTTP 401: unauthenticated: no org id/],
  ];
  for (const [env, reason] of cases) {
    const output = await runApp(t, {
      PYROSCOPE_SERVER_ADDRESS: pyroscope.url,
      PYROSCOPE_BASIC_AUTH_USER: USER,
      ...env,
    });
    const failing = pyroscopeReports(output).filter((r) => r['event'] === 'failing');
    assert.deepEqual(
      failing.map((r) => [r['data'], r['status'], r['level']]).sort(),
      [
        ['CPU profiles', 401, 40],
        ['heap profiles', 401, 40],
      ],
      output,
    );
    for (const report of failing) assert.match(String(report['error']), reason);
    assert.ok(!output.includes(PASSWORD) && !output.includes(wrongPassword), 'no password in the output');
  }
  assert.deepEqual(pyroscope.uploads, [], 'nothing was accepted');
});
