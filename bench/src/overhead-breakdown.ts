/**
 * `npm run breakdown -w @rideshare/bench`: where the overhead of setup (c) comes from. Measures, in the
 * same interleaved way as the main bench, the four setups plus profiling variants (no span labels, no
 * CPU time, naive labels, 1 kHz), and prints CPU per request and ratios. Not part of `npm run bench`.
 */
import { runOverhead } from './overhead-run.js';

const profiles = {
  REGION: 'us-east',
  SLOW_MODE: 'never',
  LOG_LEVEL: 'info',
  OTEL_TRACES_EXPORTER: 'jaeger',
  OTEL_EXPORTER_JAEGER_ENDPOINT: '$SINK/api/traces',
  PYROSCOPE_SERVER_ADDRESS: '$SINK',
  PYROSCOPE_FLUSH_INTERVAL_MS: '10000',
};
const rounds = Number(process.env.BENCH_ROUNDS ?? 4);
const result = await runOverhead({
  connections: 4,
  durationSeconds: Number(process.env.BENCH_SECONDS ?? 3),
  warmupSeconds: 2,
  rounds,
  paths: ['/bike', '/scooter', '/car'],
  progress: (line) => process.stdout.write(`${line}\n`),
  extraSetups: {
    'profiles, no labels, no CPU time': {
      ...profiles,
      PYROSCOPE_SPAN_LABELS: 'off',
      PYROSCOPE_WALL_COLLECT_CPU_TIME: 'false',
    },
    'profiles, labels, no CPU time': { ...profiles, PYROSCOPE_WALL_COLLECT_CPU_TIME: 'false' },
    'profiles, naive global labels': { ...profiles, PYROSCOPE_SPAN_LABELS: 'global' },
    'profiles at 1 kHz': { ...profiles, PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: '1000' },
  },
});
const rows = { traces: result.traces, profiles: result.profiles, full: result.full, ...result.extra };
process.stdout.write(
  '\nsetup | +CPU µs/request (median) | CPU-bound throughput ratio | throughput ratio | p99 ratio\n',
);
for (const [name, s] of Object.entries(rows)) {
  process.stdout.write(
    `${name} | ${s.addedCpuMicrosPerRequest} | ${s.cpuThroughputRatio} | ${s.throughputRatio} | ${s.p99Ratio}\n`,
  );
}
process.stdout.write(`off: ${result.off.cpuMicrosPerRequest.median} µs CPU/request\n`);
