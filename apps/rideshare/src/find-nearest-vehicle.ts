/**
 * FindNearestVehicle: the distance from the pickup to every vehicle of the requested kind, then the
 * closest ones first. The scan runs in chunks with a pause between them, like paging through a database.
 */
import { yieldToEventLoop } from './event-loop.js';
import type { Vehicle } from './fleet.js';
import { haversineKm } from './geo.js';
import type { LatLon } from './regions.js';

export interface Candidate {
  vehicle: Vehicle;
  distanceKm: number;
}

const SCAN_CHUNK = 2_500;
/** Bikes and scooters below this charge are not offered. */
export const MIN_BATTERY_PERCENT = 15;

export async function findNearestVehicles(
  vehicles: readonly Vehicle[],
  pickup: LatLon,
  limit: number,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  for (let start = 0; start < vehicles.length; start += SCAN_CHUNK) {
    measureDistances(vehicles, start, Math.min(start + SCAN_CHUNK, vehicles.length), pickup, candidates);
    await yieldToEventLoop();
  }
  return closestFirst(candidates).slice(0, limit);
}

function measureDistances(
  vehicles: readonly Vehicle[],
  start: number,
  end: number,
  pickup: LatLon,
  into: Candidate[],
): void {
  for (let i = start; i < end; i++) {
    const vehicle = vehicles[i]!;
    if (vehicle.kind !== 'car' && vehicle.batteryPercent < MIN_BATTERY_PERCENT) continue;
    into.push({ vehicle, distanceKm: haversineKm(pickup, vehicle) });
  }
}

function closestFirst(candidates: Candidate[]): Candidate[] {
  return candidates.sort((a, b) => a.distanceKm - b.distanceKm || a.vehicle.id.localeCompare(b.vehicle.id));
}
