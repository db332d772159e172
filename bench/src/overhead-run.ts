/**
 * Overhead: four rideshare processes, one per telemetry setup, all started up front and warmed up, then
 * measured in interleaved rounds (each round visits every setup once, in a rotated order), one at a time
 * under the same closed-loop autocannon load. Throughput, p50/p99 latency (from every response time,
 * not autocannon's whole-millisecond histogram) and the app's CPU time per request are recorded for
 * each measurement; ratios to "off" are taken within a round, then summarised over the rounds.
 */
import autocannon from 'autocannon';
import { getFreePort } from '@rideshare/test-receivers';
import { startApp, type AppProcess } from './app-process.js';
import { startSink, type Sink } from './sink.js';
import { median, quantile, round, spread, type Spread } from './stats.js';

export const OVERHEAD_SETUPS = ['off', 'traces', 'profiles', 'full'] as const;
export type OverheadSetup = (typeof OVERHEAD_SETUPS)[number];

export const SETUP_DESCRIPTIONS: Record<OverheadSetup, string> = {
  off: '(a) telemetry off: OTEL_SDK_DISABLED=true',
  traces: '(b) traces only: Jaeger exporter, PYROSCOPE_ENABLED=false',
  profiles: '(c) traces + profiles + span labels (100 Hz, CPU time, flush 10 s)',
  full: '(d) everything: (c) + logs to Loki (pino-loki)',
};

export function setupEnv(setup: OverheadSetup, sinkUrl: string): Record<string, string> {
  const common = { REGION: 'us-east', SLOW_MODE: 'never', LOG_LEVEL: 'info' };
  if (setup === 'off') return { ...common, OTEL_SDK_DISABLED: 'true' };
  const traces = {
    ...common,
    OTEL_TRACES_EXPORTER: 'jaeger',
    OTEL_EXPORTER_JAEGER_ENDPOINT: `${sinkUrl}/api/traces`,
  };
  if (setup === 'traces') return { ...traces, PYROSCOPE_ENABLED: 'false' };
  const profiles = {
    ...traces,
    PYROSCOPE_ENABLED: 'true',
    PYROSCOPE_SERVER_ADDRESS: sinkUrl,
    PYROSCOPE_FLUSH_INTERVAL_MS: '10000', // as in docker-compose.yml; sampling at the default 100 Hz
  };
  if (setup === 'profiles') return profiles;
  return { ...profiles, LOKI_URL: sinkUrl };
}

export interface OverheadMeasurement {
  setup: OverheadSetup;
  round: number;
  requests: number;
  non2xx: number;
  errors: number;
  durationSeconds: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  appCpuMicros: number;
  cpuMicrosPerRequest: number;
}

export interface SetupSummary {
  description: string;
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  /** Median, min and max over the rounds of the per-round ratio to "off". */
  spread: { throughputRatio: Spread; p50Ratio: Spread; p99Ratio: Spread };
  throughput: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  cpuMicrosPerRequest: Spread;
  /** Median over rounds of (CPU µs per request of this setup − of "off" in the same round). */
  addedCpuMicrosPerRequest: number;
}

export interface OverheadOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  paths: readonly string[];
  progress: (line: string) => void;
}

export interface OverheadResult {
  method: Record<string, unknown>;
  off: SetupSummary;
  traces: SetupSummary;
  profiles: SetupSummary;
  full: SetupSummary;
  measurements: OverheadMeasurement[];
  sinkCounts: Sink['counts'];
}

async function measure(
  app: AppProcess,
  setup: OverheadSetup,
  round: number,
  options: OverheadOptions,
  durationSeconds: number,
): Promise<OverheadMeasurement> {
  const latencies: number[] = [];
  const cpuBefore = app.cpuMicros();
  // without a callback autocannon returns its instance (an event emitter) made thenable
  const instance = autocannon({
    url: app.url,
    connections: options.connections,
    duration: durationSeconds,
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  }) as unknown as autocannon.Instance & PromiseLike<autocannon.Result>;
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  const appCpuMicros = app.cpuMicros() - cpuBefore;
  const requests = result.requests.total;
  const seconds = result.duration;
  return {
    setup,
    round,
    requests,
    non2xx: result.non2xx,
    errors: result.errors,
    durationSeconds: round4(seconds),
    throughput: round4(latencies.length / seconds),
    p50Ms: round4(quantile(latencies, 0.5)),
    p99Ms: round4(quantile(latencies, 0.99)),
    appCpuMicros: Math.round(appCpuMicros),
    cpuMicrosPerRequest: round4(appCpuMicros / Math.max(1, latencies.length)),
  };
}

const round4 = (n: number) => round(n, 4);

export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const sink = await startSink();
  const apps = new Map<OverheadSetup, AppProcess>();
  try {
    for (const setup of OVERHEAD_SETUPS) {
      apps.set(
        setup,
        await startApp({
          port: await getFreePort(),
          label: `overhead ${setup}`,
          env: setupEnv(setup, sink.url),
          stdout: 'ignore',
        }),
      );
    }
    for (const setup of OVERHEAD_SETUPS) {
      options.progress(`  warm-up ${setup} (${options.warmupSeconds} s)`);
      await measure(apps.get(setup)!, setup, -1, options, options.warmupSeconds);
    }
    const measurements: OverheadMeasurement[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const order = OVERHEAD_SETUPS.map((_, i) => OVERHEAD_SETUPS[(i + r) % OVERHEAD_SETUPS.length]!);
      for (const setup of order) {
        const m = await measure(apps.get(setup)!, setup, r, options, options.durationSeconds);
        measurements.push(m);
        options.progress(
          `  round ${r + 1}/${options.rounds} ${setup.padEnd(8)} ${m.throughput.toFixed(1)} req/s  ` +
            `p50 ${m.p50Ms.toFixed(1)} ms  p99 ${m.p99Ms.toFixed(1)} ms  cpu ${m.cpuMicrosPerRequest.toFixed(0)} µs/req`,
        );
      }
    }
    for (const [setup, app] of apps) {
      if (app.output().trim() !== '')
        options.progress(`  ${setup} stderr: ${app.output().trim().slice(-300)}`);
    }
    return {
      method: {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        rounds: options.rounds,
        paths: options.paths,
        setups: SETUP_DESCRIPTIONS,
        sink: 'local HTTP sink answering like Jaeger/Pyroscope/Loki without decoding',
      },
      off: summarise('off', measurements),
      traces: summarise('traces', measurements),
      profiles: summarise('profiles', measurements),
      full: summarise('full', measurements),
      measurements,
      sinkCounts: sink.counts,
    };
  } finally {
    await Promise.all([...apps.values()].map((app) => app.stop()));
    await sink.close();
  }
}

export function summarise(setup: OverheadSetup, measurements: readonly OverheadMeasurement[]): SetupSummary {
  const mine = measurements.filter((m) => m.setup === setup);
  const ratios = {
    throughput: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    cpu: [] as number[],
  };
  for (const m of mine) {
    const base = measurements.find((b) => b.setup === 'off' && b.round === m.round);
    if (base === undefined) continue;
    ratios.throughput.push(m.throughput / base.throughput);
    ratios.p50.push(m.p50Ms / base.p50Ms);
    ratios.p99.push(m.p99Ms / base.p99Ms);
    ratios.cpu.push(m.cpuMicrosPerRequest - base.cpuMicrosPerRequest);
  }
  const r = (s: Spread): Spread => ({ median: round4(s.median), min: round4(s.min), max: round4(s.max) });
  return {
    description: SETUP_DESCRIPTIONS[setup],
    throughputRatio: round4(median(ratios.throughput)),
    p50Ratio: round4(median(ratios.p50)),
    p99Ratio: round4(median(ratios.p99)),
    spread: {
      throughputRatio: r(spread(ratios.throughput)),
      p50Ratio: r(spread(ratios.p50)),
      p99Ratio: r(spread(ratios.p99)),
    },
    throughput: r(spread(mine.map((m) => m.throughput))),
    p50Ms: r(spread(mine.map((m) => m.p50Ms))),
    p99Ms: r(spread(mine.map((m) => m.p99Ms))),
    cpuMicrosPerRequest: r(spread(mine.map((m) => m.cpuMicrosPerRequest))),
    addedCpuMicrosPerRequest: Math.round(median(ratios.cpu)),
  };
}
