/**
 * The optional query parameters of an order, validated strictly: a typo or an out-of-range value is a
 * 400 naming the parameter, never a silently ignored option.
 *
 *   passengers  whole number; 1..8 for a car (7-seaters exist), only 1 for a bike or scooter  [1]
 *   pickup      "lat,lon" in decimal degrees, within SERVICE_RADIUS_KM of the region's city    [near the centre]
 */
import type { VehicleKind } from './fleet.js';
import { haversineKm } from './geo.js';
import type { LatLon } from './regions.js';

export interface OrderRequest {
  vehicle: VehicleKind;
  passengers: number;
  /** undefined: the rider's position is not given; the service picks a point near the city centre. */
  pickup: LatLon | undefined;
}

export class InvalidParameterError extends Error {
  constructor(
    message: string,
    /** The offending query parameter, or null when the query as a whole is rejected. */
    readonly parameter: string | null,
  ) {
    super(message);
    this.name = 'InvalidParameterError';
  }
}

export const ALLOWED_PARAMETERS = ['passengers', 'pickup'] as const;
export const MAX_QUERY_LENGTH = 256;
export const MAX_CAR_PASSENGERS = 8;
export const SERVICE_RADIUS_KM = 50;
const MAX_NAME_IN_MESSAGE = 40;
const COORDINATE = /^-?\d{1,3}(\.\d{1,10})?$/;

export function parseOrderQuery(vehicle: VehicleKind, rawQuery: string, cityCentre: LatLon): OrderRequest {
  if (rawQuery.length > MAX_QUERY_LENGTH) {
    throw new InvalidParameterError(
      `query string is too long (at most ${MAX_QUERY_LENGTH} characters)`,
      null,
    );
  }
  const params = new URLSearchParams(rawQuery);
  const seen = new Set<string>();
  for (const name of params.keys()) {
    const shown = name.slice(0, MAX_NAME_IN_MESSAGE);
    if (!(ALLOWED_PARAMETERS as readonly string[]).includes(name)) {
      throw new InvalidParameterError(
        `unknown query parameter (allowed: ${ALLOWED_PARAMETERS.join(', ')})`,
        shown,
      );
    }
    if (seen.has(name)) throw new InvalidParameterError('given more than once', shown);
    seen.add(name);
  }
  const passengers = params.get('passengers');
  const pickup = params.get('pickup');
  return {
    vehicle,
    passengers: passengers === null ? 1 : parsePassengers(vehicle, passengers),
    pickup: pickup === null ? undefined : parsePickup(pickup, cityCentre),
  };
}

function parsePassengers(vehicle: VehicleKind, value: string): number {
  const max = vehicle === 'car' ? MAX_CAR_PASSENGERS : 1;
  const n = /^\d{1,2}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= max)) {
    const message =
      max === 1 ? `must be 1: a ${vehicle} carries one rider` : `must be a whole number from 1 to ${max}`;
    throw new InvalidParameterError(message, 'passengers');
  }
  return n;
}

function parsePickup(value: string, cityCentre: LatLon): LatLon {
  const parts = value.split(',');
  if (parts.length !== 2 || !parts.every((p) => COORDINATE.test(p.trim()))) {
    throw new InvalidParameterError('must be "lat,lon" in decimal degrees, e.g. 59.3293,18.0686', 'pickup');
  }
  const [lat, lon] = parts.map((p) => Number(p.trim())) as [number, number];
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
    throw new InvalidParameterError(
      'latitude must be within -90..90 and longitude within -180..180',
      'pickup',
    );
  }
  if (haversineKm({ lat, lon }, cityCentre) > SERVICE_RADIUS_KM) {
    throw new InvalidParameterError(
      `is outside the service area (${SERVICE_RADIUS_KM} km around the city)`,
      'pickup',
    );
  }
  return { lat, lon };
}
