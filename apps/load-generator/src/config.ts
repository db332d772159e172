/**
 * The load generator's settings, read from the environment and validated before anything starts.
 * A bad value stops start-up with one line naming the variable (the telemetry variables are validated
 * by `startTelemetry`).
 */
export interface LoadGeneratorConfig {
  /** RIDESHARE_URLS: comma-separated base URLs of the rideshare regions. */
  rideshareUrls: string[];
  /** CONCURRENCY [2]: orders in flight at once (one worker each). */
  concurrency: number;
  /** ORDER_CPU_MS [300]: computation per order (route planning and fare estimate) before the request. */
  orderCpuMs: number;
  /** ORDER_PAUSE_MS [200]: pause of each worker between two orders. */
  orderPauseMs: number;
  /** REQUEST_TIMEOUT_MS [5000]: a rideshare request taking longer fails. */
  requestTimeoutMs: number;
  /** RUN_SECONDS [0]: stop after this long; 0 runs until SIGTERM/SIGINT. */
  runSeconds: number;
}

export const DEFAULT_RIDESHARE_URLS = 'http://us-east:5000,http://eu-north:5000,http://ap-south:5000';

export class InvalidConfigError extends Error {
  constructor(variable: string, value: string, reason: string) {
    super(`invalid configuration: ${variable}=${JSON.stringify(value)} ${reason}`);
    this.name = 'InvalidConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wholeNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new InvalidConfigError(name, value, 'is not a whole number');
  const n = Number(value);
  if (n < min || n > max) throw new InvalidConfigError(name, value, `is out of range (${min}..${max})`);
  return n;
}

function baseUrls(env: Env, name: string, fallback: string): string[] {
  const value = read(env, name) ?? fallback;
  const urls = value.split(',').map((s) => s.trim());
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidConfigError(
        name,
        value,
        `has "${url}", which is not a URL (expected e.g. http://host:5000)`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new InvalidConfigError(name, value, `has "${url}", which is not an http(s) URL`);
    }
    if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
      throw new InvalidConfigError(
        name,
        value,
        `has "${url}"; give base URLs without credentials, query or #`,
      );
    }
  }
  return urls.map((url) => url.replace(/\/+$/, ''));
}

export function loadConfig(env: Env): LoadGeneratorConfig {
  return {
    rideshareUrls: baseUrls(env, 'RIDESHARE_URLS', DEFAULT_RIDESHARE_URLS),
    concurrency: wholeNumber(env, 'CONCURRENCY', 2, 1, 64),
    orderCpuMs: wholeNumber(env, 'ORDER_CPU_MS', 300, 0, 60_000),
    orderPauseMs: wholeNumber(env, 'ORDER_PAUSE_MS', 200, 0, 600_000),
    requestTimeoutMs: wholeNumber(env, 'REQUEST_TIMEOUT_MS', 5_000, 1, 600_000),
    runSeconds: wholeNumber(env, 'RUN_SECONDS', 0, 0, 31_536_000),
  };
}

/** For main: a bad value prints one line to stderr and exits 1. */
export function loadConfigOrExit(env: Env): LoadGeneratorConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
