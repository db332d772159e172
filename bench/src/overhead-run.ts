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
  full: '(d) everything: (c) + logs to Loki (our pino transport)',
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
  setup: string;
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
  /** Median over rounds of the within-round throughput ratio to "off". */
  throughputRatio: number;
  /** Pooled p50 / pooled p50 of "off". */
  p50Ratio: number;
  /** Pooled p99 / pooled p99 of "off". */
  p99Ratio: number;
  /** CPU per request of "off" / of this setup, median over rounds: the throughput ratio of a CPU-bound server. */
  cpuThroughputRatio: number;
  pooledP50Ms: number;
  pooledP99Ms: number;
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
  /** Further setups to measure alongside the four (for investigations): name → app environment. */
  extraSetups?: Record<string, Record<string, string>>;
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
  extra: Record<string, SetupSummary>;
  measurements: OverheadMeasurement[];
  sinkCounts: Sink['counts'];
}

async function measure(
  app: AppProcess,
  setup: string,
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
  if (round >= 0) latenciesOf(setup).push(...latencies);
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

/** Every response time of the measured rounds, per setup (pooled for p50/p99: one round has too few). */
const pooledLatencies = new Map<string, number[]>();
function latenciesOf(setup: string): number[] {
  let list = pooledLatencies.get(setup);
  if (list === undefined) pooledLatencies.set(setup, (list = []));
  return list;
}

export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const sink = await startSink();
  pooledLatencies.clear();
  const envs: Record<string, Record<string, string>> = Object.fromEntries(
    OVERHEAD_SETUPS.map((setup) => [setup, setupEnv(setup, sink.url)]),
  );
  for (const [name, env] of Object.entries(options.extraSetups ?? {})) {
    envs[name] = { ...env };
    for (const [k, v] of Object.entries(env))
      if (v.includes('$SINK')) envs[name]![k] = v.replace('$SINK', sink.url);
  }
  const setups = Object.keys(envs);
  const apps = new Map<string, AppProcess>();
  try {
    for (const setup of setups) {
      apps.set(
        setup,
        await startApp({
          port: await getFreePort(),
          label: `overhead ${setup}`,
          env: envs[setup]!,
          stdout: 'ignore',
        }),
      );
    }
    for (const setup of setups) {
      options.progress(`  warm-up ${setup} (${options.warmupSeconds} s)`);
      await measure(apps.get(setup)!, setup, -1, options, options.warmupSeconds);
    }
    const measurements: OverheadMeasurement[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const order = setups.map((_, i) => setups[(i + r) % setups.length]!);
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
      off: summarise('off', measurements, pooledLatencies),
      traces: summarise('traces', measurements, pooledLatencies),
      profiles: summarise('profiles', measurements, pooledLatencies),
      full: summarise('full', measurements, pooledLatencies),
      extra: Object.fromEntries(
        Object.keys(options.extraSetups ?? {}).map((name) => [
          name,
          summarise(name, measurements, pooledLatencies),
        ]),
      ),
      measurements,
      sinkCounts: sink.counts,
    };
  } finally {
    await Promise.all([...apps.values()].map((app) => app.stop()));
    await sink.close();
  }
}

/**
 * One setup against "off": throughput as the median over rounds of the within-round ratio (robust to a
 * burst of other work on the machine during one round); p50/p99 from all response times of all rounds
 * pooled per setup (a 4 s round has only a few hundred, too few for a p99), their spread per round.
 */
export function summarise(
  setup: string,
  measurements: readonly OverheadMeasurement[],
  pooled?: ReadonlyMap<string, readonly number[]>,
): SetupSummary {
  const mine = measurements.filter((m) => m.setup === setup);
  const ratios = {
    throughput: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    cpu: [] as number[],
  };
  const cpuRatios: number[] = [];
  for (const m of mine) {
    const base = measurements.find((b) => b.setup === 'off' && b.round === m.round);
    if (base === undefined) continue;
    ratios.throughput.push(m.throughput / base.throughput);
    ratios.p50.push(m.p50Ms / base.p50Ms);
    ratios.p99.push(m.p99Ms / base.p99Ms);
    ratios.cpu.push(m.cpuMicrosPerRequest - base.cpuMicrosPerRequest);
    cpuRatios.push(base.cpuMicrosPerRequest / m.cpuMicrosPerRequest);
  }
  const mineLatencies = pooled?.get(setup);
  const offLatencies = pooled?.get('off');
  const pooledRatio = (q: number, perRound: number[]) =>
    mineLatencies?.length && offLatencies?.length
      ? quantile(mineLatencies, q) / quantile(offLatencies, q)
      : median(perRound);
  const r = (s: Spread): Spread => ({ median: round4(s.median), min: round4(s.min), max: round4(s.max) });
  return {
    description: SETUP_DESCRIPTIONS[setup as OverheadSetup] ?? setup,
    throughputRatio: round4(median(ratios.throughput)),
    p50Ratio: round4(pooledRatio(0.5, ratios.p50)),
    p99Ratio: round4(pooledRatio(0.99, ratios.p99)),
    cpuThroughputRatio: round4(median(cpuRatios)),
    spread: {
      throughputRatio: r(spread(ratios.throughput)),
      p50Ratio: r(spread(ratios.p50)),
      p99Ratio: r(spread(ratios.p99)),
    },
    throughput: r(spread(mine.map((m) => m.throughput))),
    p50Ms: r(spread(mine.map((m) => m.p50Ms))),
    p99Ms: r(spread(mine.map((m) => m.p99Ms))),
    pooledP50Ms: round4(quantile(mineLatencies ?? [], 0.5)),
    pooledP99Ms: round4(quantile(mineLatencies ?? [], 0.99)),
    cpuMicrosPerRequest: r(spread(mine.map((m) => m.cpuMicrosPerRequest))),
    addedCpuMicrosPerRequest: Math.round(median(ratios.cpu)),
  };
}
