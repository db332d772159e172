/**
 * `npm run demo`: the ride-share demo without Docker. Builds the apps, starts three rideshare regions on
 * local ports and the load generator pointed at them, and prefixes every line with the process's name.
 * Ctrl-C / SIGTERM stops the load generator first (its in-flight orders still find their region), then
 * the regions; a second Ctrl-C kills. Exits once every process has exited.
 *
 * The environment passes through to every process (OTEL_*, PYROSCOPE_*, LOKI_URL, DEBUG_TRACER, …);
 * the demo itself only sets PORT and REGION of each region and RIDESHARE_URLS of the load generator.
 *
 *   DEMO_BASE_PORT [5001]  us-east on it, eu-north on +1, ap-south on +2
 *   DEMO_NODE_FLAGS [--max-semi-space-size=4]  Node flags of the four processes, space-separated (the
 *                           default and why: scripts/node-flags.mjs, which also sets MALLOC_ARENA_MAX=2)
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { NODE_ENV_DEFAULTS, NODE_FLAGS } from './node-flags.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const READY_TIMEOUT_MS = 30_000;
const COLOURS = [36, 35, 33, 32]; // cyan, magenta, yellow, green
const nodeFlags = (process.env.DEMO_NODE_FLAGS ?? NODE_FLAGS.join(' ')).split(' ').filter((f) => f !== '');

const basePort = Number(process.env.DEMO_BASE_PORT ?? '5001');
if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65533) {
  console.error(
    `invalid configuration: DEMO_BASE_PORT=${JSON.stringify(process.env.DEMO_BASE_PORT)} is not a port`,
  );
  process.exit(1);
}
const regions = ['us-east', 'eu-north', 'ap-south'].map((region, i) => ({ region, port: basePort + i }));

build();

const children = [];
let stopping = false;
let exitCode = 0;

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

for (const { region, port } of regions) {
  start(region, 'apps/rideshare', { PORT: String(port), REGION: region });
}
try {
  await Promise.all(regions.map(({ region, port }) => waitUntilHealthy(region, port)));
} catch (error) {
  say(String(error instanceof Error ? error.message : error));
  exitCode = 1;
  stopAll('start-up failed');
}
if (!stopping) {
  start('load-generator', 'apps/load-generator', {
    RIDESHARE_URLS: regions.map(({ port }) => `http://localhost:${port}`).join(','),
  });
  say(
    `running: ${regions.map(({ region, port }) => `${region} http://localhost:${port}`).join(', ')}, ` +
      'load-generator. Ctrl-C stops everything.',
  );
}

function build() {
  say('building (turbo run build) …');
  const turbo = join(ROOT, 'node_modules', '.bin', 'turbo');
  const result = spawnSync(
    turbo,
    [
      'run',
      'build',
      '--filter=@rideshare/rideshare...',
      '--filter=@rideshare/load-generator...',
      '--output-logs=errors-only',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) {
    say(result.error ? `cannot run turbo: ${result.error.message}` : `build failed (exit ${result.status})`);
    process.exit(1);
  }
}

function start(name, folder, env) {
  const colour = COLOURS[children.length % COLOURS.length];
  const tag = process.stdout.isTTY ? `\x1b[${colour}m${name.padEnd(14)}|\x1b[0m ` : `${name.padEnd(14)}| `;
  const child = spawn(process.execPath, [...nodeFlags, join(ROOT, folder, 'dist', 'src', 'main.js')], {
    cwd: join(ROOT, folder),
    env: { ...NODE_ENV_DEFAULTS, ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // own process group: a terminal Ctrl-C reaches only this script, which stops the processes in order
    detached: true,
  });
  prefixLines(child.stdout, process.stdout, tag);
  prefixLines(child.stderr, process.stderr, tag);
  const entry = { name, child, exited: false };
  children.push(entry);
  child.on('exit', (code, signal) => {
    entry.exited = true;
    say(`${name} exited (${signal ?? `code ${code}`})`);
    if (!stopping) {
      exitCode = 1;
      stopAll(`${name} stopped unexpectedly`);
    } else if (code !== 0) {
      exitCode = 1;
    }
    if (children.every((c) => c.exited)) process.exit(exitCode);
  });
}

function stopAll(reason) {
  if (stopping) {
    say('second signal: killing');
    for (const { child, exited } of children) if (!exited) child.kill('SIGKILL');
    return;
  }
  stopping = true;
  if (children.every((c) => c.exited)) process.exit(exitCode);
  // the load generator first, so that its in-flight orders still find their region; then the regions
  const loadGenerator = children.find((c) => c.name === 'load-generator' && !c.exited);
  const regions = children.filter((c) => c !== loadGenerator && !c.exited);
  const stopRegions = () => {
    say(`stopping the regions: SIGTERM, waiting for them to flush and exit …`);
    for (const { child, exited } of regions) if (!exited) child.kill('SIGTERM');
  };
  say(`stopping (${reason}) …`);
  if (loadGenerator === undefined) return stopRegions();
  say('stopping the load generator: SIGTERM, waiting for its in-flight orders and flush …');
  loadGenerator.child.once('exit', stopRegions);
  loadGenerator.child.kill('SIGTERM');
}

async function waitUntilHealthy(region, port) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await globalThis.fetch(`http://localhost:${port}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(
    `${region} did not answer http://localhost:${port}/health within ${READY_TIMEOUT_MS / 1000} s`,
  );
}

function prefixLines(from, to, tag) {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop();
    if (lines.length > 0) to.write(lines.map((line) => `${tag}${line}\n`).join(''));
  });
  from.on('end', () => {
    if (pending !== '') to.write(`${tag}${pending}\n`);
  });
}

function say(message) {
  process.stdout.write(`${'demo'.padEnd(14)}| ${message}\n`);
}
