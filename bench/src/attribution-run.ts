/**
 * Attribution against the real app: for N = 1, 8, 32 concurrent closed-loop workers (one ordering cars,
 * the rest bikes and scooters), the app runs with the profiler at 1 kHz and a 1 s flush, sending to the
 * local Pyroscope and Jaeger receivers; once per span-label mode (ours = async-context, naive = global).
 * After SIGTERM (the app flushes its last spans and profile) the decoded samples are classified.
 */
import { getFreePort, type AllReceivers, type JaegerSpan } from '@rideshare/test-receivers';
import { startApp } from './app-process.js';
import { classifyAttribution, type Attribution, type ProfileWindow, type RootSpan } from './attribution.js';
import { closedLoop } from './closed-loop.js';

export const CAR_ONLY_FUNCTIONS = [
  'checkDriverAvailability',
  'rebuildDriverScheduleIndex',
  'scanShiftTableForDriver',
  'scoreDrivers',
  'minutesLeftOnShift',
];
const NO_PARENT = '0000000000000000';

export type LabelMode = 'async-context' | 'global';

export interface AttributionRun extends Attribution {
  mode: LabelMode;
  concurrency: number;
  durationMs: number;
  carRequests: number;
  otherRequests: number;
  errors: number;
  spansReceived: number;
  rootSpans: number;
  profileUploads: number;
  /** Every weighted sample of the wall profiles, for scale. */
  allSamples: number;
  appCpuMs: number;
  appExitCode: number | null;
}

export function workerPaths(concurrency: number): string[] {
  return Array.from({ length: concurrency }, (_, i) =>
    i === 0 ? '/car' : i % 2 === 1 ? '/bike' : '/scooter',
  );
}

export async function runAttribution(options: {
  receivers: AllReceivers;
  mode: LabelMode;
  concurrency: number;
  durationMs: number;
}): Promise<AttributionRun> {
  const { receivers, mode, concurrency, durationMs } = options;
  receivers.clear();
  const app = await startApp({
    port: await getFreePort(),
    label: `attribution ${mode} N=${concurrency}`,
    env: {
      REGION: 'us-east',
      SLOW_MODE: 'always', // car work is in scanShiftTableForDriver, a car-only function
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'jaeger',
      OTEL_EXPORTER_JAEGER_ENDPOINT: receivers.env.OTEL_EXPORTER_JAEGER_ENDPOINT!,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BSP_MAX_QUEUE_SIZE: '100000', // never drop a span: an unknown label must mean a wrong label
      PYROSCOPE_SERVER_ADDRESS: receivers.env.PYROSCOPE_SERVER_ADDRESS!,
      PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: '1000',
      PYROSCOPE_FLUSH_INTERVAL_MS: '1000',
      PYROSCOPE_SPAN_LABELS: mode,
    },
  });
  const cpuBefore = app.cpuMicros();
  const load = await closedLoop({ port: app.port, paths: workerPaths(concurrency), durationMs });
  const appCpuMs = (app.cpuMicros() - cpuBefore) / 1000;
  const exitCode = await app.stop();
  // the last profile and spans are flushed before exit; give the receivers a moment to decode them
  await new Promise((resolve) => setTimeout(resolve, 300));

  const wallUploads = receivers.pyroscope.uploads.filter((u) => u.sampleTypes.includes('wall/nanoseconds'));
  const windows: ProfileWindow[] = wallUploads.map((u) => {
    const endMicros = Number(u.profile.timeNanos) / 1000;
    return { startMicros: endMicros - Number(u.profile.durationNanos) / 1000, endMicros, samples: u.samples };
  });
  const spans: JaegerSpan[] = receivers.jaeger.spans;
  const roots: RootSpan[] = spans
    .filter((s) => s.parentSpanId === NO_PARENT)
    .map((s) => ({
      spanId: s.spanId,
      name: s.operationName,
      startMicros: s.startTimeMicros,
      durationMicros: s.durationMicros,
    }));
  const attribution = classifyAttribution(windows, roots, new Set(spans.map((s) => s.spanId)), {
    workFunctions: CAR_ONLY_FUNCTIONS,
    rootName: 'CarHandler',
  });
  return {
    ...attribution,
    mode,
    concurrency,
    durationMs: Math.round(load.durationMs),
    carRequests: load.completed[0] ?? 0,
    otherRequests: load.completed.slice(1).reduce((a, b) => a + b, 0),
    errors: load.errors,
    spansReceived: spans.length,
    rootSpans: roots.length,
    profileUploads: wallUploads.length,
    allSamples: windows.reduce(
      (sum, w) => sum + w.samples.reduce((s, x) => s + (x.values['samples/count'] ?? 1), 0),
      0,
    ),
    appCpuMs: Math.round(appCpuMs),
    appExitCode: exitCode,
  };
}
