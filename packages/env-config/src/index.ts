/**
 * Configuration from environment variables, shared by the apps and the telemetry package so that every
 * bad value is reported the same way: a `ConfigError` whose message is `invalid configuration: NAME="value"
 * <reason>`, which an app's main prints as one line before it exits 1.
 * Unset or blank variables take the caller's default.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    reason: string,
  ) {
    super(`invalid configuration: ${variable}=${JSON.stringify(value)} ${reason}`);
    this.name = 'ConfigError';
  }
}

/** The trimmed value, or undefined when unset or blank. */
export function readVariable(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = readVariable(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, value, 'is not a boolean (use true/false or 1/0)');
}

export function parseInteger(
  env: Env,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const value = readVariable(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, value, 'is not a whole number');
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(name, value, `is out of range (${min}..${max})`);
  return n;
}

/**
 * Checks that `text` is an http(s) URL; `describe` words the reason (e.g. for one URL of a list).
 * Returns it without trailing slashes.
 */
export function checkHttpUrl(
  name: string,
  value: string,
  text: string = value,
  describe: (reason: string) => string = (reason) => `is ${reason}`,
): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, value, describe('not a URL (expected e.g. http://host:port)'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, value, describe('not an http(s) URL'));
  }
  return text.replace(/\/+$/, '');
}

export function parseUrl(env: Env, name: string): string | undefined {
  const value = readVariable(env, name);
  return value === undefined ? undefined : checkHttpUrl(name, value);
}

export function parseOneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = readVariable(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, value, `is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
