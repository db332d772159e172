/**
 * What sdk-trace-internals.ts reaches for in the installed trace SDK: the batch processor's queue is the
 * live array of ended spans waiting for export. An upgrade that moves it fails here, naming the module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { batchQueueOf } from '../src/sdk-trace-internals.js';

test('the installed BatchSpanProcessor queues ended spans in the array sdk-trace-internals.ts reads', async () => {
  const processor = new BatchSpanProcessor(new InMemorySpanExporter(), { scheduledDelayMillis: 60_000 });
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
  tracer.startSpan('first').end();
  tracer.startSpan('second').end();
  const queue = batchQueueOf(processor); // throws "… which sdk-trace-internals.ts reaches for …"
  assert.deepEqual(
    queue.map((span) => span.name),
    ['first', 'second'],
  );
  queue.splice(0, 1); // what dropping the oldest does: the processor exports what is left
  await processor.forceFlush();
  assert.deepEqual(batchQueueOf(processor), []);
  await processor.shutdown();
});

test('a processor without the queue fails loudly, naming the module and the version it was written for', () => {
  const moved = Object.create(BatchSpanProcessor.prototype) as BatchSpanProcessor;
  assert.throws(
    () => batchQueueOf(moved),
    /no _finishedSpans array, which sdk-trace-internals\.ts reaches for \(written for @opentelemetry\/sdk-trace 2\.11\.0\)/,
  );
});
