/**
 * CheckBikeAvailability / CheckScooterAvailability: the nearest bike or scooter that nobody has reserved
 * (looked up in the recent-reservations log) and, for scooters, with charge for the trip.
 */
import { yieldToEventLoop } from './event-loop.js';
import type { Vehicle } from './fleet.js';
import type { Candidate } from './find-nearest-vehicle.js';
import type { LatLon } from './regions.js';
import type { ReservationLog } from './reservation-log.js';
import { estimateTravelSeconds } from './travel-time.js';

export interface MicromobilityMatch {
  vehicle: Vehicle;
  /** Walking time to the vehicle. */
  etaSeconds: number;
}

/** Scooters need this much charge to be offered (bikes can be pedalled). */
export const MIN_SCOOTER_BATTERY_PERCENT = 30;
const CHUNK = 25;

export async function checkBikeAvailability(
  candidates: readonly Candidate[],
  reservations: ReservationLog,
  pickup: LatLon,
  at: Date,
): Promise<MicromobilityMatch | undefined> {
  return firstUnreserved(candidates, reservations, pickup, at, () => true);
}

export async function checkScooterAvailability(
  candidates: readonly Candidate[],
  reservations: ReservationLog,
  pickup: LatLon,
  at: Date,
): Promise<MicromobilityMatch | undefined> {
  return firstUnreserved(
    candidates,
    reservations,
    pickup,
    at,
    (v) => v.batteryPercent >= MIN_SCOOTER_BATTERY_PERCENT,
  );
}

async function firstUnreserved(
  candidates: readonly Candidate[],
  reservations: ReservationLog,
  pickup: LatLon,
  at: Date,
  usable: (vehicle: Vehicle) => boolean,
): Promise<MicromobilityMatch | undefined> {
  for (let start = 0; start < candidates.length; start += CHUNK) {
    const chunk = candidates.slice(start, start + CHUNK);
    const vehicle = chunk.find(
      (c) => usable(c.vehicle) && !reservations.isReserved(c.vehicle.id, at),
    )?.vehicle;
    if (vehicle !== undefined) {
      reservations.reserve(vehicle.id, at);
      const minuteOfDay = at.getUTCHours() * 60 + at.getUTCMinutes();
      return { vehicle, etaSeconds: estimateTravelSeconds(pickup, vehicle, 'walk', minuteOfDay) };
    }
    await yieldToEventLoop();
  }
  return undefined;
}
