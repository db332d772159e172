/**
 * Overhead: one rideshare process per telemetry setup, all started and warmed up together, then measured
 * in interleaved rounds (each round visits every setup once, in a rotated order), each setup at the same
 * time as its own run of "off" (its baseline), both under the same closed-loop autocannon load. The
 * processes are replaced by fresh ones `generations` times over the rounds: a process keeps an offset of
 * its own through all its rounds (a baseline process 5% slower than another made every setup of one run
 * look 5% cheaper, 2026-12-04), which more rounds in the same processes cannot average out.
 * Throughput, p50/p99 latency (from every response time, not autocannon's whole-millisecond histogram)
 * and the app's CPU time per request are recorded for each measurement; a setup's ratios are to the
 * baseline run beside it, then summarised over the rounds, each with a 95% bootstrap interval that
 * resamples the generations of processes and the rounds within them (how well the median is known).
 */
import autocannon from 'autocannon';
import { getFreePort } from '@rideshare/test-receivers';
import { startApp, type AppProcess } from './app-process.js';
import { startSink, type Sink } from './sink.js';
import {
  clusteredBootstrapInterval,
  median,
  quantile,
  round,
  spread,
  type Interval,
  type Spread,
} from './stats.js';

export const OVERHEAD_SETUPS = ['off', 'traces', 'tracesJaeger', 'profiles', 'full', 'fullJaeger'] as const;
export type OverheadSetup = (typeof OVERHEAD_SETUPS)[number];

export const SETUP_DESCRIPTIONS: Record<OverheadSetup, string> = {
  off: '(a) telemetry off: OTEL_SDK_DISABLED=true',
  traces: '(b) traces only: OTLP exporter (protobuf over HTTP, the default), PYROSCOPE_ENABLED=false',
  tracesJaeger: "(b') traces only, Jaeger exporter (Thrift over HTTP)",
  profiles: '(c) traces + profiles + span labels (100 Hz, CPU time, flush 10 s)',
  full: '(d) everything: (c) + logs to Loki (our pino transport)',
  fullJaeger: "(d') everything, spans by Jaeger Thrift",
};

export function setupEnv(setup: OverheadSetup, sinkUrl: string): Record<string, string> {
  const common = { REGION: 'us-east', SLOW_MODE: 'never', LOG_LEVEL: 'info' };
  if (setup === 'off') return { ...common, OTEL_SDK_DISABLED: 'true' };
  const jaeger = setup === 'tracesJaeger' || setup === 'fullJaeger';
  const traces = jaeger
    ? { ...common, OTEL_TRACES_EXPORTER: 'jaeger', OTEL_EXPORTER_JAEGER_ENDPOINT: `${sinkUrl}/api/traces` }
    : { ...common, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl };
  if (setup === 'traces' || setup === 'tracesJaeger') return { ...traces, PYROSCOPE_ENABLED: 'false' };
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
  /** Which set of app processes measured it (0 …); absent in results from before processes were replaced. */
  generation?: number;
  /** For a baseline's measurement: the setup measured at the same time, against which it counts. */
  pairedWith?: string;
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
  /** 95% bootstrap intervals (generations of processes, then rounds) of the three ratios the goals use. */
  ci95: { throughputRatio: Interval; p99Ratio: Interval; cpuThroughputRatio: Interval };
  throughput: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  cpuMicrosPerRequest: Spread;
  /** Median over rounds of (CPU µs per request of this setup − of "off" in the same round). */
  addedCpuMicrosPerRequest: number;
}

export interface OverheadOptions {
  /** The standard setups to measure (default all; "off" is always measured: ratios are taken to it). */
  setups?: readonly OverheadSetup[];
  /**
   * Further setups to measure alongside (for investigations): name → app environment ($SINK: the sink's
   * URL; the keys $MAIN and $FLAGS, if present, are not passed on: another build of the app to start, and
   * Node flags for it, space-separated).
   */
  extraSetups?: Record<string, Record<string, string>>;
  /** A setup's baseline when it is not "off" (an extra setup named here is measured only as a baseline). */
  baselineOf?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  /** How many sets of fresh app processes measure the rounds, in turn (default 1: the same for all). */
  generations?: number;
  paths: readonly string[];
  progress: (line: string) => void;
}

export interface OverheadResult extends Partial<Record<OverheadSetup, SetupSummary>> {
  off: SetupSummary;
  method: Record<string, unknown>;
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
  latencyKey = setup,
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
  if (round >= 0) {
    latenciesOf(latencyKey)[round] = latencies;
    // a baseline's row pools all its runs of the round
    if (latencyKey !== setup) (latenciesOf(setup)[round] ??= []).push(...latencies);
  }
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

/** What a setup is compared with: itself for a baseline (its own row, ratios 1), else its baseline. */
function baselineFor(setup: string, options: Pick<OverheadOptions, 'baselineOf'>): string {
  const baselines = new Set(['off', ...Object.values(options.baselineOf ?? {})]);
  return baselines.has(setup) ? setup : (options.baselineOf?.[setup] ?? 'off');
}

/** The key of a baseline's latencies measured beside `setup`. */
const pairKey = (baseline: string, setup: string) => `${baseline} | ${setup}`;

/** Every response time of the measured rounds, per setup and round (pooled for p50/p99: one round has too few). */
const pooledLatencies = new Map<string, number[][]>();
function latenciesOf(setup: string): number[][] {
  let list = pooledLatencies.get(setup);
  if (list === undefined) pooledLatencies.set(setup, (list = []));
  return list;
}

export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const sink = await startSink();
  pooledLatencies.clear();
  const standard = OVERHEAD_SETUPS.filter(
    (s) => s === 'off' || (options.setups ?? OVERHEAD_SETUPS).includes(s),
  );
  const envs: Record<string, Record<string, string>> = Object.fromEntries(
    standard.map((setup) => [setup, setupEnv(setup, sink.url)]),
  );
  for (const [name, env] of Object.entries(options.extraSetups ?? {})) {
    envs[name] = { ...env };
    for (const [k, v] of Object.entries(env))
      if (v.includes('$SINK')) envs[name]![k] = v.replaceAll('$SINK', sink.url);
  }
  const setups = Object.keys(envs);
  const apps = new Map<string, AppProcess>();
  // Ctrl-C / SIGTERM: stop the apps (they would outlive the bench), then die of the same signal
  const interrupted = (signal: NodeJS.Signals) => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    void Promise.all([...apps.values()].map((app) => app.stop(2000))).finally(() =>
      process.kill(process.pid, signal),
    );
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  const generations = Math.max(1, Math.min(options.rounds, Math.floor(options.generations ?? 1)));
  const generationOf = (r: number) => Math.floor((r * generations) / options.rounds);
  /** Stops the running set of processes, first printing what any of them wrote to stderr. */
  const stopAll = async () => {
    for (const [setup, app] of apps) {
      if (app.output().trim() !== '')
        options.progress(`  ${setup} stderr: ${app.output().trim().slice(-300)}`);
    }
    await Promise.all([...apps.values()].map((app) => app.stop()));
    apps.clear();
  };
  const startAll = async (generation: number) => {
    await stopAll();
    options.progress(`  processes, set ${generation + 1}/${generations}: starting ${setups.length}`);
    for (const setup of setups) {
      const { $MAIN: main, $FLAGS: flags, ...env } = envs[setup]!;
      apps.set(
        setup,
        await startApp({
          port: await getFreePort(),
          label: `overhead ${setup}`,
          env,
          stdout: 'ignore',
          ...(main !== undefined && { main }),
          ...(flags !== undefined && { nodeFlags: flags.split(' ').filter((f) => f !== '') }),
        }),
      );
    }
    for (const setup of setups) {
      options.progress(`  warm-up ${setup} (${options.warmupSeconds} s)`);
      await measure(apps.get(setup)!, setup, -1, options, options.warmupSeconds);
    }
  };
  try {
    // Each setup runs at the same time as its own run of its baseline: two processes, two loads, the same
    // seconds. This machine's speed drifts by ±15% from one few-second stretch to the next, which
    // measuring them one after the other turned into noise wider than the 5% to be shown.
    const compared = setups.filter((setup) => baselineFor(setup, options) !== setup);
    const measurements: OverheadMeasurement[] = [];
    const line = (m: OverheadMeasurement) =>
      `${m.setup.padEnd(8)} ${m.throughput.toFixed(1)} req/s  p50 ${m.p50Ms.toFixed(1)} ms  ` +
      `p99 ${m.p99Ms.toFixed(1)} ms  cpu ${m.cpuMicrosPerRequest.toFixed(0)} µs/req`;
    for (let r = 0; r < options.rounds; r++) {
      const generation = generationOf(r);
      if (r === 0 || generation !== generationOf(r - 1)) await startAll(generation);
      const order = compared.map((_, i) => compared[(i + r) % compared.length]!);
      for (const setup of order) {
        const baseline = baselineFor(setup, options);
        const [base, m] = await Promise.all([
          measure(
            apps.get(baseline)!,
            baseline,
            r,
            options,
            options.durationSeconds,
            pairKey(baseline, setup),
          ),
          measure(apps.get(setup)!, setup, r, options, options.durationSeconds),
        ]);
        measurements.push({ ...base, generation, pairedWith: setup }, { ...m, generation });
        options.progress(`  round ${r + 1}/${options.rounds} ${line(m)}  | ${line(base)}`);
      }
    }
    return {
      method: {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        rounds: options.rounds,
        generations,
        processes:
          `the app processes are replaced by fresh ones ${generations} times over the rounds (each set ` +
          'started and warmed up together); the 95% intervals resample the sets, then the rounds in each',
        paths: options.paths,
        pairing:
          'each setup is measured at the same time as its own run of its baseline ("off"): two app ' +
          'processes, two loads, the same seconds; its ratios are to that run',
        setups: SETUP_DESCRIPTIONS,
        sink: 'local HTTP sink answering like Jaeger/Pyroscope/Loki without decoding',
      },
      off: summarise('off', measurements, pooledLatencies),
      ...Object.fromEntries(
        standard.map((setup) => [setup, summarise(setup, measurements, pooledLatencies)]),
      ),
      extra: Object.fromEntries(
        Object.keys(options.extraSetups ?? {}).map((name) => [
          name,
          summarise(name, measurements, pooledLatencies, baselineFor(name, options)),
        ]),
      ),
      measurements,
      sinkCounts: sink.counts,
    };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await stopAll();
    await sink.close();
  }
}

/**
 * One setup against "off": throughput as the median over rounds of the within-round ratio (robust to a
 * burst of other work on the machine during one round); p50/p99 from all response times of all rounds
 * pooled per setup (a 3 s round has only a few hundred, too few for a p99), their spread per round; and a
 * 95% bootstrap interval of each ratio the goals use, resampling the sets of processes and, within each,
 * whole rounds (each with its "off").
 */
export function summarise(
  setup: string,
  measurements: readonly OverheadMeasurement[],
  pooled?: ReadonlyMap<string, readonly (readonly number[])[]>,
  baseline = 'off',
): SetupSummary {
  const mine = measurements.filter((m) => m.setup === setup);
  // against the baseline's run beside it in the same round (older results: the round's only one)
  const pairs = mine.flatMap((m) => {
    const base =
      setup === baseline
        ? m
        : measurements.find(
            (b) => b.setup === baseline && b.round === m.round && (b.pairedWith ?? setup) === setup,
          );
    return base === undefined ? [] : [{ m, base }];
  });
  const ratios = {
    throughput: pairs.map(({ m, base }) => m.throughput / base.throughput),
    p50: pairs.map(({ m, base }) => m.p50Ms / base.p50Ms),
    p99: pairs.map(({ m, base }) => m.p99Ms / base.p99Ms),
    addedCpu: pairs.map(({ m, base }) => m.cpuMicrosPerRequest - base.cpuMicrosPerRequest),
    cpu: pairs.map(({ m, base }) => base.cpuMicrosPerRequest / m.cpuMicrosPerRequest),
  };
  const mineLatencies = pooled?.get(setup);
  const offLatencies = pooled?.get(pairKey(baseline, setup)) ?? pooled?.get(baseline);
  const pooledOf = (perRound: readonly (readonly number[])[] | undefined, rounds: readonly number[]) =>
    Float64Array.from(rounds.flatMap((r) => perRound?.[r] ?? [])).sort();
  const allRounds = pairs.map(({ m }) => m.round);
  const pooledRatio = (q: number, rounds: readonly number[], perRound: number[]) => {
    if (!mineLatencies?.length || !offLatencies?.length) return median(perRound);
    return (
      sortedQuantile(pooledOf(mineLatencies, rounds), q) / sortedQuantile(pooledOf(offLatencies, rounds), q)
    );
  };
  const pick = (values: readonly number[], chosen: readonly number[]) => chosen.map((i) => values[i]!);
  const r = (s: Spread): Spread => ({ median: round4(s.median), min: round4(s.min), max: round4(s.max) });
  const ri = (i: Interval): Interval => ({ low: round4(i.low), high: round4(i.high) });
  // pair indices by the set of processes that measured them (results from before sets: one set)
  const bySet = new Map<number, number[]>();
  pairs.forEach(({ m }, i) => {
    const set = bySet.get(m.generation ?? 0);
    if (set === undefined) bySet.set(m.generation ?? 0, [i]);
    else set.push(i);
  });
  const clusters = [...bySet.values()];
  return {
    description: SETUP_DESCRIPTIONS[setup as OverheadSetup] ?? setup,
    throughputRatio: round4(median(ratios.throughput)),
    p50Ratio: round4(pooledRatio(0.5, allRounds, ratios.p50)),
    p99Ratio: round4(pooledRatio(0.99, allRounds, ratios.p99)),
    cpuThroughputRatio: round4(median(ratios.cpu)),
    spread: {
      throughputRatio: r(spread(ratios.throughput)),
      p50Ratio: r(spread(ratios.p50)),
      p99Ratio: r(spread(ratios.p99)),
    },
    // the baseline's own row is 1 by definition (and resampling its pooled runs would take minutes)
    ci95:
      setup === baseline
        ? { throughputRatio: ONE, p99Ratio: ONE, cpuThroughputRatio: ONE }
        : {
            throughputRatio: ri(
              clusteredBootstrapInterval(clusters, (c) => median(pick(ratios.throughput, c)), 1000, 1),
            ),
            p99Ratio: ri(
              clusteredBootstrapInterval(
                clusters,
                (c) => pooledRatio(0.99, pick(allRounds, c), pick(ratios.p99, c)),
                1000,
                2,
              ),
            ),
            cpuThroughputRatio: ri(
              clusteredBootstrapInterval(clusters, (c) => median(pick(ratios.cpu, c)), 1000, 3),
            ),
          },
    throughput: r(spread(mine.map((m) => m.throughput))),
    p50Ms: r(spread(mine.map((m) => m.p50Ms))),
    p99Ms: r(spread(mine.map((m) => m.p99Ms))),
    pooledP50Ms: round4(sortedQuantile(pooledOf(mineLatencies, allRounds), 0.5)),
    pooledP99Ms: round4(sortedQuantile(pooledOf(mineLatencies, allRounds), 0.99)),
    cpuMicrosPerRequest: r(spread(mine.map((m) => m.cpuMicrosPerRequest))),
    addedCpuMicrosPerRequest: Math.round(median(ratios.addedCpu)),
  };
}

const ONE: Interval = { low: 1, high: 1 };

/** `quantile` of values already sorted ascending. */
function sortedQuantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}
