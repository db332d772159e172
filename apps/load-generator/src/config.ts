/**
 * The load generator's settings, read from the environment and validated before anything starts.
 * A bad value stops start-up with one line naming the variable (the telemetry variables are validated
 * by `startTelemetry`).
 */
import { ConfigError, checkHttpUrl, parseInteger, readVariable, type Env } from '@rideshare/env-config';

export interface LoadGeneratorConfig {
  /** RIDESHARE_URLS: comma-separated base URLs of the rideshare regions. */
  rideshareUrls: string[];
  /**
   * CONCURRENCY [1]: orders in flight at once (one worker each). Workers share the process's one thread, so
   * two would stretch each order's ORDER_CPU_MS of work to about twice as long.
   */
  concurrency: number;
  /** ORDER_CPU_MS [300]: computation per order (route planning and fare estimate) before the request. */
  orderCpuMs: number;
  /** ORDER_PAUSE_MS [700]: pause of each worker between two orders (about one order a second in all). */
  orderPauseMs: number;
  /** REQUEST_TIMEOUT_MS [5000]: a rideshare request taking longer fails. */
  requestTimeoutMs: number;
  /** RUN_SECONDS [0]: stop after this long; 0 runs until SIGTERM/SIGINT. */
  runSeconds: number;
}

export const DEFAULT_RIDESHARE_URLS = 'http://us-east:5000,http://eu-north:5000,http://ap-south:5000';

function baseUrls(env: Env, name: string, fallback: string): string[] {
  const value = readVariable(env, name) ?? fallback;
  return value.split(',').map((text) => {
    const url = checkHttpUrl(
      name,
      value,
      text.trim(),
      (reason) => `has "${text.trim()}", which is ${reason}`,
    );
    const parsed = new URL(url);
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
      throw new ConfigError(name, value, `has "${url}"; give base URLs without credentials, query or #`);
    }
    return url;
  });
}

export function loadConfig(env: Env): LoadGeneratorConfig {
  return {
    rideshareUrls: baseUrls(env, 'RIDESHARE_URLS', DEFAULT_RIDESHARE_URLS),
    concurrency: parseInteger(env, 'CONCURRENCY', 1, { min: 1, max: 64 }),
    orderCpuMs: parseInteger(env, 'ORDER_CPU_MS', 300, { min: 0, max: 60_000 }),
    orderPauseMs: parseInteger(env, 'ORDER_PAUSE_MS', 700, { min: 0, max: 600_000 }),
    requestTimeoutMs: parseInteger(env, 'REQUEST_TIMEOUT_MS', 5_000, { min: 1, max: 600_000 }),
    runSeconds: parseInteger(env, 'RUN_SECONDS', 0, { min: 0, max: 31_536_000 }),
  };
}
