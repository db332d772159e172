/**
 * `npm run breakdown -w @rideshare/bench`: where the app CPU that full telemetry adds per request goes.
 * Measures, interleaved like the main bench, the standard setups plus variants that each switch off one
 * thing, and takes each part as the difference of two measured setups (medians over rounds of the
 * within-round difference to "off"). Writes `overheadBreakdown` into bench/results.json (the bench keeps
 * it) and prints the parts. Not part of `npm run bench`.
 *
 *   BENCH_ROUNDS [10], BENCH_SECONDS [3], BENCH_GENERATIONS [5]: sets of fresh app processes over the rounds
 *   BENCH_EXTRA_SETUPS  JSON { name: { VAR: value } } of further setups ($SINK: the sink's URL; $MAIN: the
 *                       app's main.js of another build, e.g. a git worktree of an earlier commit)
 *   BENCH_NO_WRITE=1    print only
 */
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './app-process.js';
import { runOverhead, setupEnv, type SetupSummary } from './overhead-run.js';
import { patchResults } from './results.js';

const RESULTS_PATH = join(REPO_ROOT, 'bench', 'results.json');
// the variants are the bench's own setups (the default exporter) with one thing changed
const profiles = setupEnv('profiles', '$SINK');
const full = setupEnv('full', '$SINK');

const VARIANTS = {
  'off, no order log line': { ...setupEnv('off', '$SINK'), LOG_LEVEL: 'warn' },
  'profiles, no CPU time': { ...profiles, PYROSCOPE_WALL_COLLECT_CPU_TIME: 'false' },
  'profiles, no span labels': { ...profiles, PYROSCOPE_SPAN_LABELS: 'off' },
  'full, no order log line': { ...full, LOG_LEVEL: 'warn' },
} as const;

const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const extra = JSON.parse(process.env.BENCH_EXTRA_SETUPS ?? '{}') as Record<string, Record<string, string>>;
const loadAtStart = os.loadavg();
const started = Date.now();
const result = await runOverhead({
  setups: ['traces', 'profiles', 'full'],
  connections: 4,
  durationSeconds: Number(process.env.BENCH_SECONDS ?? 3),
  warmupSeconds: 2,
  rounds,
  generations: Number(process.env.BENCH_GENERATIONS ?? 5),
  paths: ['/bike', '/scooter', '/car'],
  progress: (line) => process.stdout.write(`${line}\n`),
  extraSetups: { ...VARIANTS, ...extra },
});

const added = (s: SetupSummary | undefined) => {
  if (s === undefined) throw new Error('a setup of the breakdown was not measured');
  return s.addedCpuMicrosPerRequest;
};
const x = result.extra;
const parts = {
  spansOtlp: added(result.traces),
  profilerWithoutCpuTimeAndLabels: NaN,
  profilerCpuTime: added(result.profiles) - added(x['profiles, no CPU time']),
  spanLabels: added(result.profiles) - added(x['profiles, no span labels']),
  profilesAndSpanLabels: added(result.profiles) - added(result.traces),
  logsToLoki: added(result.full) - added(result.profiles),
  orderLogLineWithFullTelemetry: added(result.full) - added(x['full, no order log line']),
  orderLogLineToStdoutWithoutTelemetry: -added(x['off, no order log line']),
};
parts.profilerWithoutCpuTimeAndLabels =
  parts.profilesAndSpanLabels - parts.profilerCpuTime - parts.spanLabels;

const rows: Record<string, SetupSummary> = {
  traces: result.traces!,
  profiles: result.profiles!,
  full: result.full!,
  ...result.extra,
};
process.stdout.write('\nsetup | +CPU µs/request (median) | CPU-bound throughput ratio (95% interval)\n');
for (const [name, s] of Object.entries(rows)) {
  const ci = s.ci95.cpuThroughputRatio;
  process.stdout.write(
    `${name} | ${s.addedCpuMicrosPerRequest} | ${s.cpuThroughputRatio} (${ci.low}–${ci.high})\n`,
  );
}
process.stdout.write(`off: ${result.off.cpuMicrosPerRequest.median} µs CPU/request\n\nparts (µs/request):\n`);
for (const [name, us] of Object.entries(parts)) process.stdout.write(`  ${name}: ${us}\n`);

const breakdown = {
  command: 'npm run breakdown -w @rideshare/bench',
  date: new Date().toISOString(),
  loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
  durationSeconds: Math.round((Date.now() - started) / 1000),
  rounds,
  generations: result.method['generations'],
  requestItselfMicros: Math.round(result.off.cpuMicrosPerRequest.median),
  partsMicrosPerRequest: parts,
  note:
    'Each part is the difference of two measured setups, each the median over rounds of its within-round ' +
    'CPU per request minus that of "off": spans = (b) − (a); profiler CPU time = (c) − (c without CPU time); ' +
    'span labels = (c) − (c without span labels); logs to Loki = (d) − (c); the order log line = (d) − (d ' +
    'at LOG_LEVEL=warn). Parts measured in separate setups need not add up exactly.',
  setups: Object.fromEntries(
    Object.entries(rows).map(([name, s]) => [
      name,
      {
        description: s.description,
        addedCpuMicrosPerRequest: s.addedCpuMicrosPerRequest,
        cpuThroughputRatio: s.cpuThroughputRatio,
        ci95: s.ci95.cpuThroughputRatio,
        throughputRatio: s.throughputRatio,
        p99Ratio: s.p99Ratio,
      },
    ]),
  ),
  extraSetups: Object.keys(extra),
};
if (process.env.BENCH_NO_WRITE !== '1' && Object.keys(extra).length === 0) {
  patchResults(RESULTS_PATH, { overheadBreakdown: breakdown });
  process.stdout.write(`\nwrote overheadBreakdown into ${RESULTS_PATH}\n`);
}
