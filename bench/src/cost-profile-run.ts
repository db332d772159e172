/**
 * One profiled app process per setup and round (cost-profile.ts): the rideshare app under the bench's closed
 * loop, its CPU per request from /proc, and a `perf record` call-graph profile (software `cpu-clock` events,
 * so it works in a VM without hardware counters) of all its threads over the same seconds, split into parts
 * by cost-parts.ts. Each part's CPU per request is its share of the samples times the process's CPU per
 * request. Within one process the split does not carry the process-to-process offset that makes the bench's
 * ratios wide: the telemetry's parts are there or not, whatever the process's luck.
 *
 * JavaScript is named by V8's jitdump (`--perf-prof`) and `perf inject --jit`, not by the simpler
 * `/tmp/perf-<pid>.map` of `--perf-basic-prof`: a map has one line per piece of code and no time, so once
 * the GC frees code and the JIT reuses its addresses, perf names a sample after whatever code first had
 * that address. Measured on this command's load (2026-12-04): with the map, the telemetry-off processes put up
 * to 18.6% of their samples in pino and 12.8–25.8% in Node core; with the jitdump, 0.4% and 4.5%. The jitdump keeps
 * each code load with its time (perf records with `-k 1`, the monotonic clock V8 stamps it with), and the
 * injected profile names every sample after the code there at that moment. perf's build-id cache goes to
 * the temporary directory and is removed with each process, not to ~/.debug, which would keep every JIT'd
 * function of every run (about 200 MB a process: 3.1 GB after a day of runs here) and a copy of node.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { getFreePort } from '@rideshare/test-receivers';
import { startApp, type AppProcess } from './app-process.js';
import { setupEnv, type OverheadSetup } from './overhead-run.js';
import { startSink } from './sink.js';
import { parsePerfScript, partShares, SHARED_PARTS, TELEMETRY_PARTS, type Part } from './cost-parts.js';
import { round } from './stats.js';

export interface CostProfileMeasurement {
  setup: OverheadSetup;
  round: number;
  requests: number;
  cpuMicrosPerRequest: number;
  samples: number;
  /** CPU µs per request of each part. */
  parts: Partial<Record<Part, number>>;
}

export interface CostProfileOptions {
  setups: readonly OverheadSetup[];
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  progress: (line: string) => void;
}

/** Why perf cannot be used here, or undefined when it can. */
export function perfUnavailable(): string | undefined {
  const version = spawnSync('perf', ['--version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    return 'needs Linux perf on the PATH (Debian: apt-get install linux-perf)';
  }
  return undefined;
}

/** Whether perf named JavaScript functions (`JS:` symbols from the injected jitdump). */
export function jitNamed(perfScript: string): boolean {
  return /^\s+\S+ JS:/m.test(perfScript);
}

const PERF_FREQUENCY_HZ = 997; // not a divisor of the profiler's 100 Hz, so the two do not lock step

export async function runCostProfile(options: CostProfileOptions): Promise<CostProfileMeasurement[]> {
  const sink = await startSink();
  const dir = mkdtempSync(join(os.tmpdir(), 'cost-profile-'));
  // perf keeps a build-id cache in $HOME/.debug, and `perf inject --jit` adds every JIT'd function's ELF file
  // to it whatever PERF_BUILDID_DIR says (perf 6.1): so perf runs with a HOME of its own in the temporary dir
  const perfHome = join(dir, 'perf-home');
  mkdirSync(perfHome);
  const perfEnv = { ...process.env, HOME: perfHome, PERF_BUILDID_DIR: join(perfHome, '.debug') };
  const measurements: CostProfileMeasurement[] = [];
  // what runs now, for Ctrl-C / SIGTERM: the app and perf would outlive the command, and a jitdump run
  // leaves thousands of files in the temporary directory; stop both, remove it, die of the same signal
  let running: { app: AppProcess; perf?: ChildProcess } | undefined;
  const interrupted = (signal: NodeJS.Signals) => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    running?.perf?.kill('SIGKILL');
    void Promise.allSettled([running?.app.stop(2000), sink.close()]).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.kill(process.pid, signal);
    });
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    for (let r = 0; r < options.rounds; r++) {
      for (const setup of options.setups) {
        const jitDir = join(dir, `jit-${setup}-${r}`);
        mkdirSync(jitDir);
        const app = await startApp({
          port: await getFreePort(),
          label: `cost profile ${setup}`,
          env: setupEnv(setup, sink.url),
          stdout: 'ignore',
          // the JIT's code loads for perf (jit-<pid>.dump in the temporary directory); the V8 log that
          // flag also starts goes there too instead of the app's working directory
          nodeFlags: [
            '--perf-prof',
            `--perf-prof-path=${jitDir}`,
            '--no-logfile-per-isolate',
            `--logfile=${join(dir, 'v8.log')}`,
          ],
        });
        running = { app };
        const load = (seconds: number) =>
          autocannon({
            url: app.url,
            connections: 4,
            duration: seconds,
            requests: ['/bike', '/scooter', '/car'].map((path) => ({ method: 'GET' as const, path })),
          });
        try {
          await load(options.warmupSeconds);
          const data = join(dir, `${setup}-${r}.data`);
          const cpuBefore = app.cpuMicros();
          const perf = spawn(
            'perf',
            [
              'record',
              '-N', // no build-id cache: the node binary would be copied there (120 MB)
              '-k',
              '1',
              '-e',
              'cpu-clock',
              '-F',
              String(PERF_FREQUENCY_HZ),
              '-g',
              '-p',
              String(app.pid),
              '-o',
              data,
            ],
            { stdio: ['ignore', 'ignore', 'pipe'], env: perfEnv },
          );
          running.perf = perf;
          let perfErr = '';
          perf.stderr.on('data', (chunk: Buffer) => (perfErr += chunk.toString()));
          const result = await load(options.seconds);
          const cpu = app.cpuMicros() - cpuBefore;
          const exited = new Promise<string>((resolve) =>
            perf.on('exit', (code, signal) => resolve(signal ?? String(code))),
          );
          perf.kill('SIGINT'); // perf writes its file and ends on SIGINT
          const how = await exited;
          if (how !== '0' && how !== 'SIGINT') {
            throw new Error(`perf record ended with ${how}: ${perfErr.trim().slice(-400)}`);
          }
          const injected = `${data}.jit`;
          const inject = spawnSync('perf', ['inject', '--jit', '-i', data, '-o', injected], {
            encoding: 'utf8',
            env: perfEnv,
          });
          if (inject.status !== 0) throw new Error(`perf inject --jit failed: ${inject.stderr.slice(-400)}`);
          const script = spawnSync('perf', ['script', '-i', injected, '-F', 'comm,ip,sym'], {
            encoding: 'utf8',
            maxBuffer: 1 << 30,
            env: perfEnv,
          });
          if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr.slice(-400)}`);
          if (!jitNamed(script.stdout)) {
            throw new Error(
              'perf named no JavaScript from the jitdump: `perf inject --jit` found no jit-<pid>.dump ' +
                `(files in ${jitDir}: ${readdirSync(jitDir).length})`,
            );
          }
          const samples = parsePerfScript(script.stdout);
          const requests = result.requests.total;
          const perRequest = cpu / Math.max(1, requests);
          const shares = partShares(samples);
          measurements.push({
            setup,
            round: r,
            requests,
            cpuMicrosPerRequest: Math.round(perRequest),
            samples: samples.length,
            parts: Object.fromEntries(
              Object.entries(shares).map(([part, share]) => [part, round(share * perRequest, 1)]),
            ),
          });
          options.progress(
            `  round ${r + 1}/${options.rounds} ${setup.padEnd(12)} ${requests} requests, ` +
              `${Math.round(perRequest)} µs CPU/request, ${samples.length} samples`,
          );
          rmSync(data, { force: true });
          rmSync(injected, { force: true });
        } finally {
          running.perf?.kill('SIGKILL'); // still recording only when the load failed
          await app.stop();
          running = undefined;
          // the dump and one small ELF file per JIT'd function (perf inject writes them beside the dump)
          rmSync(jitDir, { recursive: true, force: true });
          rmSync(perfEnv.PERF_BUILDID_DIR, { recursive: true, force: true }); // this process's cache
        }
      }
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return measurements;
}

export interface CostProfileSummary {
  /** Mean over rounds of each setup's CPU per request and of each part's. */
  setups: Record<string, { cpuMicrosPerRequest: number; parts: Partial<Record<Part, number>> }>;
  /**
   * Against `baseline`, for `setup`: each telemetry part whole, each shared part's growth, and their sum.
   * The request's own parts (app, Express, pino, Node core, other packages) are left out of the sum: between
   * two processes they differ by the processes' offset, which the telemetry does not cause.
   */
  added: { setup: string; baseline: string; parts: Partial<Record<Part, number>>; totalMicros: number };
}

const REQUEST_ITSELF: readonly Part[] = ['app', 'express', 'pino', 'nodeCore', 'otherPackages'];

export function summariseCostProfile(
  measurements: readonly CostProfileMeasurement[],
  setup: OverheadSetup,
  baseline: OverheadSetup,
): CostProfileSummary {
  const setups: CostProfileSummary['setups'] = {};
  for (const name of new Set(measurements.map((m) => m.setup))) {
    const rows = measurements.filter((m) => m.setup === name);
    const mean = (f: (m: CostProfileMeasurement) => number) =>
      rows.reduce((a, m) => a + f(m), 0) / rows.length;
    const parts: Partial<Record<Part, number>> = {};
    for (const part of [...TELEMETRY_PARTS, ...SHARED_PARTS]) {
      const value = mean((m) => m.parts[part] ?? 0);
      if (value > 0) parts[part] = round(value, 1);
    }
    setups[name] = { cpuMicrosPerRequest: Math.round(mean((m) => m.cpuMicrosPerRequest)), parts };
  }
  const of = setups[setup];
  const base = setups[baseline];
  if (of === undefined || base === undefined) {
    throw new Error(`the cost profile has no measurement of "${of === undefined ? setup : baseline}"`);
  }
  const parts: Partial<Record<Part, number>> = {};
  for (const part of [...TELEMETRY_PARTS, ...SHARED_PARTS]) {
    if (REQUEST_ITSELF.includes(part)) continue;
    const value = round((of.parts[part] ?? 0) - (base.parts[part] ?? 0), 1);
    if (value !== 0) parts[part] = value;
  }
  const totalMicros = Math.round(Object.values(parts).reduce((a, v) => a + v, 0));
  return { setups, added: { setup, baseline, parts, totalMicros } };
}
