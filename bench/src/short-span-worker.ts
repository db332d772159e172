/**
 * Child process for the short-span measurement: starts the package (`startTelemetry`, profiler at the
 * interval given in the environment, profiles to the bench's local Pyroscope receiver, no trace export),
 * then runs root spans of 2, 5 and 10 ms of CPU work one after another (lengths interleaved, a short idle
 * gap between spans), prints their span ids as one JSON line, and flushes the last profile on shutdown.
 *
 *   argv: <spans per length> <lengths in ms, comma-separated>
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startTelemetry } from '@rideshare/profiling-tracing';
import { trace } from '@opentelemetry/api';

const spansPerLength = Number(process.argv[2] ?? 100);
const lengths = (process.argv[3] ?? '2,5,10').split(',').map(Number);

const telemetry = await startTelemetry({ serviceName: 'bench-short-spans' });
const tracer = trace.getTracer('bench');

function burnCpu(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

// one named function per length, so the profile also shows which span length a sample was taken in
const work: Record<number, (ms: number) => number> = {};
for (const ms of lengths) {
  work[ms] = new Function('burnCpu', `return function shortSpanWork${ms}ms(ms) { return burnCpu(ms); }`)(
    burnCpu,
  ) as (ms: number) => number;
}

const spans: { spanId: string; lengthMs: number; startMs: number; endMs: number }[] = [];
await sleep(200); // let start-up work settle
for (let i = 0; i < spansPerLength; i++) {
  for (const ms of lengths) {
    tracer.startActiveSpan(`ShortSpan${ms}ms`, { root: true }, (span) => {
      const startMs = Date.now();
      work[ms]!(ms);
      span.end();
      spans.push({ spanId: span.spanContext().spanId, lengthMs: ms, startMs, endMs: Date.now() });
    });
    await sleep(1); // an idle gap, so that no span's samples can run into the next span
  }
}
process.stdout.write(`${JSON.stringify({ spanLabels: telemetry.spanLabels, spans })}\n`);
await telemetry.shutdown();
process.exit(0);
