/**
 * What each span exporter costs per request, measured on the span pipeline alone
 * (exporter-cost-worker.ts): one fresh process per measurement, for each exporter in turn, `rounds` times
 * with the order rotated, all sending to one sink (sink.ts) in this process. An exporter's added cost is
 * the median over rounds of its CPU per request minus that of `none` (the same pipeline, nothing exported)
 * in the same round.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSink, type Sink } from './sink.js';
import { median, round, spread, type Spread } from './stats.js';

export const RESULT_PREFIX = 'EXPORTER_COST ';
export const EXPORTERS = ['none', 'jaeger', 'otlp'] as const;
export type ExporterName = (typeof EXPORTERS)[number];

export interface WorkerResult {
  requests: number;
  /** utime + stime of the whole process (all threads) per request, from the end of warm-up to flushed. */
  cpuMicrosPerRequest: number;
  /** Wall time of each chunk of requests, including the turn of the event loop after it. */
  chunkMs: { median: number; p99: number; max: number };
}

export interface ExporterCostMeasurement extends WorkerResult {
  exporter: ExporterName;
  round: number;
  /** POSTs and bytes the sink received from this process (none for `none`). */
  received: { requests: number; bytes: number };
}

export interface ExporterCostSummary {
  cpuMicrosPerRequest: Spread;
  /** Median over rounds of (this exporter − `none`, same round), µs per request; 0 for `none`. */
  addedMicrosPerRequest: number;
  addedMicrosPerRequestSpread: Spread;
  /** Median over rounds of the 99th-percentile chunk wall time. */
  chunkP99Ms: number;
  /** Longest chunk of any round. */
  chunkMaxMs: number;
}

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'exporter-cost-worker.js');

export function workerEnv(exporter: ExporterName, sinkUrl: string): Record<string, string> {
  return {
    REGION: 'us-east',
    LOG_LEVEL: 'warn',
    // the span pipeline only (span profiles still find and name the local roots)
    PYROSCOPE_ENABLED: 'false',
    OTEL_TRACES_EXPORTER: exporter,
    ...(exporter === 'jaeger' && { OTEL_EXPORTER_JAEGER_ENDPOINT: `${sinkUrl}/api/traces` }),
    ...(exporter === 'otlp' && { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }),
  };
}

/** Runs one worker process; rejects with its output when it fails or prints no result. */
export function runWorker(env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(
          new Error(`exporter-cost worker exited with code ${code} and no result:\n${out.slice(-3000)}`),
        );
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as WorkerResult);
    });
  });
}

export interface ExporterCostOptions {
  rounds: number;
  requests: number;
  warmupRequests: number;
  progress: (line: string) => void;
}

export async function runExporterCost(options: ExporterCostOptions): Promise<ExporterCostMeasurement[]> {
  const sink = await startSink();
  const measurements: ExporterCostMeasurement[] = [];
  try {
    for (let r = 0; r < options.rounds; r++) {
      // rotated, so that no exporter always runs first (or right after another) in a round
      const order = EXPORTERS.map((_, i) => EXPORTERS[(i + r) % EXPORTERS.length]!);
      for (const exporter of order) {
        const before = receivedTotal(sink);
        const result = await runWorker({
          ...workerEnv(exporter, sink.url),
          EXPORTER_COST_REQUESTS: String(options.requests),
          EXPORTER_COST_WARMUP_REQUESTS: String(options.warmupRequests),
        });
        const after = receivedTotal(sink);
        const received = { requests: after.requests - before.requests, bytes: after.bytes - before.bytes };
        if (exporter !== 'none' && received.requests === 0) {
          throw new Error(`exporter cost: the ${exporter} exporter sent nothing to the sink`);
        }
        measurements.push({ exporter, round: r, ...result, received });
        options.progress(
          `  round ${r + 1}/${options.rounds} ${exporter}: ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU/request, ` +
            `chunk p99 ${result.chunkMs.p99.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await sink.close();
  }
  return measurements;
}

function receivedTotal(sink: Sink): { requests: number; bytes: number } {
  const { jaeger, otlp } = sink.counts;
  return { requests: jaeger.requests + otlp.requests, bytes: jaeger.bytes + otlp.bytes };
}

export function summariseExporterCost(
  measurements: readonly ExporterCostMeasurement[],
): Record<ExporterName, ExporterCostSummary> {
  const of = (exporter: ExporterName) => measurements.filter((m) => m.exporter === exporter);
  const none = new Map(of('none').map((m) => [m.round, m.cpuMicrosPerRequest]));
  const summary = {} as Record<ExporterName, ExporterCostSummary>;
  for (const exporter of EXPORTERS) {
    const rows = of(exporter);
    if (rows.length === 0) throw new Error(`exporter cost: no measurement of "${exporter}"`);
    const added = rows.map((m) => {
      const baseline = none.get(m.round);
      if (baseline === undefined)
        throw new Error(`exporter cost: round ${m.round} has no "none" measurement`);
      return m.cpuMicrosPerRequest - baseline;
    });
    const addedSpread = spread(added);
    summary[exporter] = {
      cpuMicrosPerRequest: roundSpread(spread(rows.map((m) => m.cpuMicrosPerRequest))),
      addedMicrosPerRequest: round(median(added), 1),
      addedMicrosPerRequestSpread: roundSpread(addedSpread),
      chunkP99Ms: round(median(rows.map((m) => m.chunkMs.p99)), 2),
      chunkMaxMs: round(Math.max(...rows.map((m) => m.chunkMs.max)), 2),
    };
  }
  return summary;
}

const roundSpread = (s: Spread): Spread => ({
  median: round(s.median, 1),
  min: round(s.min, 1),
  max: round(s.max, 1),
});
