/**
 * The region's fleet: vehicles scattered around the city centre, drivers for the cars, and the drivers'
 * weekly shifts. Generated once at start-up from a seed, so every run of a region has the same fleet.
 */
import { CITY_CENTRES, type LatLon, type RegionName } from './regions.js';
import { seededRandom, type Random } from './seeded-random.js';

export const VEHICLE_KINDS = ['bike', 'scooter', 'car'] as const;
export type VehicleKind = (typeof VEHICLE_KINDS)[number];

export interface Vehicle extends LatLon {
  id: string;
  kind: VehicleKind;
  seats: number;
  batteryPercent: number;
  /** Cars only: the driver of this car. */
  driverId: number | undefined;
}

export interface Driver {
  id: number;
  name: string;
  /** 1.0 .. 5.0 */
  rating: number;
}

/**
 * A shift in minutes since the start of its week (Monday 00:00 UTC); `end` may pass the week's end.
 * `week` is 0 for this week, negative for the past weeks the shift table keeps as history.
 */
export interface Shift {
  driverId: number;
  week: number;
  start: number;
  end: number;
}

export interface Fleet {
  region: RegionName;
  vehicles: Record<VehicleKind, Vehicle[]>;
  drivers: Driver[];
  /** This week's and the past HISTORY_WEEKS' shifts of all drivers, in the order they were stored (week by week). */
  shifts: Shift[];
}

const CITY_RADIUS_KM = 12;
const KM_PER_DEGREE = 111.32;
const SHIFTS_PER_WEEK = 6;
/**
 * Past weeks kept in the shift table (the last four, for payroll): 10,000 drivers × 6 shifts × 5 weeks is
 * 300,000 rows, which is what the slow path scans once per candidate driver.
 */
export const HISTORY_WEEKS = 4;
const FIRST_NAMES = [
  'Ana',
  'Bo',
  'Chen',
  'Dara',
  'Emil',
  'Farah',
  'Goran',
  'Hana',
  'Ivo',
  'Jia',
  'Kofi',
  'Lena',
];
const LAST_NAMES = ['Berg', 'Costa', 'Das', 'Eklund', 'Fischer', 'Gupta', 'Huang', 'Iyer', 'Jones', 'Khan'];

export function generateFleet(region: RegionName, sizePerKind: number): Fleet {
  const random = seededRandom(`fleet:${region}`);
  const centre = CITY_CENTRES[region];
  const vehicles = {} as Record<VehicleKind, Vehicle[]>;
  for (const kind of VEHICLE_KINDS) {
    vehicles[kind] = Array.from({ length: sizePerKind }, (_, i) => {
      // named fields, no spread: one object of one shape per vehicle (a spread adds a second backing store)
      const { lat, lon } = randomPointNear(centre, random);
      return {
        id: `${kind}-${region}-${i}`,
        kind,
        lat,
        lon,
        seats: kind === 'car' ? (random() < 0.2 ? 7 : 4) : 1,
        batteryPercent: Math.round(random() * 100),
        driverId: kind === 'car' ? i : undefined,
      };
    });
  }
  const drivers = vehicles.car.map((_, id) => ({
    id,
    name: `${pick(FIRST_NAMES, random)} ${pick(LAST_NAMES, random)}`,
    rating: Math.round((3 + random() * 2) * 10) / 10,
  }));
  const shifts: Shift[] = [];
  for (let week = -HISTORY_WEEKS; week <= 0; week++) {
    for (const driver of drivers) shifts.push(...weeklyShifts(driver.id, week, random));
  }
  return { region, vehicles, drivers, shifts };
}

function randomPointNear(centre: LatLon, random: Random): LatLon {
  const distanceKm = CITY_RADIUS_KM * Math.sqrt(random());
  const bearing = random() * 2 * Math.PI;
  const lat = centre.lat + (distanceKm * Math.cos(bearing)) / KM_PER_DEGREE;
  const lon =
    centre.lon + (distanceKm * Math.sin(bearing)) / (KM_PER_DEGREE * Math.cos((centre.lat * Math.PI) / 180));
  return { lat, lon };
}

function weeklyShifts(driverId: number, week: number, random: Random): Shift[] {
  const days = new Set<number>();
  while (days.size < SHIFTS_PER_WEEK) days.add(Math.floor(random() * 7));
  return [...days].map((day) => {
    const start = day * 1440 + Math.floor(random() * 24) * 60;
    return { driverId, week, start, end: start + (6 + Math.floor(random() * 5)) * 60 };
  });
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random() * items.length)]!;
}
