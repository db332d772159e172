/**
 * The measured process of `npm run exporter-cost` (exporter-cost-run.ts starts one per measurement): the
 * package's span pipeline, started by `startTelemetry` as the app starts it, fed request-shaped traces in a
 * loop with no HTTP server and no business logic around them, so that the CPU it spends is the span
 * pipeline's alone and is not lost in the noise of a 5 ms request (the app-level bench cannot resolve
 * ±100 µs on this machine).
 *
 * A "request" is what one rideshare car order makes: a SERVER local root `CarHandler` with the attributes
 * instrumentation-http 0.222 and instrumentation-express put on it (connection attributes included, since
 * the exporter drops them: connection-attributes.ts), and the two steps `FindNearestVehicle` and
 * `CheckDriverAvailability` as child spans through `stepSpan`, as order-vehicle.ts makes them. Requests run
 * in chunks of `CHUNK` with a turn of the event loop between chunks, so exports, their POSTs and answers
 * happen as they would in a server; the wall time of each chunk shows how long an export holds the loop.
 *
 * Environment (set by the parent): the telemetry's own variables (OTEL_TRACES_EXPORTER, endpoints),
 * EXPORTER_COST_REQUESTS, EXPORTER_COST_WARMUP_REQUESTS, EXPORTER_COST_CHUNK. Prints one line
 * `EXPORTER_COST {json}` and exits 0, or prints the error and exits 1.
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { startTelemetry, stepSpan } from '@rideshare/profiling-tracing';
import { positiveInteger } from './command-settings.js';
import { RESULT_PREFIX, type WorkerResult } from './exporter-cost-run.js';

/** A car order's handler span as the HTTP and Express instrumentations leave it (old HTTP semconv). */
const SERVER_ATTRIBUTES = {
  'http.url': 'http://127.0.0.1:5000/car?passengers=2',
  'http.host': '127.0.0.1:5000',
  'net.host.name': '127.0.0.1',
  'http.method': 'GET',
  'http.scheme': 'http',
  'http.target': '/car?passengers=2',
  'http.user_agent': 'undici',
  'http.flavor': '1.1',
  'net.transport': 'ip_tcp',
  'net.host.ip': '127.0.0.1',
  'net.host.port': 5000,
  'net.peer.ip': '127.0.0.1',
  'net.peer.port': 51234,
  'http.route': '/car',
};

const tracer = trace.getTracer('exporter-cost');
const nothing = async () => undefined;

async function request(): Promise<void> {
  const root = tracer.startSpan('CarHandler', { kind: SpanKind.SERVER, attributes: SERVER_ATTRIBUTES });
  // what span profiles put on a local root when profiling is on (it is off here: pprof is not measured)
  root.setAttribute('pyroscope.profile.id', root.spanContext().spanId);
  await context.with(trace.setSpan(context.active(), root), async () => {
    await stepSpan(tracer, 'FindNearestVehicle', { 'vehicle.kind': 'car' }, nothing);
    await stepSpan(tracer, 'CheckDriverAvailability', { passengers: 2, schedule_cache: 'cached' }, nothing);
  });
  root.setAttributes({ 'http.status_code': 200, 'http.status_text': 'OK' });
  root.end();
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function run(): Promise<WorkerResult> {
  const requests = positiveInteger(process.env, 'EXPORTER_COST_REQUESTS', 6000);
  const warmup = positiveInteger(process.env, 'EXPORTER_COST_WARMUP_REQUESTS', 3000);
  const chunk = positiveInteger(process.env, 'EXPORTER_COST_CHUNK', 7);
  const telemetry = await startTelemetry({ serviceName: 'exporter-cost', region: 'us-east' });
  for (let i = 0; i < warmup; i += chunk) {
    for (let j = 0; j < chunk; j++) await request();
    await turn();
  }
  const chunks: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let done = 0; done < requests; done += chunk) {
    const started = performance.now();
    for (let j = 0; j < chunk; j++) await request();
    await turn();
    chunks.push(performance.now() - started);
  }
  // the spans still queued are part of the cost: flushed (and their POSTs answered) inside the window
  const outcome = await telemetry.shutdown('exporter-cost done');
  const cpu = process.cpuUsage(cpuBefore);
  if (outcome !== 'done') throw new Error(`the span flush at the end did not finish: ${outcome}`);
  const measured = Math.ceil(requests / chunk) * chunk;
  chunks.sort((a, b) => a - b);
  const at = (q: number) => chunks[Math.min(chunks.length - 1, Math.floor(q * chunks.length))]!;
  return {
    requests: measured,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / measured,
    chunkMs: { median: at(0.5), p99: at(0.99), max: chunks[chunks.length - 1]! },
  };
}

run().then(
  (result) => process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(
      `exporter-cost worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
