/**
 * Graceful shutdown: first the app's own work (stop accepting, let in-flight requests finish), then
 * telemetry is flushed (spans, the last profile, buffered logs). A deadline bounds it all, so a backend
 * that is down or hanging cannot keep the process alive. It never exits: the app does, after it.
 */
import { TIMED_OUT, within } from './deadline.js';

export type ShutdownStep = () => Promise<void> | void;

export interface ShutdownPlan {
  timeoutMs: number;
  /** Flushes spans, the last profile and logs; `deadline` (epoch ms) is when the whole shutdown gives up. */
  flushTelemetry: (deadline: number) => Promise<void>;
  report: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

export type ShutdownOutcome = 'done' | 'timeout' | 'failed';

/** Runs the plan once, after the first caller's `first` step; later calls get the same promise. */
export function shutdownOnce(
  plan: ShutdownPlan,
): (reason: string, first?: ShutdownStep) => Promise<ShutdownOutcome> {
  let running: Promise<ShutdownOutcome> | undefined;
  return (reason, first) => (running ??= runShutdown(reason, first, plan));
}

async function runShutdown(
  reason: string,
  first: ShutdownStep | undefined,
  { timeoutMs, flushTelemetry, report }: ShutdownPlan,
): Promise<ShutdownOutcome> {
  const started = Date.now();
  report('info', 'shutting down: finishing in-flight work, then flushing telemetry', {
    reason,
    timeout_ms: timeoutMs,
  });
  const work = (async () => {
    await first?.();
    await flushTelemetry(started + timeoutMs);
    return 'done' as const;
  })().catch((error: unknown) => {
    report('warn', `shutdown step failed: ${error instanceof Error ? error.message : String(error)}`);
    return 'failed' as const;
  });
  const finished = await within(work, timeoutMs, { keepAlive: true });
  const outcome: ShutdownOutcome = finished === TIMED_OUT ? 'timeout' : finished;
  if (outcome === 'timeout') {
    report('warn', `shutdown deadline of ${timeoutMs} ms reached; telemetry not fully flushed`);
  } else {
    report('info', 'shutdown complete', { took_ms: Date.now() - started });
  }
  return outcome;
}
