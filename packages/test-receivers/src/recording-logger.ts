/**
 * A logger test double for code that takes a pino-style logger (`logger.info(fields, msg)`): every call is
 * recorded in `records`, in order, with its level. No telemetry, no output.
 */
export interface LoggedRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  fields: Record<string, unknown>;
  msg: string;
}

const LEVELS: readonly LoggedRecord['level'][] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** `L` is the logger type the code under test expects (e.g. profiling-tracing's `Logger`). */
export function recordingLogger<L>(): { logger: L; records: LoggedRecord[] } {
  const records: LoggedRecord[] = [];
  const logger = Object.fromEntries(
    LEVELS.map((level) => [
      level,
      (fields: Record<string, unknown>, msg: string) => records.push({ level, fields, msg }),
    ]),
  ) as L;
  return { logger, records };
}
