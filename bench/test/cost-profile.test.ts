/**
 * The cost profile's split: perf's text read into samples, each sample into one part, and the summary's
 * arithmetic (means over rounds, full against off without the request's own parts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePerfScript, partOfFrame, partOfSample, partShares } from '../src/cost-parts.js';
import { jitNamed, summariseCostProfile, type CostProfileMeasurement } from '../src/cost-profile-run.js';

// the shape of `perf script -F comm,ip,sym` after `perf inject --jit` of a --perf-prof process (Node 24.21);
// the second sample has the map-era `Builtins_` names that the node binary's own symbols still give
const PERF_SCRIPT = `MainThread 
\t         23a6bec v8::base::ieee754::asin
\t             acf JS:*'measureDistances file:///work/main/apps/rideshare/dist/src/find-nearest-vehicle.js:18:26
\t              bb Builtin:AsyncFunctionAwaitResolveClosure
\t             1f0 JS:+'startActiveSpan /work/main/node_modules/@opentelemetry/sdk-trace/build/src/Tracer.js:110:20

MainThread 
\t    55d0c1e2f3a4 Builtins_StringAdd_CheckNone
\t    7f4fa019acba JS:+'startSpan /work/main/node_modules/@opentelemetry/sdk-trace/build/src/Tracer.js:42:14
\t    7f4fa0184d11 JS:*closestFirst file:///work/main/apps/rideshare/dist/src/find-nearest-vehicle.js:26:22

MainThread 
\t    55d0c1000001 v8::internal::Scavenger::Process(v8::internal::JobDelegate*)
\t    7f4fa019acba JS:+'startSpan /work/main/node_modules/@opentelemetry/sdk-trace/build/src/Tracer.js:42:14

MainThread 
\t    55d0c1000002 v8::internal::Isolate::Throw(v8::internal::Tagged<v8::internal::Object>)
\t    ffffffff8a000000 [unknown]

V8Worker 
\t    55d0c1000003 v8::internal::compiler::GraphReducer::ReduceTop()

v8:ProfEvntProc 
\t    55d0c1000004 v8::internal::ProfilerEventsProcessor::Run()

MainThread 
\t    7f4fa0200000 JS:~write /work/main/packages/profiling-tracing/dist/src/loki-transport.js:80:10
\t    7f4fa0201000 JS:~info /work/main/node_modules/pino/lib/proto.js:200:3

MainThread 
\t    55d0c1000005 node::url::(anonymous namespace)::ParseUrlFromV8String(v8::Isolate*, v8::Local<v8::Value>)
\t             4a1 JS:+'URL node:internal/url:879:14
\t             2b0 JS:*'getIncomingRequestAttributes /work/main/node_modules/@opentelemetry/instrumentation-http/build/src/utils.js:500:38
\t             1c3 JS:+'emit node:events:487:28

MainThread 
\t             3c1 JS:*'setImmediate node:timers/promises:66:22
\t             acf JS:*'findNearestVehicles file:///work/main/apps/rideshare/dist/src/find-nearest-vehicle.js:10:42

MainThread 
\t             5d2 JS:+'parserOnIncoming node:_http_server:1100:26
\t    55d0c1000006 node::(anonymous namespace)::Parser::OnHeadersComplete()

V8Worker 
\t    55d0c1000007 v8::internal::Scavenger::ScavengePage(v8::internal::MutablePageMetadata*)
\t    55d0c1000008 v8::internal::ScavengerCollector::JobTask::Run(v8::JobDelegate*)

V8Worker 
\t    7f0000000001 __GI___lll_lock_wait

MainThread 
\t    55d0c1000009 v8::internal::StackFrameIterator::Advance()
\t    55d0c100000a v8::internal::SamplingHeapProfiler::AddStack()
\t    55d0c100000b v8::internal::Heap::AllocateRaw(int, v8::internal::AllocationType)
\t             acf JS:*'measureDistances file:///work/main/apps/rideshare/dist/src/find-nearest-vehicle.js:18:26
`;

test('perf script text: one sample per block, the thread and its frames innermost first', () => {
  const samples = parsePerfScript(PERF_SCRIPT);
  assert.equal(samples.length, 13);
  assert.equal(samples[0]!.thread, 'MainThread');
  assert.equal(samples[0]!.frames[0], 'v8::base::ieee754::asin');
  assert.match(samples[0]!.frames[1]!, /^JS:\*'measureDistances file:/);
  assert.equal(samples[4]!.thread, 'V8Worker');
});

test('a sample goes to its innermost frame that names a package, builtins to their caller, Node core to the telemetry that called it', () => {
  const parts = parsePerfScript(PERF_SCRIPT).map((s) => partOfSample(s));
  assert.deepEqual(parts, [
    'app', // Math.asin called by the app's distance loop, not the tracer that started the span around it
    'otelSdk',
    'gc',
    'unattributedNative',
    'compilerThreads', // a V8 worker thread in TurboFan
    'profilerThread',
    'profilingTracing', // our Loki transport, called by pino
    'httpInstrumentation', // Node's URL parser, called by the instrumentation, not by Node's HTTP server
    'nodeCore', // a timer the app asked for stays Node core's
    'nodeCore', // the server's parser, called by no JavaScript
    'gcThreads', // a V8 worker thread in a parallel scavenge
    'v8Workers', // a V8 worker thread waiting on a lock: neither
    'heapProfiler', // the heap profiler's stack walk inside the app's allocation, not the app's, nor GC
  ]);
  const shares = partShares(parsePerfScript(PERF_SCRIPT));
  assert.equal(shares.app, 1 / 13);
  assert.equal(shares.nodeCore, 2 / 13);
  const total = Object.values(shares).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-12, `the shares add up to ${total}`);
});

test('JavaScript frames by the file of their function', () => {
  const js = (path: string) => partOfFrame(`JS:*f ${path}:1:1`);
  assert.equal(
    js('/r/node_modules/@opentelemetry/instrumentation-http/build/src/http.js'),
    'httpInstrumentation',
  );
  assert.equal(
    js('/r/node_modules/@opentelemetry/instrumentation-express/build/src/x.js'),
    'expressInstrumentation',
  );
  assert.equal(js('/r/node_modules/@opentelemetry/context-async-hooks/build/src/x.js'), 'contextManager');
  assert.equal(js('/r/node_modules/@opentelemetry/exporter-trace-otlp-proto/build/src/x.js'), 'spanExport');
  assert.equal(js('/r/node_modules/@opentelemetry/otlp-transformer/build/src/x.js'), 'spanExport');
  assert.equal(js('/r/node_modules/thriftrw/struct.js'), 'spanExport');
  assert.equal(js('/r/node_modules/@opentelemetry/core/build/src/x.js'), 'otelSdk');
  assert.equal(js('file:///r/packages/span-profiles/dist/src/local-roots.js'), 'spanProfiles');
  assert.equal(js('/r/node_modules/@datadog/pprof/out/src/time-profiler.js'), 'profiler');
  assert.equal(js('/r/node_modules/express/lib/router/index.js'), 'express');
  assert.equal(js('/r/node_modules/sonic-boom/index.js'), 'pino');
  assert.equal(js('/r/node_modules/left-pad/index.js'), 'otherPackages');
  assert.equal(partOfFrame("JS:+'emit node:events:487:28"), 'nodeCore');
  assert.equal(partOfFrame('v8::internal::MarkCompactCollector::CollectGarbage()'), 'gc');
  assert.equal(
    partOfFrame('v8::sampler::SignalHandler::HandleProfilerSignal(int, siginfo_t*, void*)'),
    'profiler',
  );
  assert.equal(partOfFrame('Builtins_ArrayPrototypeSort'), undefined);
  assert.equal(partOfFrame('Builtin:RunMicrotasks'), undefined);
});

test('a profile counts as named only when perf named JavaScript from the jitdump', () => {
  assert.equal(jitNamed(PERF_SCRIPT), true);
  // what perf script gives when inject found no dump: JIT code as bare addresses
  assert.equal(jitNamed('MainThread \n\t    7f4fa0184d11 [unknown]\n\t    55d0c1000001 uv_run\n'), false);
});

const m = (
  setup: CostProfileMeasurement['setup'],
  round: number,
  cpu: number,
  parts: CostProfileMeasurement['parts'],
): CostProfileMeasurement => ({
  setup,
  round,
  requests: 1000,
  cpuMicrosPerRequest: cpu,
  samples: 10_000,
  parts,
});

test('the summary: means over rounds, full against off part by part, without the request itself', () => {
  const s = summariseCostProfile(
    [
      m('off', 0, 5000, { app: 4600, gc: 60, v8Workers: 60 }),
      m('off', 1, 5400, { app: 5000, gc: 70, v8Workers: 70 }),
      m('full', 0, 5600, { app: 4700, gc: 80, v8Workers: 160, otelSdk: 110, profilerThread: 60 }),
      m('full', 1, 5800, { app: 4900, gc: 90, v8Workers: 140, otelSdk: 130, profilerThread: 50 }),
    ],
    'full',
    'off',
  );
  assert.equal(s.setups.off!.cpuMicrosPerRequest, 5200);
  assert.deepEqual(s.setups.full!.parts, {
    otelSdk: 120,
    profilerThread: 55,
    app: 4800,
    gc: 85,
    v8Workers: 150,
  });
  // app +0 (4800 − 4800) is left out whatever it is: between processes it is their offset
  assert.deepEqual(s.added.parts, { otelSdk: 120, profilerThread: 55, gc: 20, v8Workers: 85 });
  assert.equal(s.added.totalMicros, 280);
  assert.throws(() => summariseCostProfile([m('off', 0, 1, {})], 'full', 'off'), /no measurement of "full"/);
});
