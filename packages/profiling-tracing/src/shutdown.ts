/**
 * Graceful shutdown: first the app's own steps (stop accepting, let in-flight requests finish), then
 * telemetry is flushed (spans, the last profile, buffered logs). A deadline bounds it all, so a backend
 * that is down or hanging cannot keep the process alive. On SIGTERM / SIGINT the process then exits 0.
 */
import { TIMED_OUT, within } from './deadline.js';

export type ShutdownStep = () => Promise<void> | void;

export interface ShutdownPlan {
  timeoutMs: number;
  /** Run in order of registration, before telemetry is flushed. */
  steps: ShutdownStep[];
  /** Flushes spans, the last profile and logs; `deadline` (epoch ms) is when the whole shutdown gives up. */
  flushTelemetry: (deadline: number) => Promise<void>;
  report: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

export type ShutdownOutcome = 'done' | 'timeout' | 'failed';

/** Runs the plan once; later calls get the same promise. */
export function shutdownOnce(plan: ShutdownPlan): (reason: string) => Promise<ShutdownOutcome> {
  let running: Promise<ShutdownOutcome> | undefined;
  return (reason) => (running ??= runShutdown(reason, plan));
}

async function runShutdown(
  reason: string,
  { timeoutMs, steps, flushTelemetry, report }: ShutdownPlan,
): Promise<ShutdownOutcome> {
  const started = Date.now();
  report('info', 'shutting down: finishing in-flight work, then flushing telemetry', {
    reason,
    timeout_ms: timeoutMs,
  });
  const work = (async () => {
    for (const step of steps) await step();
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

/** SIGTERM and SIGINT run the shutdown, then exit 0 (the deadline already bounded the wait). */
export function exitOnSignals(shutdown: (reason: string) => Promise<ShutdownOutcome>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown(signal).then(() => process.exit(0));
    });
  }
}
