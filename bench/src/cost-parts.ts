/**
 * Where a process's CPU goes, from a `perf script` dump of a call-graph profile (cost-profile.ts).
 *
 * Each sample is put in one part: a sample of a thread other than the main one by that thread's name (V8's
 * GC and compiler workers, the CPU profiler's own thread, libuv's pool); a main-thread sample by its
 * innermost frame that says whose it is: V8's garbage collector and the CPU profiler's native code by their
 * C++ names, JavaScript by the file of its function (V8's jitdump names it: cost-profile-run.ts).
 * Native frames below that (builtins, runtime calls) count with the JavaScript that called them, so
 * `Array.prototype.sort` called by the app is the app's, a `JSON.stringify` called by an exporter is the
 * export's. Node's own code counts with the telemetry package that called it, if one did (the HTTP
 * instrumentation's URL parse, the context manager's AsyncLocalStorage, an exporter's HTTP request);
 * otherwise it is Node core's (the server's parser, timers, sockets).
 *
 * Written here because no library reads perf's text output into these parts; the rules are the
 * project's own view of which package does what.
 */

export const TELEMETRY_PARTS = [
  'otelSdk',
  'httpInstrumentation',
  'expressInstrumentation',
  'pinoInstrumentation',
  'contextManager',
  'spanExport',
  'spanProfiles',
  'profilingTracing',
  'profiler',
  'heapProfiler',
  'profilerThread',
] as const;
/** Parts every process has, with or without telemetry: telemetry changes them only by their size. */
export const SHARED_PARTS = [
  'app',
  'express',
  'pino',
  'nodeCore',
  'otherPackages',
  'gc',
  'compilerThreads',
  'gcThreads',
  'v8Workers',
  'libuvWorkers',
  'otherThreads',
  'unattributedNative',
] as const;
export type Part = (typeof TELEMETRY_PARTS)[number] | (typeof SHARED_PARTS)[number];

const GC = /Heap::|Scavenger|MarkCompact|ConcurrentMarking|MinorMarkSweep|Sweeper|IncrementalMarking/;
const PROFILER_NATIVE = /Sampler|SignalHandler|ProfilerListener|CpuProfiler|ProfilerEventsProcessor|dd_pprof/;
/**
 * V8's sampling heap profiler (`@pyroscope/nodejs` runs it): every 512 KB allocated it records the allocating
 * stack, inside the allocation itself, so without this rule its cost counts as the allocating code's.
 */
const HEAP_PROFILER = /SamplingHeapProfiler::/;
const JS_FILE = /(?:file:\/\/)?(\/\S+\.[cm]?js|node:\S+)/;

/** Rules on the path of a JavaScript function's file, first match wins. */
const BY_PATH: [RegExp, Part][] = [
  [/\/apps\/rideshare\//, 'app'],
  [/@opentelemetry\/instrumentation-http\//, 'httpInstrumentation'],
  [/@opentelemetry\/instrumentation-express\//, 'expressInstrumentation'],
  [/@opentelemetry\/instrumentation-pino\//, 'pinoInstrumentation'],
  [/@opentelemetry\/context-async-hooks\//, 'contextManager'],
  [
    /@opentelemetry\/(?:exporter-|otlp-)|\/protobufjs\/|\/jaeger-client\/|\/thriftrw\/|\/node-int64\//,
    'spanExport',
  ],
  [/@opentelemetry\/|\/(?:require|import)-in-the-middle\/|\/shimmer\//, 'otelSdk'],
  [/\/packages\/span-profiles\/|\/pyroscope-span-profiles\//, 'spanProfiles'],
  [/\/packages\/profiling-tracing\//, 'profilingTracing'],
  [/@pyroscope\/|@datadog\/pprof\/|\/pprof-format\//, 'profiler'],
  [/\/node_modules\/(?:pino|pino-std-serializers|sonic-boom|thread-stream|quick-format-unescaped)\//, 'pino'],
  [
    /\/node_modules\/(?:express|router|finalhandler|send|serve-static|body-parser|content-type|mime-types|fresh|path-to-regexp|parseurl|debug|on-finished|type-is|accepts|negotiator|etag|vary|qs)\//,
    'express',
  ],
  [/^node:/, 'nodeCore'],
  [/\/node_modules\//, 'otherPackages'],
];

/**
 * What V8's worker threads do, by any frame of the sample: compile (TurboFan, Maglev, Sparkplug off the main
 * thread) or collect garbage (parallel scavenges, concurrent marking and sweeping). The rest (`v8Workers`)
 * is their locking, malloc and scheduling, whose stacks end in libc without frame pointers.
 */
const V8_WORKER_GC =
  /Scaveng|ConcurrentMarking|MarkCompact|Sweeper|MinorMarkSweep|Heap::|Unmapper|MarkingVisitor|MarkingWorklist/;
const V8_WORKER_COMPILE =
  /compiler::|maglev::|turboshaft|OptimizingCompileDispatcher|BackgroundCompileTask|baseline::|Compiler::/;

function partOfV8Worker(sample: Sample): Part {
  const frames = sample.frames.join('\n');
  if (V8_WORKER_GC.test(frames)) return 'gcThreads';
  if (V8_WORKER_COMPILE.test(frames)) return 'compilerThreads';
  return 'v8Workers';
}

const THREADS: [RegExp, Part][] = [
  [/^V8Worker/, 'v8Workers'],
  [/^v8:ProfEvntProc/, 'profilerThread'],
  [/^libuv-worker/, 'libuvWorkers'],
];

/** The part of one frame's symbol, or undefined when the frame does not say (a builtin, the runtime). */
export function partOfFrame(symbol: string): Part | undefined {
  if (GC.test(symbol)) return 'gc';
  if (PROFILER_NATIVE.test(symbol)) return 'profiler';
  const file = JS_FILE.exec(symbol)?.[1];
  if (file === undefined) return undefined;
  return BY_PATH.find(([pattern]) => pattern.test(file))?.[1] ?? 'otherPackages';
}

export interface Sample {
  /** The thread's name (perf's `comm`). */
  thread: string;
  /** Symbols, innermost first. */
  frames: string[];
}

const TELEMETRY: ReadonlySet<Part> = new Set(TELEMETRY_PARTS);

/** The main thread is the one named after the process (`node`'s is `MainThread` since Node 22). */
export function partOfSample(sample: Sample, mainThread = 'MainThread'): Part {
  if (sample.thread !== mainThread) {
    const part = THREADS.find(([pattern]) => pattern.test(sample.thread))?.[1] ?? 'otherThreads';
    return part === 'v8Workers' ? partOfV8Worker(sample) : part;
  }
  if (sample.frames.some((frame) => HEAP_PROFILER.test(frame))) return 'heapProfiler';
  let found: Part | undefined;
  for (const frame of sample.frames) {
    const part = partOfFrame(frame);
    if (part === undefined) continue;
    if (found === undefined) {
      if (part !== 'nodeCore') return part;
      found = part;
    } else if (part !== 'nodeCore') {
      // the nearest caller outside Node core: a telemetry package takes the Node code it called
      return TELEMETRY.has(part) ? part : found;
    }
  }
  return found ?? 'unattributedNative';
}

/**
 * Samples of `perf script -F comm,ip,sym`: a sample is a line with the thread's name, then one line per
 * frame (`<hex address> <symbol>`), then a blank line.
 */
export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const head = lines[0];
    if (head === undefined) continue;
    const frames = lines.slice(1).map((line) => {
      const trimmed = line.trim();
      const space = trimmed.indexOf(' ');
      return space < 0 ? '' : trimmed.slice(space + 1);
    });
    samples.push({ thread: head.trim(), frames });
  }
  return samples;
}

/** Each part's share of the samples (parts without samples left out). */
export function partShares(samples: readonly Sample[]): Partial<Record<Part, number>> {
  const counts = new Map<Part, number>();
  for (const sample of samples) {
    const part = partOfSample(sample);
    counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].map(([part, n]) => [part, n / Math.max(1, samples.length)]));
}
