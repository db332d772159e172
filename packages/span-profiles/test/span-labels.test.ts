/**
 * The heart of the package, measured with the real profiler: concurrent async "requests", each its own
 * root span, interleaving awaits and burning CPU in a function unique to that request. The profile is
 * encoded and decoded as pprof, and each sample in a request's own function must carry that request's
 * span id. The naive, process-global labelling runs on the same workload to prove the check can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { context, trace, type ContextManager, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { encode, time } from '@datadog/pprof';
import { decodePprof, decodeSamples, type DecodedSample } from '@rideshare/test-receivers';
import { LocalRootSpanProcessor } from '../src/local-roots.js';
import { SpanProfileContextManager } from '../src/span-profile-context-manager.js';

const REQUESTS = 24;
const ROUNDS = 25;
const BURN_MS = 2;

function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/** One named function per request, so a sample's stack says which request was on the CPU. */
const requestWork = Array.from({ length: REQUESTS }, (_, i) => {
  const name = `work_of_request_${String(i).padStart(2, '0')}`;
  return {
    name,
    fn: new Function('burn', `return function ${name}(ms) { return burn(ms); }`)(burn) as (
      ms: number,
    ) => number,
  };
});

interface Outcome {
  right: number;
  wrong: number;
  unlabelled: number;
  total: number;
}

async function runWorkload(
  tracer: Tracer,
  onRequestStart: (spanId: string) => void,
): Promise<Map<string, string>> {
  const spanOfRequest = new Map<string, string>();
  await Promise.all(
    requestWork.map(({ name, fn }) =>
      tracer.startActiveSpan(`Request ${name}`, { root: true }, async (span) => {
        spanOfRequest.set(name, span.spanContext().spanId);
        onRequestStart(span.spanContext().spanId);
        for (let round = 0; round < ROUNDS; round++) {
          fn(BURN_MS);
          if (round % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          else if (round % 3 === 1) await yieldToEventLoop();
          else await tracer.startActiveSpan('child', async (child) => (await Promise.resolve(), child.end()));
        }
        span.end();
      }),
    ),
  );
  return spanOfRequest;
}

function attribution(samples: DecodedSample[], spanOfRequest: Map<string, string>): Outcome {
  const outcome: Outcome = { right: 0, wrong: 0, unlabelled: 0, total: 0 };
  for (const sample of samples) {
    const request = requestWork.find(({ name }) => sample.stack.includes(name));
    if (request === undefined) continue;
    const count = sample.values['samples/count'] ?? 1;
    const label = sample.labels['span_id'];
    outcome.total += count;
    if (label === undefined) outcome.unlabelled += count;
    else if (label === spanOfRequest.get(request.name)) outcome.right += count;
    else outcome.wrong += count;
  }
  return outcome;
}

async function profileWorkload(options: {
  useCPED: boolean;
  contextManager: ContextManager;
  onRequestStart?: (spanId: string) => void;
}): Promise<Outcome & { labelNames: string[] }> {
  const provider = new BasicTracerProvider({ spanProcessors: [new LocalRootSpanProcessor()] });
  context.setGlobalContextManager(options.contextManager.enable());
  time.start({ intervalMicros: 1000, durationMillis: 60_000, withContexts: true, useCPED: options.useCPED });
  try {
    const spanOfRequest = await runWorkload(provider.getTracer('test'), options.onRequestStart ?? (() => {}));
    const profile = time.stop(false, ({ context: sampleContext }) => ({
      ...((sampleContext?.context as { labels?: Record<string, string> } | undefined)?.labels ?? {}),
    }));
    const samples = decodeSamples(decodePprof(await encode(profile)));
    const labelNames = [...new Set(samples.flatMap((sample) => Object.keys(sample.labels)))].sort();
    return { ...attribution(samples, spanOfRequest), labelNames };
  } finally {
    if (time.isStarted()) time.stop();
    context.disable();
    trace.disable();
  }
}

test('span labels follow each request across await, timers and child spans (AsyncContextFrame)', async () => {
  const ours = await profileWorkload({ useCPED: true, contextManager: new SpanProfileContextManager() });
  console.log('async-context labelling:', ours);
  assert.ok(ours.total >= 200, `too few samples in request functions to judge: ${ours.total}`);
  assert.ok(ours.right / ours.total >= 0.99, `right ${ours.right}/${ours.total} < 99%`);
  assert.ok(ours.wrong / ours.total <= 0.001, `wrong ${ours.wrong}/${ours.total} > 0.1%`);
  assert.deepEqual(ours.labelNames, ['span_id', 'span_name'], 'the only sample labels');
});

test('naive process-global labels (set at the start of each request) are measurably wrong', async () => {
  const naive = await profileWorkload({
    useCPED: false,
    contextManager: new AsyncLocalStorageContextManager(),
    // what `Pyroscope.setLabels` / `wrapWithLabels` do: one context for the whole process
    onRequestStart: (spanId) => time.setContext({ labels: { span_id: spanId } }),
  });
  console.log('naive global labelling:', naive);
  assert.ok(naive.total >= 200, `too few samples in request functions to judge: ${naive.total}`);
  assert.ok(
    naive.wrong / naive.total >= 0.2,
    `naive labelling was expected to be wrong often: ${JSON.stringify(naive)}`,
  );
});
