/**
 * `npm run footprint -w @rideshare/bench [-- --long] [-- --backends none]`: the demo's memory and CPU, as a
 * person running `npm run demo` on a laptop gets them. Starts `scripts/demo.mjs` (three regions and the
 * load generator, all at their default settings), drives it at its default load, samples every process's
 * RSS (/proc), heap used (memory-probe.ts) and CPU time every 10 s, and writes `footprint` (or, with
 * `--long`, `footprint.long`) into bench/results.json.
 *
 *   default   5 minutes: 1 minute of warm-up, then 4 measured; RSS and heap at the end, CPU over the 4.
 *   --long    31 minutes: the same, plus RSS after 5 and after 30 minutes (the growth goal).
 *   --backends sinks (default): the telemetry settings of docker-compose.yml (OTLP over HTTP, profiles
 *             flushed every 10 s, logs to Loki) pointed at local receivers that decode what they get, so
 *             the run also checks what the demo shows (demo-signals.ts). `none`: no telemetry variables at
 *             all, as `npm run demo` without Docker (backends at their default addresses, none running).
 *   --minutes N   total minutes (default 5, or 31 with --long).
 *
 * Goals for the four processes together: ≤ 600 MB RSS, ≤ 0.5 core; RSS after 30 min within 10% of RSS
 * after 5 min.
 */
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  startAllReceivers,
  startOtlpTraceReceiver,
  type AllReceivers,
  type OtlpTraceReceiver,
} from '@rideshare/test-receivers';
import { MissingBuildError, REPO_ROOT, requireBuilt } from './app-process.js';
import { DemoSignals } from './demo-signals.js';
import { startDemo, type DemoRun } from './demo-run.js';
import { processCpuMicros, processPssBytes, processRssBytes } from './proc-stats.js';
import {
  appendTuning,
  footprintGoals,
  FOOTPRINT_GOALS,
  mergeResults,
  type Footprint,
  type FootprintProcess,
} from './footprint-results.js';
import { median, round } from './stats.js';

const RESULTS_PATH = join(REPO_ROOT, 'bench', 'results.json');
const SAMPLE_EVERY_MS = 10_000;
const WARMUP_MS = 60_000;
const GROWTH_WINDOW_MS = 60_000;
const MB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    backends: { type: 'string', default: 'sinks' },
    'no-write': { type: 'boolean', default: false },
    // for tuning runs: extra variables for the four processes (KEY=VALUE) and Node flags (NODE_OPTIONS)
    env: { type: 'string', multiple: true, default: [] },
    /** A tuning run with a label is appended to `footprint.tuning` in results.json (a step and its number). */
    label: { type: 'string' },
    'node-options': { type: 'string', default: '' },
  },
});
const extraEnv = Object.fromEntries(
  (args.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const tuning = Object.keys(extraEnv).length > 0 || args['node-options'] !== '';
const long = args.long === true;
const totalMs = Number(args.minutes ?? (long ? 31 : 5)) * 60_000;
const backends = args.backends === 'none' ? 'none' : 'sinks';
const started = Date.now();

function progress(line: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  process.stdout.write(
    `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}\n`,
  );
}

interface Sample {
  atMs: number;
  byPid: Map<
    number,
    {
      rss: number;
      pss: number | undefined;
      cpuMicros: number;
      heapUsed: number | undefined;
      heapTotal: number | undefined;
    }
  >;
}

async function main(): Promise<void> {
  if (!(totalMs >= 2 * WARMUP_MS)) throw new Error(`--minutes must be at least ${(2 * WARMUP_MS) / 60_000}`);
  requireBuilt(join(REPO_ROOT, 'bench', 'dist', 'src', 'memory-probe.js'));
  const loadAtStart = os.loadavg();
  progress(
    `footprint on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`,
  );
  progress(`load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  if (backends === 'none') await warnIfListening([4040, 4318, 3100]);

  const receivers: AllReceivers | undefined = backends === 'sinks' ? await startAllReceivers() : undefined;
  const otlp: OtlpTraceReceiver | undefined =
    backends === 'sinks' ? await startOtlpTraceReceiver() : undefined;
  // as docker-compose.yml: spans by OTLP (the default exporter), profiles every 10 s, logs to Loki
  const env = {
    ...(receivers !== undefined &&
      otlp !== undefined && {
        PYROSCOPE_SERVER_ADDRESS: receivers.env.PYROSCOPE_SERVER_ADDRESS!,
        LOKI_URL: receivers.env.LOKI_URL!,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        PYROSCOPE_FLUSH_INTERVAL_MS: '10000',
      }),
    ...extraEnv,
  };
  const signals = new DemoSignals();
  const basePort = await threeFreePorts();
  progress(`starting scripts/demo.mjs (DEMO_BASE_PORT=${basePort}, backends: ${backends}) …`);
  let demo: DemoRun | undefined;
  // Ctrl-C / SIGTERM: stop the demo (its processes run in their own process groups), then die of it
  const interrupted = (signal: NodeJS.Signals) => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    void Promise.allSettled([demo?.stop(), receivers?.close(), otlp?.close()]).finally(() =>
      process.kill(process.pid, signal),
    );
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    demo = await startDemo({ env, basePort, nodeOptions: args['node-options'] ?? '' });
    const running = Date.now();
    progress(
      `running: ${demo.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}; ${Math.round(totalMs / 60_000)} min`,
    );
    const samples: Sample[] = [];
    const take = (): Sample => {
      const sample: Sample = { atMs: Date.now() - running, byPid: new Map() };
      for (const { pid } of [...demo!.processes, { pid: demo!.demoPid }]) {
        const rss = processRssBytes(pid);
        if (rss === undefined) throw new Error(`process ${pid} is gone:\n${demo!.tail()}`);
        const probe = demo!.probe(pid);
        sample.byPid.set(pid, {
          rss,
          pss: processPssBytes(pid),
          cpuMicros: processCpuMicros(pid),
          heapUsed: probe?.heapUsed,
          heapTotal: probe?.heapTotal,
        });
      }
      samples.push(sample);
      return sample;
    };
    take();
    while (Date.now() - running < totalMs) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(SAMPLE_EVERY_MS, totalMs - (Date.now() - running))),
      );
      const s = take();
      if (receivers !== undefined) signals.absorb(receivers, otlp);
      const totalRss = demo.processes.reduce((a, p) => a + s.byPid.get(p.pid)!.rss, 0);
      if (samples.length % 3 === 1)
        progress(
          `  ${(s.atMs / 60_000).toFixed(1)} min: RSS ${Math.round(totalRss / MB)} MB in all (${demo.processes.map((p) => `${p.name} ${Math.round(s.byPid.get(p.pid)!.rss / MB)}`).join(', ')})`,
        );
    }
    const footprint = summarise(demo, samples, signals, receivers !== undefined);
    const loadAtEnd = os.loadavg();
    const stopCode = await demo.stop();
    demo = undefined;
    const record: Footprint = {
      command: `npm run footprint -w @rideshare/bench${long ? ' -- --long' : ''}${backends === 'none' ? ' -- --backends none' : ''}`,
      date: new Date().toISOString(),
      node: process.version,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      loadAverage: { atStart: loadAtStart, atEnd: loadAtEnd },
      backends:
        backends === 'sinks'
          ? 'local receivers that decode (test-receivers), with the telemetry settings of docker-compose.yml: spans by OTLP over HTTP, profiles flushed every 10 s, logs to Loki'
          : 'none running: no telemetry variables, as `npm run demo` without Docker',
      durationMinutes: round(totalMs / 60_000, 1),
      measuredFromMinute: WARMUP_MS / 60_000,
      demoExitCode: stopCode,
      ...(tuning && { tunedWith: { env: extraEnv, nodeOptions: args['node-options'] } }),
      ...footprint,
    };
    printSummary(record);
    if (args['no-write'] === true) {
      // printed only
    } else if (args.label !== undefined) {
      appendTuning(RESULTS_PATH, { label: args.label, ...record });
      progress(`appended "${args.label}" to footprint.tuning in ${RESULTS_PATH}`);
    } else if (tuning) {
      progress('a tuning run (--env, --node-options) without --label: not written');
    } else {
      mergeResults(RESULTS_PATH, record, long ? 'long' : 'short');
      progress(`wrote ${long ? 'footprint.long' : 'footprint'} into ${RESULTS_PATH}`);
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await demo?.stop().catch(() => undefined);
    await receivers?.close().catch(() => undefined);
    await otlp?.close().catch(() => undefined);
  }
}

function summarise(demo: DemoRun, samples: Sample[], signals: DemoSignals, withSignals: boolean) {
  const last = samples.at(-1)!;
  const from = samples.find((s) => s.atMs >= WARMUP_MS) ?? samples[0]!;
  const seconds = (last.atMs - from.atMs) / 1000;
  const at = (minutes: number) =>
    samples.reduce((best, s) =>
      Math.abs(s.atMs - minutes * 60_000) < Math.abs(best.atMs - minutes * 60_000) ? s : best,
    );
  const describe = (pid: number, name: string): FootprintProcess => {
    const series = samples.map((s) => s.byPid.get(pid)!);
    const end = last.byPid.get(pid)!;
    return {
      name,
      rssMB: round(end.rss / MB, 1),
      pssMB: end.pss === undefined ? null : round(end.pss / MB, 1),
      maxRssMB: round(Math.max(...series.map((s) => s.rss)) / MB, 1),
      heapUsedMB: end.heapUsed === undefined ? null : round(end.heapUsed / MB, 1),
      heapTotalMB: end.heapTotal === undefined ? null : round(end.heapTotal / MB, 1),
      cpuCores: round((end.cpuMicros - from.byPid.get(pid)!.cpuMicros) / 1e6 / seconds, 4),
      logLines: demo.lineCounts.get(name) ?? 0,
    };
  };
  const processes = demo.processes.map((p) => describe(p.pid, p.name));
  const totalRssAt = (s: Sample) =>
    round(demo.processes.reduce((a, p) => a + s.byPid.get(p.pid)!.rss, 0) / MB, 1);
  /** The median total over the samples within ±GROWTH_WINDOW_MS of a minute mark (one sample is noisy). */
  const totalRssAround = (minutes: number): number => {
    const near = samples.filter((s) => Math.abs(s.atMs - minutes * 60_000) <= GROWTH_WINDOW_MS);
    return round(median((near.length > 0 ? near : [at(minutes)]).map(totalRssAt)), 1);
  };
  const settings = Object.fromEntries(
    [...demo.startLines].map(([name, line]) => {
      const { level: _l, time: _t, pid: _p, hostname: _h, msg: _m, service: _s, ...rest } = line;
      return [name, rest];
    }),
  );
  return {
    settings,
    totalRssMB: round(
      processes.reduce((a, p) => a + p.rssMB, 0),
      1,
    ),
    totalPssMB: round(
      processes.reduce((a, p) => a + (p.pssMB ?? 0), 0),
      1,
    ),
    totalHeapUsedMB: round(
      processes.reduce((a, p) => a + (p.heapUsedMB ?? 0), 0),
      1,
    ),
    totalCpuCores: round(
      processes.reduce((a, p) => a + p.cpuCores, 0),
      4,
    ),
    processes,
    demoScript: describe(demo.demoPid, 'scripts/demo.mjs'),
    totalRssMBByMinute: samples
      .filter((s, i) => i === 0 || Math.floor(s.atMs / 60_000) !== Math.floor(samples[i - 1]!.atMs / 60_000))
      .map((s): [number, number] => [round(s.atMs / 60_000, 2), totalRssAt(s)]),
    ...(last.atMs >= 30 * 60_000 - SAMPLE_EVERY_MS && {
      rssAt5MinMB: totalRssAround(5),
      rssAt30MinMB: totalRssAround(30),
      growth: round(totalRssAround(30) / totalRssAround(5), 4),
      growthWindow: `median of the ${SAMPLE_EVERY_MS / 1000}-s samples within ±${GROWTH_WINDOW_MS / 60_000} min of each minute mark`,
    }),
    ...(withSignals && {
      shows: {
        orderWork: signals.orderWork(),
        spansByName: signals.spansByName(),
        slowPeriodSeconds: signals.slowPeriodSeconds,
        latency: signals.regionLatency(),
        flameGraphs: signals.flameGraphs(),
      },
    }),
  };
}

function printSummary(f: Footprint): void {
  const lines = [
    `| process | RSS MB (max) | PSS MB | heap used MB | CPU cores |`,
    `|---|---|---|---|---|`,
    ...[...f.processes, f.demoScript].map(
      (p) =>
        `| ${p.name} | ${p.rssMB} (${p.maxRssMB}) | ${p.pssMB ?? '?'} | ${p.heapUsedMB ?? '?'} | ${p.cpuCores.toFixed(3)} |`,
    ),
    `| the four together | ${f.totalRssMB} | ${f.totalPssMB} | ${f.totalHeapUsedMB} | ${f.totalCpuCores.toFixed(3)} |`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  if (f.growth !== undefined)
    process.stdout.write(
      `RSS after 5 min ${f.rssAt5MinMB} MB, after 30 min ${f.rssAt30MinMB} MB: ×${f.growth}\n`,
    );
  const goals = footprintGoals(f, f.growth === undefined ? undefined : f);
  for (const [key, goal] of Object.entries(goals))
    process.stdout.write(`goal ${key}: ${JSON.stringify(goal)}\n`);
  if (f.shows !== undefined) process.stdout.write(`shows: ${JSON.stringify(f.shows, null, 1)}\n`);
  process.stdout.write(`goals: ${JSON.stringify(FOOTPRINT_GOALS)}\n`);
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1' }, () => server.close(() => resolve(true)));
  });
}

/** A base port with it and the next two free (the demo listens on all interfaces; checked on loopback). */
async function threeFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portFree(base)) && (await portFree(base + 1)) && (await portFree(base + 2))) return base;
  }
  throw new Error('no three consecutive free ports found');
}

async function warnIfListening(ports: number[]): Promise<void> {
  for (const port of ports) {
    if (!(await portFree(port)))
      progress(`  warning: something listens on :${port}; the demo may be sending to it`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof MissingBuildError) process.stderr.write(`footprint: ${error.message}\n`);
  else
    process.stderr.write(
      `footprint failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exitCode = 1;
});
