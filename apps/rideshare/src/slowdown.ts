/**
 * When is the driver schedule cache bypassed? Under SLOW_MODE=periodic, in every other window of
 * SLOW_PERIOD_SECONDS (counted from the Unix epoch, so all processes agree): slow, normal, slow, …
 */
import type { SlowMode } from './config.js';

export function isScheduleCacheBypassed(mode: SlowMode, periodSeconds: number, nowMs: number): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return Math.floor(nowMs / 1000 / periodSeconds) % 2 === 1;
}
