/**
 * The rideshare service's own settings, read from the environment and validated before anything starts.
 * A bad value stops start-up with one line naming the variable (the telemetry variables are validated
 * by `startTelemetry`).
 */
import { REGION_NAMES, type RegionName } from './regions.js';

export type SlowMode = 'periodic' | 'always' | 'never';

export interface RideshareConfig {
  /** PORT [5000]; 0 picks a free port. */
  port: number;
  /** REGION [us-east]: one of us-east, eu-north, ap-south. */
  region: RegionName;
  /** SLOW_MODE [periodic in eu-north, never elsewhere]: when the driver-schedule cache is bypassed. */
  slowMode: SlowMode;
  /** SLOW_PERIOD_SECONDS [60]: with SLOW_MODE=periodic, slow for one period, then normal for the next. */
  slowPeriodSeconds: number;
  /** SLOW_ORDER_MS [100]: orders taking at least this long are logged as warnings. */
  slowOrderMs: number;
  /** FLEET_SIZE [20000]: vehicles of each kind in the region (cars = drivers). */
  fleetSize: number;
}

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

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = read(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidConfigError(name, value, `is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function loadConfig(env: Env): RideshareConfig {
  const region = oneOf(env, 'REGION', REGION_NAMES, 'us-east');
  return {
    port: wholeNumber(env, 'PORT', 5000, 0, 65535),
    region,
    slowMode: oneOf(
      env,
      'SLOW_MODE',
      ['periodic', 'always', 'never'],
      region === 'eu-north' ? 'periodic' : 'never',
    ),
    slowPeriodSeconds: wholeNumber(env, 'SLOW_PERIOD_SECONDS', 60, 1, 86_400),
    slowOrderMs: wholeNumber(env, 'SLOW_ORDER_MS', 100, 1, 600_000),
    fleetSize: wholeNumber(env, 'FLEET_SIZE', 20_000, 100, 1_000_000),
  };
}

/** For main: a bad value prints one line to stderr and exits 1. */
export function loadConfigOrExit(env: Env): RideshareConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
