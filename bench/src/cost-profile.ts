/**
 * `npm run cost-profile -w @rideshare/bench`: where the CPU that telemetry adds to a request goes, part by
 * part, from a perf profile of each app process (cost-profile-run.ts, cost-parts.ts). Writes `costProfile`
 * into bench/results.json (the bench keeps it) and prints the parts. Not part of `npm run bench`; about
 * half a minute per setup and round. Needs Linux perf (Debian: `apt-get install linux-perf`).
 *
 *   COST_PROFILE_SETUPS [off,traces,profiles,full]   bench setups (overhead-run.ts), comma-separated
 *   COST_PROFILE_ROUNDS [2]     rounds of one fresh process per setup
 *   COST_PROFILE_SECONDS [20]   profiled seconds per process, after the warm-up
 *   COST_PROFILE_WARMUP_SECONDS [5]   seconds of load before the profile: V8 is still compiling the
 *                               telemetry's code at 5 s, much less after a minute (README, Performance);
 *                               a longer one is written as `costProfileLongWarmup`
 *   BENCH_NO_WRITE=1            print only
 */
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, RIDESHARE_MAIN, requireBuilt } from './app-process.js';
import { commandSettings } from './command-settings.js';
import { TELEMETRY_PARTS, type Part } from './cost-parts.js';
import { perfUnavailable, runCostProfile, summariseCostProfile } from './cost-profile-run.js';
import { OVERHEAD_SETUPS, SETUP_DESCRIPTIONS, type OverheadSetup } from './overhead-run.js';
import { runRecord } from './results.js';
import { patchResultsAndTable } from './table.js';

const RESULTS_PATH = join(REPO_ROOT, 'bench', 'results.json');

const { fail, setting } = commandSettings('cost-profile');

function setupsSetting(): OverheadSetup[] {
  const raw = process.env.COST_PROFILE_SETUPS?.trim() || 'off,traces,profiles,full';
  const names = raw.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(OVERHEAD_SETUPS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    fail(
      `COST_PROFILE_SETUPS=${raw} names unknown setups (${unknown.join(', ')}); use ${OVERHEAD_SETUPS.join(', ')}`,
    );
  }
  if (!names.includes('off') || !names.includes('full'))
    fail(`COST_PROFILE_SETUPS=${raw} must include off and full`);
  return names as OverheadSetup[];
}

const setups = setupsSetting();
const rounds = setting('COST_PROFILE_ROUNDS', 2);
const seconds = setting('COST_PROFILE_SECONDS', 20);
const DEFAULT_WARMUP_SECONDS = 5;
const warmupSeconds = setting('COST_PROFILE_WARMUP_SECONDS', DEFAULT_WARMUP_SECONDS);
// a longer warm-up is its own record beside the default one, so that the two can be compared
const resultsKey = warmupSeconds > DEFAULT_WARMUP_SECONDS ? 'costProfileLongWarmup' : 'costProfile';
const why = perfUnavailable();
if (why !== undefined) fail(why);
try {
  requireBuilt(RIDESHARE_MAIN);
} catch (error) {
  fail((error as Error).message);
}

const loadAtStart = os.loadavg();
const started = Date.now();
process.stdout.write(
  `cost profile: ${setups.join(', ')} × ${rounds} rounds, ${seconds} s each under load after ${warmupSeconds} s of warm-up ` +
    `(load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')})\n`,
);
const measurements = await runCostProfile({
  setups,
  rounds,
  seconds,
  warmupSeconds,
  progress: (line) => process.stdout.write(`${line}\n`),
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
const summary = summariseCostProfile(measurements, 'full', 'off');

const isTelemetry = (part: string) => (TELEMETRY_PARTS as readonly string[]).includes(part);
process.stdout.write(`\nCPU µs per request by part (mean of ${rounds} rounds)\n`);
process.stdout.write(`part                   ${setups.map((s) => s.padStart(9)).join('')}\n`);
const parts = new Set(Object.values(summary.setups).flatMap((s) => Object.keys(s.parts)));
for (const part of [...parts].sort(
  (a, b) => (summary.setups.full!.parts[b as Part] ?? 0) - (summary.setups.full!.parts[a as Part] ?? 0),
)) {
  const cells = setups
    .map((s) => (summary.setups[s]!.parts[part as Part] ?? 0).toFixed(0).padStart(9))
    .join('');
  process.stdout.write(`${(isTelemetry(part) ? `${part} *` : part).padEnd(23)}${cells}\n`);
}
process.stdout.write(
  `${'CPU per request'.padEnd(23)}${setups.map((s) => String(summary.setups[s]!.cpuMicrosPerRequest).padStart(9)).join('')}\n` +
    `* telemetry's own parts. Full against off: +${summary.added.totalMicros} µs a request in telemetry parts ` +
    `and the growth of GC, V8's worker threads and the other shared parts\n`,
);

const costProfile = {
  ...runRecord('npm run cost-profile -w @rideshare/bench', loadAtStart, started),
  rounds,
  warmupSeconds,
  secondsPerProcess: seconds,
  setupDescriptions: Object.fromEntries(setups.map((s) => [s, SETUP_DESCRIPTIONS[s]])),
  method:
    'One fresh rideshare process per setup and round under the bench\u2019s closed loop (autocannon, 4 ' +
    `connections, /bike /scooter /car), ${warmupSeconds} s of warm-up, then perf record -e cpu-clock -F 997 -g of all its ` +
    'threads while the load runs. Each sample goes to one part (bench/src/cost-parts.ts): other threads by ' +
    'name, main-thread samples by their innermost frame that names a package (JavaScript by file, named by ' +
    'V8\u2019s jitdump, --perf-prof, and perf inject --jit) or V8\u2019s GC or the CPU profiler (C++ names); builtins count with ' +
    'their caller. A part\u2019s CPU per request = its share of the samples × the process\u2019s CPU per request ' +
    '(/proc). added = full minus off, part by part, without the request\u2019s own parts (app, Express, pino, ' +
    'Node core), which differ between processes by their offset, not by telemetry.',
  ...summary,
  measurements,
};
if (process.env.BENCH_NO_WRITE !== '1') {
  patchResultsAndTable(RESULTS_PATH, { [resultsKey]: costProfile });
  process.stdout.write(`\nwrote ${resultsKey} into ${RESULTS_PATH}\n`);
}
