/**
 * What a region's dispatch knows: its fleet, the drivers' schedule index (built once), the recent
 * bike/scooter reservations, and whether the schedule cache is currently bypassed.
 */
import type { RideshareConfig } from './config.js';
import { buildDriverScheduleIndex, type DriverRoster } from './driver-availability.js';
import { generateFleet, type Fleet } from './fleet.js';
import { CITY_CENTRES, type LatLon, type RegionName } from './regions.js';
import { ReservationLog } from './reservation-log.js';
import { isScheduleCacheBypassed } from './slowdown.js';

export interface Dispatch {
  region: RegionName;
  city: LatLon & { city: string };
  fleet: Fleet;
  roster: DriverRoster;
  reservations: ReservationLog;
  scheduleCacheBypassed(nowMs: number): boolean;
}

const RESERVATION_LOG_CAPACITY = 5_000;

export function createDispatch(config: RideshareConfig): Dispatch {
  const fleet = generateFleet(config.region, config.fleetSize);
  const reservations = new ReservationLog(RESERVATION_LOG_CAPACITY);
  const longAgo = new Date(0);
  for (let i = 0; i < RESERVATION_LOG_CAPACITY; i++) {
    reservations.reserve(fleet.vehicles.bike[(i * 7) % fleet.vehicles.bike.length]!.id, longAgo);
  }
  return {
    region: config.region,
    city: CITY_CENTRES[config.region],
    fleet,
    roster: {
      drivers: fleet.drivers,
      shifts: fleet.shifts,
      scheduleIndex: buildDriverScheduleIndex(fleet.shifts),
    },
    reservations,
    scheduleCacheBypassed: (nowMs) =>
      isScheduleCacheBypassed(config.slowMode, config.slowPeriodSeconds, nowMs),
  };
}
