/**
 * `stop()` at the worst moment: right after @pyroscope/nodejs's flush timer fired, before the profiling round
 * it queued with `setImmediate` has run. Stopping there used to make that round profile a stopped profiler
 * (an unhandled rejection: "Heap profiler is not enabled.") and re-arm the timer. The last profile must be
 * uploaded, and nothing may happen after `stop()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPyroscopeReceiver } from '@rideshare/test-receivers';
import { startSpanProfiles } from '../src/index.js';

const FLUSH_MS = 200;

test(
  'stop() right after the flush timer fired: the last profile goes out, nothing runs after',
  { timeout: 30_000 },
  async (t) => {
    const pyroscope = await startPyroscopeReceiver();
    t.after(() => pyroscope.close());
    const unhandled: unknown[] = [];
    process.on('unhandledRejection', (reason) => void unhandled.push(reason));
    const spanProfiles = await startSpanProfiles({
      appName: 'stop-test',
      serverAddress: pyroscope.url,
      flushIntervalMs: FLUSH_MS,
      warn: () => {},
    });
    // a timer of the same duration, armed after the SDK's, fires right after it in the same timers phase
    await sleep(FLUSH_MS);
    await spanProfiles.stop();
    const afterStop = pyroscope.requestLog.length;
    await sleep(3 * FLUSH_MS);
    assert.deepEqual(unhandled, []);
    assert.ok(afterStop >= 2, `uploads by stop(): ${afterStop} (the last wall and heap profiles)`);
    assert.equal(pyroscope.requestLog.length, afterStop, 'no upload after stop()');
  },
);
