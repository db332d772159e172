/**
 * pyroscope-span-profiles as a user gets it: `npm pack`, installed from the tarball into a fresh Express app
 * in the system temp dir, set up with the README's setup snippet and nothing else, run under concurrent
 * load, once sending spans with OTLP (exporter-trace-otlp-proto) and once with exporter-jaeger (Thrift over
 * HTTP), against receivers that decode what they get. The same link as the wire test must hold:
 * `pyroscope.profile.id` on local roots only, equal to their span id; every labelled sample points at an
 * exported local root of the right name (`span_id`, `span_name`, no `trace_id`), and each request's own
 * CPU work (`burn_<n>`) at that request's root; the upload states the real sample rate.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NO_PARENT_SPAN_ID,
  startJaegerReceiver,
  startOtlpTraceReceiver,
  startPyroscopeReceiver,
  type PyroscopeReceiver,
} from '@rideshare/test-receivers';
import { installConsumerApp, type ConsumerApp } from '../src/consumer-app.js';
import { burnerOf, linkage, PROFILE_ID_ATTRIBUTE, type LinkSpan } from '../src/linkage.js';
import { readSetupSnippet, replaceOnce } from '../src/setup-snippet.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGE_DIR = join(ROOT, 'packages/span-profiles');
const README = join(PACKAGE_DIR, 'README.md');
/** What the app itself depends on (the package's peers come on top), at the lockfile's versions. */
const APP_DEPENDENCIES = [
  'express',
  '@opentelemetry/api',
  '@opentelemetry/sdk-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-jaeger',
  '@opentelemetry/instrumentation',
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express',
];
const REQUESTS = 64;
const CONCURRENCY = 24;
/** The package's default sampling interval (10 ms): the snippet does not set one. */
const SAMPLE_RATE = 100;

const log = (line: string) => process.stdout.write(`# consumer-test: ${line}\n`);

let app: ConsumerApp | undefined;
let snippet = '';
let appName = '';

before(async () => {
  const setup = readSetupSnippet(README);
  snippet = setup.code;
  if (setup.note !== undefined) log(setup.note);
  appName = /appName:\s*['"]([^'"]+)['"]/.exec(snippet)?.[1] ?? '';
  app = await installConsumerApp({
    packageDir: PACKAGE_DIR,
    lockfile: join(ROOT, 'package-lock.json'),
    appDependencies: APP_DEPENDENCIES,
    log,
  });
  const { otlp, jaeger, notes } = telemetryFiles(snippet);
  for (const note of notes) log(note);
  app.writeFile('telemetry-otlp.mjs', otlp);
  app.writeFile('telemetry-jaeger.mjs', jaeger);
});

after(() => {
  if (process.env['KEEP_CONSUMER_APP']) log(`kept ${app?.dir}`);
  else app?.remove();
});

/**
 * The app's telemetry file, from the snippet: as it is for OTLP; for Jaeger with exporter-jaeger's
 * `JaegerExporter` (which reads OTEL_EXPORTER_JAEGER_ENDPOINT) in place of the OTLP exporter. Both end by
 * exporting `sdk` and `spanProfiles`, which the server needs for its shutdown. Where the snippet lacks
 * what an Express app needs (HTTP and Express instrumentation) or fixes what a test must choose (the
 * Pyroscope address), the change is made here, checked to apply once, and printed.
 */
function telemetryFiles(code: string): { otlp: string; jaeger: string; notes: string[] } {
  const notes: string[] = [];
  if (!/\binstrumentations\s*:/.test(code)) {
    notes.push('the README snippet has no instrumentations: the test adds HTTP and Express instrumentation');
    code = replaceOnce(
      code,
      /new NodeSDK\(\{/,
      'new NodeSDK({\n  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],',
      'new NodeSDK({',
    );
    code =
      "import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';\n" +
      "import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';\n" +
      code;
  }
  if (/serverAddress\s*:\s*['"]/.test(code)) {
    notes.push('the README snippet hard-codes serverAddress: the test points it at PYROSCOPE_SERVER_ADDRESS');
    code = replaceOnce(
      code,
      /serverAddress\s*:\s*['"][^'"]*['"]/,
      'serverAddress: process.env.PYROSCOPE_SERVER_ADDRESS',
      'serverAddress',
    );
  }
  for (const name of ['sdk', 'spanProfiles']) {
    if (!new RegExp(`\\bconst ${name}\\b`).test(code))
      throw new Error(`the setup snippet has no const ${name}`);
  }
  const otlp = `${code}\nexport { sdk, spanProfiles };\n`;
  let jaeger = replaceOnce(
    otlp,
    /import\s*\{\s*OTLPTraceExporter\s*\}\s*from\s*['"]@opentelemetry\/exporter-trace-otlp-proto['"];?/,
    "import { JaegerExporter } from '@opentelemetry/exporter-jaeger';",
    'the import of OTLPTraceExporter',
  );
  jaeger = replaceOnce(
    jaeger,
    /new OTLPTraceExporter\(\s*\)/,
    'new JaegerExporter()',
    'new OTLPTraceExporter()',
  );
  return { otlp, jaeger, notes };
}

interface RunResult {
  spans: LinkSpan[];
  pyroscope: PyroscopeReceiver;
  stderr: string;
}

/** The `traceparent` sent with request n, for the odd ones. */
type SentParents = Map<number, { traceId: string; spanId: string }>;

/** Starts the app with the given exporter, sends REQUESTS requests, CONCURRENCY at a time, stops it. */
async function runApp(
  t: TestContext,
  exporter: 'otlp' | 'jaeger',
  spanEnv: Record<string, string>,
  pyroscope: PyroscopeReceiver,
): Promise<{ stderr: string; sentParents: SentParents }> {
  const child = app!.start({
    SPAN_EXPORTER: exporter,
    PYROSCOPE_SERVER_ADDRESS: pyroscope.url,
    PYROSCOPE_FLUSH_INTERVAL_MS: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    // this test is about traces and profiles; sdk-node would otherwise export OTLP metrics and logs too
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...spanEnv,
  });
  t.after(() => child.kill());
  const listening = await child.waitForRecord((r) => typeof r['port'] === 'number', 30_000, 'its port');
  const base = `http://127.0.0.1:${listening['port'] as number}`;
  const sentParents: SentParents = new Map();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      const n = next++;
      const headers: Record<string, string> = {};
      if (n % 2 === 1) {
        const parent = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
        sentParents.set(n, parent);
        headers['traceparent'] = `00-${parent.traceId}-${parent.spanId}-01`;
      }
      const response = await fetch(`${base}/quote/${n}`, { headers });
      assert.equal(response.status, 200, await response.text());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const code = await child.stop(30_000);
  assert.equal(code, 0, `exit code after SIGTERM; output:\n${child.output()}`);
  return { stderr: child.stderr(), sentParents };
}

/** The assertions of the wire test, on what the receivers decoded. */
function assertLinkage(t: TestContext, run: RunResult, sentParents: SentParents): void {
  assert.doesNotMatch(run.stderr, /pyroscope-span-profiles:/, 'the package warned');
  const link = linkage(
    run.spans,
    run.pyroscope.uploads.filter((u) => u.sampleTypes.includes('cpu/nanoseconds')),
  );

  // spans: one QuoteHandler local root per request, continuing the remote trace when one was sent
  const handlers = run.spans.filter((s) => s.name === 'QuoteHandler');
  assert.equal(handlers.length, REQUESTS, `QuoteHandler spans: ${handlers.length}`);
  assert.ok(
    run.spans.some((s) => s.name.startsWith('request handler')),
    'the Express instrumentation made its spans (ESM: with the loader hook, as the README says)',
  );
  const prices = run.spans.filter((s) => s.name === 'PriceRoute');
  assert.equal(prices.length, REQUESTS, `PriceRoute spans: ${prices.length}`);
  const rootOfRequest = new Map<number, LinkSpan>();
  for (const price of prices) {
    const n = Number(price.attributes['quote.n']);
    const root = link.rootOf.get(price.spanId)!;
    assert.equal(root.name, 'QuoteHandler', `the local root of request ${n}`);
    rootOfRequest.set(n, root);
    const parent = sentParents.get(n);
    if (parent === undefined) {
      assert.equal(root.parentSpanId, undefined, `request ${n} starts a trace`);
    } else {
      assert.equal(root.traceId, parent.traceId, `request ${n} continues its trace`);
      assert.equal(root.parentSpanId, parent.spanId);
    }
  }
  assert.equal(new Set([...rootOfRequest.values()].map((s) => s.spanId)).size, REQUESTS);

  // pyroscope.profile.id: on every local root, equal to its span id; on no other span
  for (const root of link.localRoots) {
    assert.equal(root.attributes[PROFILE_ID_ATTRIBUTE], root.spanId, `${root.name} is a local root`);
  }
  const roots = new Set(link.localRoots);
  for (const span of run.spans.filter((s) => !roots.has(s))) {
    assert.equal(span.attributes[PROFILE_ID_ATTRIBUTE], undefined, `${span.name} is not a local root`);
  }

  // profiles: named as the snippet says, the real sample rate, span labels only
  const wall = run.pyroscope.uploads.filter((u) => u.sampleTypes.includes('cpu/nanoseconds'));
  assert.ok(wall.length >= 1, `wall uploads with CPU time: ${wall.length}`);
  for (const upload of wall) {
    assert.equal(upload.query.appName, appName);
    assert.equal(upload.query.sampleRate, SAMPLE_RATE, `sampleRate of ${upload.query.raw['sampleRate']}`);
    assert.deepEqual(upload.problems, []);
  }
  assert.deepEqual([...link.labelKeys].sort(), ['span_id', 'span_name'], 'sample label keys');
  assert.ok(link.labelled > 0, 'some samples carry span labels');
  assert.ok(
    link.pointingAtTheirRoot / link.labelled >= 0.99,
    `labelled samples pointing at an exported local root of their span_name: ${link.pointingAtTheirRoot}/${link.labelled}`,
  );

  // each request's own CPU work is labelled with that request's root
  let burnTotal = 0;
  let burnRight = 0;
  const rootsWithSamples = new Set<string>();
  for (const { sample, count } of link.samples) {
    const n = burnerOf(sample);
    if (n === undefined) continue;
    burnTotal += count;
    const expected = rootOfRequest.get(n);
    if (expected !== undefined && sample.labels['span_id'] === expected.spanId) {
      burnRight += count;
      rootsWithSamples.add(expected.spanId);
    }
  }
  assert.ok(burnTotal >= 50, `burn_<n> samples: ${burnTotal}`);
  assert.ok(
    burnRight / burnTotal >= 0.99,
    `burn_<n> samples labelled with request n's root: ${burnRight}/${burnTotal}`,
  );
  assert.ok(
    rootsWithSamples.size >= REQUESTS / 2,
    `QuoteHandler spans that open a flame graph: ${rootsWithSamples.size}/${REQUESTS}`,
  );
  t.diagnostic(
    `${run.spans.length} spans, ${link.localRoots.length} local roots; samples ${link.total}, labelled ` +
      `${link.labelled}, pointing at their root ${link.pointingAtTheirRoot}; burn_<n> ${burnRight}/${burnTotal} ` +
      `right; ${rootsWithSamples.size}/${REQUESTS} roots with samples`,
  );
}

test('the README has the setup snippet; the tarball holds only what a user needs', () => {
  assert.match(snippet, /startSpanProfiles\(/);
  assert.match(snippet, /new NodeSDK\(/);
  assert.ok(appName !== '', 'the snippet names the app');
  const unexpected = app!.packedFiles.filter(
    (file) =>
      !/^(package\.json|README\.md|LICENSE(\.md)?|dist\/src\/[\w./-]+\.(js|d\.ts|js\.map|d\.ts\.map))$/.test(
        file,
      ),
  );
  assert.deepEqual(unexpected, [], `files in ${app!.tarball}`);
  log(`${app!.tarball}: ${app!.packedFiles.length} files; installed in ${app!.installSeconds.toFixed(1)} s`);
});

test('spans over OTLP (exporter-trace-otlp-proto): local roots link to their own samples', async (t) => {
  const [otlp, pyroscope] = await Promise.all([startOtlpTraceReceiver(), startPyroscopeReceiver()]);
  t.after(() => Promise.all([otlp.close(), pyroscope.close()]));
  const { stderr, sentParents } = await runApp(
    t,
    'otlp',
    { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
    pyroscope,
  );
  assert.deepEqual(otlp.errors, []);
  for (const span of otlp.spans) {
    if (span.name !== 'QuoteHandler') continue;
    // the OTLP span flags say whether the parent is remote: a local root's parent always is
    assert.equal(span.parentIsRemote, span.parentSpanId !== undefined, 'QuoteHandler parent is remote');
    assert.equal(span.resource['service.name'], appName);
  }
  const spans: LinkSpan[] = otlp.spans.map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    attributes: s.attributes,
  }));
  assertLinkage(t, { spans, pyroscope, stderr }, sentParents);
});

test('spans over Jaeger Thrift (exporter-jaeger): local roots link to their own samples', async (t) => {
  const [jaeger, pyroscope] = await Promise.all([startJaegerReceiver(), startPyroscopeReceiver()]);
  t.after(() => Promise.all([jaeger.close(), pyroscope.close()]));
  const { stderr, sentParents } = await runApp(
    t,
    'jaeger',
    { OTEL_EXPORTER_JAEGER_ENDPOINT: jaeger.endpoint },
    pyroscope,
  );
  assert.deepEqual(jaeger.errors, []);
  for (const span of jaeger.spans) assert.equal(span.process.serviceName, appName);
  const spans: LinkSpan[] = jaeger.spans.map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId === NO_PARENT_SPAN_ID ? undefined : s.parentSpanId,
    name: s.operationName,
    attributes: s.tags,
  }));
  assertLinkage(t, { spans, pyroscope, stderr }, sentParents);
});
