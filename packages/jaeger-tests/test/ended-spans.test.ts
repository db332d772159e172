/**
 * Reading ended spans from an app's stdout (runs without Go): span lines count, log records do not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endedSpans } from '../src/ended-spans.js';

test('span lines are read by their trace= and span= fields; JSON log lines with trace_id are not span lines', () => {
  const lines = [
    '15:42:01.123 rideshare trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7 parent=53995c3f42cd8ad8 CarHandler 12.3ms OK profile=00f067aa0ba902b7',
    '{"level":30,"msg":"order placed","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}',
    '15:42:01.124 load-generator trace=4bf92f3577b34da6a3ce929d0e0e4736 span=53995c3f42cd8ad8 parent=- OrderVehicle 330.0ms OK',
  ];
  assert.deepEqual(endedSpans(lines), [
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
    { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '53995c3f42cd8ad8' },
  ]);
});
