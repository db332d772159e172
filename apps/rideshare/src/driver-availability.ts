/**
 * CheckDriverAvailability: of the nearest cars, which driver is on shift long enough, has the seats, and
 * reaches the pickup soonest (weighted by rating)?
 *
 * This week's shifts are looked up in the driver schedule index, built once at start-up. When the
 * schedule cache is bypassed (eu-north's slow periods), every request rebuilds the index for its
 * candidate drivers by scanning the whole shift table, history included, once per driver —
 * `rebuildDriverScheduleIndex`, O(candidates × shifts): the wide frame in a slow `CarHandler`'s flame graph.
 */
import { yieldToEventLoop } from './event-loop.js';
import type { Driver, Shift, Vehicle } from './fleet.js';
import type { Candidate } from './find-nearest-vehicle.js';
import type { LatLon } from './regions.js';
import { estimateTravelSeconds } from './travel-time.js';

/** Driver id → that driver's shifts this week, earliest first. */
export type DriverScheduleIndex = Map<number, Shift[]>;

export interface DriverRoster {
  drivers: readonly Driver[];
  shifts: readonly Shift[];
  /** Built once by `buildDriverScheduleIndex`. */
  scheduleIndex: DriverScheduleIndex;
}

export interface DriverRequest {
  pickup: LatLon;
  passengers: number;
  at: Date;
  /** Rebuild the schedule of each candidate from the shift table instead of using the index. */
  scheduleCacheBypassed: boolean;
}

export interface DriverMatch {
  driver: Driver;
  vehicle: Vehicle;
  etaSeconds: number;
}

const MINUTES_PER_WEEK = 7 * 24 * 60;
/** A driver must have this much of the shift left to take an order. */
export const MIN_MINUTES_LEFT_ON_SHIFT = 30;
const SCORE_CHUNK = 50;
const REBUILD_CHUNK = 25;

/** Groups this week's shifts by driver: one pass, O(shifts). */
export function buildDriverScheduleIndex(shifts: readonly Shift[]): DriverScheduleIndex {
  const index: DriverScheduleIndex = new Map();
  for (const shift of shifts) {
    if (shift.week !== 0) continue;
    const list = index.get(shift.driverId);
    if (list === undefined) index.set(shift.driverId, [shift]);
    else list.push(shift);
  }
  for (const list of index.values()) list.sort((a, b) => a.start - b.start);
  return index;
}

/** The slow path: one full scan of the shift table per driver. */
export async function rebuildDriverScheduleIndex(
  driverIds: readonly number[],
  shifts: readonly Shift[],
): Promise<DriverScheduleIndex> {
  const index: DriverScheduleIndex = new Map();
  for (let start = 0; start < driverIds.length; start += REBUILD_CHUNK) {
    for (const driverId of driverIds.slice(start, start + REBUILD_CHUNK)) {
      index.set(driverId, scanShiftTableForDriver(driverId, shifts));
    }
    await yieldToEventLoop();
  }
  return index;
}

function scanShiftTableForDriver(driverId: number, shifts: readonly Shift[]): Shift[] {
  const found: Shift[] = [];
  for (const shift of shifts) if (shift.driverId === driverId && shift.week === 0) found.push(shift);
  return found.sort((a, b) => a.start - b.start);
}

export async function checkDriverAvailability(
  candidates: readonly Candidate[],
  roster: DriverRoster,
  request: DriverRequest,
): Promise<DriverMatch | undefined> {
  const driverIds = candidates.flatMap((c) => (c.vehicle.driverId === undefined ? [] : [c.vehicle.driverId]));
  const schedule = request.scheduleCacheBypassed
    ? await rebuildDriverScheduleIndex(driverIds, roster.shifts)
    : roster.scheduleIndex;
  let best: { match: DriverMatch; score: number } | undefined;
  for (let start = 0; start < candidates.length; start += SCORE_CHUNK) {
    const scored = scoreDrivers(candidates.slice(start, start + SCORE_CHUNK), roster, schedule, request);
    if (scored !== undefined && (best === undefined || scored.score < best.score)) best = scored;
    await yieldToEventLoop();
  }
  return best?.match;
}

/** The best driver of a chunk of candidates: the soonest at the pickup, weighted by rating. */
function scoreDrivers(
  candidates: readonly Candidate[],
  roster: DriverRoster,
  schedule: DriverScheduleIndex,
  request: DriverRequest,
): { match: DriverMatch; score: number } | undefined {
  const minuteOfWeek = minuteOfWeekUtc(request.at);
  let best: { match: DriverMatch; score: number } | undefined;
  for (const { vehicle } of candidates) {
    if (vehicle.driverId === undefined || vehicle.seats < request.passengers) continue;
    const driver = roster.drivers[vehicle.driverId];
    if (driver === undefined) continue;
    const etaSeconds = estimateTravelSeconds(vehicle, request.pickup, 'car', minuteOfWeek % 1440);
    const left = minutesLeftOnShift(schedule.get(driver.id) ?? [], minuteOfWeek);
    if (left < MIN_MINUTES_LEFT_ON_SHIFT + etaSeconds / 60) continue;
    const score = etaSeconds * (1 + (5 - driver.rating) * 0.15);
    if (best === undefined || score < best.score) best = { match: { driver, vehicle, etaSeconds }, score };
  }
  return best;
}

/** Minutes until the current shift ends; 0 when off shift. Shifts may run past the end of the week. */
export function minutesLeftOnShift(shifts: readonly Shift[], minuteOfWeek: number): number {
  for (const shift of shifts) {
    for (const minute of [minuteOfWeek, minuteOfWeek + MINUTES_PER_WEEK]) {
      if (shift.start <= minute && minute < shift.end) return shift.end - minute;
    }
  }
  return 0;
}

/** Minutes since Monday 00:00 UTC. */
export function minuteOfWeekUtc(at: Date): number {
  return ((at.getUTCDay() + 6) % 7) * 1440 + at.getUTCHours() * 60 + at.getUTCMinutes();
}
