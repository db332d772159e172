import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildDriverScheduleIndex,
  checkDriverAvailability,
  minutesLeftOnShift,
  minuteOfWeekUtc,
  rebuildDriverScheduleIndex,
  type DriverRoster,
} from '../src/driver-availability.js';
import { findNearestVehicles } from '../src/find-nearest-vehicle.js';
import { generateFleet } from '../src/fleet.js';
import { checkBikeAvailability, checkScooterAvailability } from '../src/micromobility-availability.js';
import { ReservationLog } from '../src/reservation-log.js';
import { isScheduleCacheBypassed } from '../src/slowdown.js';

const fleet = generateFleet('eu-north', 4_000);
const roster: DriverRoster = {
  drivers: fleet.drivers,
  shifts: fleet.shifts,
  scheduleIndex: buildDriverScheduleIndex(fleet.shifts),
};
const pickup = { lat: 59.33, lon: 18.07 };
// a Wednesday 14:00 UTC
const at = new Date(Date.UTC(2026, 0, 7, 14, 0));

test('minute of week counts from Monday 00:00 UTC', () => {
  assert.equal(minuteOfWeekUtc(new Date(Date.UTC(2026, 0, 5, 0, 0))), 0); // a Monday
  assert.equal(minuteOfWeekUtc(at), 2 * 1440 + 14 * 60);
  assert.equal(minuteOfWeekUtc(new Date(Date.UTC(2026, 0, 11, 23, 59))), 7 * 1440 - 1); // Sunday
});

test('minutes left on shift, including a shift that runs past the end of the week', () => {
  const shifts = [
    { driverId: 1, week: 0, start: 600, end: 1080 },
    { driverId: 1, week: 0, start: 10_000, end: 10_200 },
  ];
  assert.equal(minutesLeftOnShift(shifts, 700), 380);
  assert.equal(minutesLeftOnShift(shifts, 1080), 0);
  assert.equal(minutesLeftOnShift(shifts, 10_050), 150);
  assert.equal(minutesLeftOnShift(shifts, 20), 100, 'Monday 00:20 is inside Sunday night’s shift');
});

test('the slow rebuild finds the same schedules as the index', async () => {
  const ids = [0, 17, 999, 3_999];
  const rebuilt = await rebuildDriverScheduleIndex(ids, fleet.shifts);
  for (const id of ids) assert.deepEqual(rebuilt.get(id), roster.scheduleIndex.get(id));
  assert.equal(roster.scheduleIndex.get(17)?.length, 6);
});

test('checkDriverAvailability picks an on-shift driver with the seats; same answer with the cache bypassed', async () => {
  const candidates = await findNearestVehicles(fleet.vehicles.car, pickup, 300);
  for (const passengers of [1, 5]) {
    const request = { pickup, passengers, at, scheduleCacheBypassed: false };
    const match = await checkDriverAvailability(candidates, roster, request);
    assert.ok(match, `a driver for ${passengers}`);
    assert.ok(match.vehicle.seats >= passengers);
    assert.ok(minutesLeftOnShift(roster.scheduleIndex.get(match.driver.id)!, minuteOfWeekUtc(at)) >= 30);
    assert.ok(match.etaSeconds > 0);
    const slow = await checkDriverAvailability(candidates, roster, {
      ...request,
      scheduleCacheBypassed: true,
    });
    assert.deepEqual(slow, match);
  }
  const offShift: DriverRoster = { ...roster, scheduleIndex: new Map() };
  assert.equal(
    await checkDriverAvailability(candidates, offShift, {
      pickup,
      passengers: 1,
      at,
      scheduleCacheBypassed: false,
    }),
    undefined,
  );
});

test('the bypassed schedule cache costs several times the CPU of the cached path', async () => {
  const big = generateFleet('eu-north', 5_000);
  const bigRoster = {
    drivers: big.drivers,
    shifts: big.shifts,
    scheduleIndex: buildDriverScheduleIndex(big.shifts),
  };
  const candidates = await findNearestVehicles(big.vehicles.car, pickup, 300);
  const time = async (bypassed: boolean): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await checkDriverAvailability(candidates, bigRoster, {
        pickup,
        passengers: 1,
        at,
        scheduleCacheBypassed: bypassed,
      });
      samples.push(performance.now() - started);
    }
    return samples.sort((a, b) => a - b)[2]!;
  };
  await time(false);
  const cached = await time(false);
  const bypassed = await time(true);
  assert.ok(bypassed > 3 * cached, `bypassed ${bypassed.toFixed(1)} ms vs cached ${cached.toFixed(1)} ms`);
});

test('bikes and scooters: the nearest unreserved one, and scooters need charge', async () => {
  const reservations = new ReservationLog(100);
  const bikes = await findNearestVehicles(fleet.vehicles.bike, pickup, 20);
  const first = await checkBikeAvailability(bikes, reservations, pickup, at);
  assert.equal(first?.vehicle.id, bikes[0]!.vehicle.id);
  const second = await checkBikeAvailability(bikes, reservations, pickup, at);
  assert.equal(second?.vehicle.id, bikes[1]!.vehicle.id, 'the first bike is now reserved');
  const later = new Date(at.getTime() + 11 * 60_000);
  assert.equal(
    (await checkBikeAvailability(bikes, reservations, pickup, later))?.vehicle.id,
    bikes[0]!.vehicle.id,
  );

  const scooters = await findNearestVehicles(fleet.vehicles.scooter, pickup, 50);
  const scooter = await checkScooterAvailability(scooters, new ReservationLog(10), pickup, at);
  assert.ok(scooter && scooter.vehicle.batteryPercent >= 30);
  assert.equal(await checkScooterAvailability([], new ReservationLog(10), pickup, at), undefined);
});

test('the reservation log keeps at most its capacity, dropping the oldest', () => {
  const log = new ReservationLog(3);
  for (const id of ['a', 'b', 'c', 'd']) log.reserve(id, at);
  assert.equal(log.size, 3);
  assert.equal(log.isReserved('a', at), false);
  assert.equal(log.isReserved('d', at), true);
});

test('periodic slowness: slow in every other window of SLOW_PERIOD_SECONDS', () => {
  const period = 60;
  assert.equal(isScheduleCacheBypassed('periodic', period, 0), false);
  assert.equal(isScheduleCacheBypassed('periodic', period, 59_999), false);
  assert.equal(isScheduleCacheBypassed('periodic', period, 60_000), true);
  assert.equal(isScheduleCacheBypassed('periodic', period, 119_999), true);
  assert.equal(isScheduleCacheBypassed('periodic', period, 120_000), false);
  assert.equal(isScheduleCacheBypassed('always', period, 0), true);
  assert.equal(isScheduleCacheBypassed('never', period, 60_000), false);
});
