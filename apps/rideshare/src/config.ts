/**
 * The rideshare service's own settings, read from the environment and validated before anything starts.
 * A bad value stops start-up with one line naming the variable (the telemetry variables are validated
 * by `startTelemetry`).
 */
import { parseInteger, parseOneOf, type Env } from '@rideshare/env-config';
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
  /** FLEET_SIZE [10000]: vehicles of each kind in the region (cars = drivers). */
  fleetSize: number;
}

export function loadConfig(env: Env): RideshareConfig {
  const region = parseOneOf(env, 'REGION', REGION_NAMES, 'us-east');
  return {
    port: parseInteger(env, 'PORT', 5000, { min: 0, max: 65535 }),
    region,
    slowMode: parseOneOf(
      env,
      'SLOW_MODE',
      ['periodic', 'always', 'never'],
      region === 'eu-north' ? 'periodic' : 'never',
    ),
    slowPeriodSeconds: parseInteger(env, 'SLOW_PERIOD_SECONDS', 60, { min: 1, max: 86_400 }),
    slowOrderMs: parseInteger(env, 'SLOW_ORDER_MS', 100, { min: 1, max: 600_000 }),
    fleetSize: parseInteger(env, 'FLEET_SIZE', 10_000, { min: 100, max: 1_000_000 }),
  };
}
