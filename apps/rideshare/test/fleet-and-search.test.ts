import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findNearestVehicles, MIN_BATTERY_PERCENT } from '../src/find-nearest-vehicle.js';
import { generateFleet, HISTORY_WEEKS } from '../src/fleet.js';
import { haversineKm } from '../src/geo.js';
import { CITY_CENTRES } from '../src/regions.js';
import { estimateTravelSeconds } from '../src/travel-time.js';

test('haversine: Stockholm to New York is about 6,300 km; a point to itself is 0', () => {
  const km = haversineKm(CITY_CENTRES['eu-north'], CITY_CENTRES['us-east']);
  assert.ok(km > 6_250 && km < 6_350, String(km));
  assert.equal(haversineKm(CITY_CENTRES['ap-south'], CITY_CENTRES['ap-south']), 0);
});

test('the fleet is deterministic per region, around its city, one driver per car, six shifts a week', () => {
  const a = generateFleet('eu-north', 500);
  const b = generateFleet('eu-north', 500);
  assert.deepEqual(a, b);
  assert.notDeepEqual(generateFleet('us-east', 500).vehicles.car[0], a.vehicles.car[0]);
  for (const kind of ['bike', 'scooter', 'car'] as const) {
    assert.equal(a.vehicles[kind].length, 500);
    for (const v of a.vehicles[kind]) assert.ok(haversineKm(v, CITY_CENTRES['eu-north']) <= 12.01);
  }
  assert.equal(a.drivers.length, 500);
  assert.ok(a.vehicles.car.every((car, i) => car.driverId === i && (car.seats === 4 || car.seats === 7)));
  assert.equal(a.shifts.length, 500 * 6 * (HISTORY_WEEKS + 1), 'this week and the history weeks');
  assert.equal(a.shifts.filter((s) => s.week === 0 && s.driverId === 42).length, 6);
});

test('findNearestVehicles: the closest vehicles first, same as a brute-force sort; flat batteries skipped', async () => {
  const fleet = generateFleet('us-east', 3_000);
  const pickup = { lat: 40.73, lon: -73.99 };
  const nearest = await findNearestVehicles(fleet.vehicles.scooter, pickup, 50);
  const expected = fleet.vehicles.scooter
    .filter((v) => v.batteryPercent >= MIN_BATTERY_PERCENT)
    .map((v) => ({ id: v.id, d: haversineKm(pickup, v) }))
    .sort((x, y) => x.d - y.d || x.id.localeCompare(y.id))
    .slice(0, 50);
  assert.deepEqual(
    nearest.map((c) => c.vehicle.id),
    expected.map((e) => e.id),
  );
  const cars = await findNearestVehicles(fleet.vehicles.car, pickup, 10_000);
  assert.equal(cars.length, 3_000, 'cars have no battery filter');
});

test('travel time: walking is slower than driving, and a longer trip takes longer', () => {
  const from = { lat: 59.33, lon: 18.06 };
  const near = { lat: 59.335, lon: 18.06 };
  const far = { lat: 59.36, lon: 18.06 };
  const noon = 12 * 60;
  assert.ok(estimateTravelSeconds(from, near, 'walk', noon) > estimateTravelSeconds(from, near, 'car', noon));
  assert.ok(estimateTravelSeconds(from, far, 'car', noon) > estimateTravelSeconds(from, near, 'car', noon));
  assert.ok(
    estimateTravelSeconds(from, far, 'car', 8.5 * 60) > estimateTravelSeconds(from, far, 'car', 3 * 60),
  );
});
