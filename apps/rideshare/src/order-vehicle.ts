/**
 * Ordering a vehicle, step by step — each step a span, each step's CPU work in a named function:
 *
 *   FindNearestVehicle        distances to every vehicle of the kind, closest first
 *   CheckDriverAvailability   (car) which nearby driver is on shift, has the seats, arrives first
 *   CheckBikeAvailability     (bike) the nearest unreserved bike
 *   CheckScooterAvailability  (scooter) the nearest unreserved scooter with enough charge
 */
import { randomUUID } from 'node:crypto';
import type { Attributes, Span } from '@opentelemetry/api';
import { stepSpan } from '@rideshare/profiling-tracing';
import { checkDriverAvailability, type DriverMatch } from './driver-availability.js';
import type { Dispatch } from './dispatch.js';
import { findNearestVehicles, type Candidate } from './find-nearest-vehicle.js';
import type { VehicleKind } from './fleet.js';
import {
  checkBikeAvailability,
  checkScooterAvailability,
  type MicromobilityMatch,
} from './micromobility-availability.js';
import type { OrderRequest } from './order-query.js';
import type { LatLon } from './regions.js';
import { tracer } from './tracer.js';

export interface Order {
  order_id: string;
  vehicle: VehicleKind;
  vehicle_id: string;
  region: string;
  city: string;
  passengers: number;
  pickup: LatLon;
  driver: { id: number; name: string; rating: number } | null;
  distance_km: number;
  eta_seconds: number;
  /** True when the order went through the slow path (driver schedule cache bypassed). */
  schedule_cache_bypassed: boolean;
}

export class NoVehicleAvailableError extends Error {
  constructor(vehicle: VehicleKind) {
    super(`no ${vehicle} available near the pickup, try again shortly`);
    this.name = 'NoVehicleAvailableError';
  }
}

const CANDIDATES: Record<VehicleKind, number> = { car: 300, bike: 200, scooter: 200 };
const DEFAULT_PICKUP_RADIUS_KM = 8;

export async function orderVehicle(request: OrderRequest, dispatch: Dispatch): Promise<Order> {
  const at = new Date();
  const pickup = request.pickup ?? somewhereNear(dispatch.city);
  const kind = request.vehicle;

  const candidates = await step('FindNearestVehicle', { 'vehicle.kind': kind }, () =>
    findNearestVehicles(dispatch.fleet.vehicles[kind], pickup, CANDIDATES[kind]),
  );

  let match: DriverMatch | MicromobilityMatch | undefined;
  const bypassed = kind === 'car' && dispatch.scheduleCacheBypassed(at.getTime());
  if (kind === 'car') {
    match = await step(
      'CheckDriverAvailability',
      { passengers: request.passengers, schedule_cache: bypassed ? 'bypassed' : 'cached' },
      () =>
        checkDriverAvailability(candidates, dispatch.roster, {
          pickup,
          passengers: request.passengers,
          at,
          scheduleCacheBypassed: bypassed,
        }),
    );
  } else if (kind === 'bike') {
    match = await step('CheckBikeAvailability', {}, () =>
      checkBikeAvailability(candidates, dispatch.reservations, pickup, at),
    );
  } else {
    match = await step('CheckScooterAvailability', {}, () =>
      checkScooterAvailability(candidates, dispatch.reservations, pickup, at),
    );
  }
  if (match === undefined) throw new NoVehicleAvailableError(kind);

  return {
    order_id: randomUUID(),
    vehicle: kind,
    vehicle_id: match.vehicle.id,
    region: dispatch.region,
    city: dispatch.city.city,
    passengers: request.passengers,
    pickup,
    driver: 'driver' in match ? { ...match.driver } : null,
    distance_km: roundTo(distanceOf(candidates, match.vehicle.id), 3),
    eta_seconds: match.etaSeconds,
    schedule_cache_bypassed: bypassed,
  };
}

/** Runs one step of the order as a child span; a failure is recorded on it. */
const step = <T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> =>
  stepSpan(tracer, name, attributes, work);

/** A rider somewhere in the city, when the request does not say where. */
function somewhereNear(centre: LatLon): LatLon {
  const km = DEFAULT_PICKUP_RADIUS_KM * Math.sqrt(Math.random());
  const bearing = Math.random() * 2 * Math.PI;
  return {
    lat: roundTo(centre.lat + (km * Math.cos(bearing)) / 111.32, 6),
    lon: roundTo(
      centre.lon + (km * Math.sin(bearing)) / (111.32 * Math.cos((centre.lat * Math.PI) / 180)),
      6,
    ),
  };
}

function distanceOf(candidates: readonly Candidate[], vehicleId: string): number {
  return candidates.find((c) => c.vehicle.id === vehicleId)?.distanceKm ?? 0;
}

function roundTo(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
