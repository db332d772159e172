import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidParameterError, MAX_QUERY_LENGTH, parseOrderQuery } from '../src/order-query.js';
import { CITY_CENTRES } from '../src/regions.js';

const stockholm = CITY_CENTRES['eu-north'];

function rejection(
  vehicle: 'bike' | 'scooter' | 'car',
  query: string,
): { message: string; parameter: string | null } {
  try {
    parseOrderQuery(vehicle, query, stockholm);
  } catch (error) {
    assert.ok(error instanceof InvalidParameterError, String(error));
    return { message: error.message, parameter: error.parameter };
  }
  assert.fail(`expected ${vehicle}?${query} to be rejected`);
}

test('no parameters: one passenger, pickup chosen by the service', () => {
  assert.deepEqual(parseOrderQuery('car', '', stockholm), {
    vehicle: 'car',
    passengers: 1,
    pickup: undefined,
  });
});

test('valid passengers and pickup', () => {
  assert.deepEqual(parseOrderQuery('car', 'passengers=7&pickup=59.3293,18.0686', stockholm), {
    vehicle: 'car',
    passengers: 7,
    pickup: { lat: 59.3293, lon: 18.0686 },
  });
  assert.equal(parseOrderQuery('bike', 'passengers=1', stockholm).passengers, 1);
  assert.deepEqual(parseOrderQuery('scooter', 'pickup=59.33%2C18.07', stockholm).pickup, {
    lat: 59.33,
    lon: 18.07,
  });
});

test('passengers: 1..8 for a car, exactly 1 for a bike or scooter', () => {
  for (const bad of ['0', '9', '-1', '2.5', 'two', '', '1e1', '01x', '999']) {
    assert.equal(rejection('car', `passengers=${bad}`).parameter, 'passengers', bad);
  }
  assert.deepEqual(rejection('bike', 'passengers=2'), {
    message: 'must be 1: a bike carries one rider',
    parameter: 'passengers',
  });
  assert.equal(rejection('scooter', 'passengers=3').parameter, 'passengers');
});

test('pickup: "lat,lon" in range and inside the service area', () => {
  for (const bad of [
    '59.3',
    '59.3,18.0,1',
    'abc,def',
    '91,18',
    '59.3,181',
    ',',
    '59.3;18.0',
    'NaN,NaN',
    '1e2,3',
  ]) {
    assert.equal(rejection('car', `pickup=${encodeURIComponent(bad)}`).parameter, 'pickup', bad);
  }
  assert.match(rejection('car', 'pickup=40.7128,-74.006').message, /outside the service area/);
});

test('unknown, repeated and oversized parameters are rejected, naming the parameter', () => {
  assert.deepEqual(rejection('car', 'passenger=2'), {
    message: 'unknown query parameter (allowed: passengers, pickup)',
    parameter: 'passenger',
  });
  assert.deepEqual(rejection('car', 'passengers=1&passengers=2'), {
    message: 'given more than once',
    parameter: 'passengers',
  });
  assert.equal(rejection('car', `${'x'.repeat(100)}=1`).parameter, 'x'.repeat(40));
  assert.deepEqual(rejection('car', `pickup=${'1'.repeat(MAX_QUERY_LENGTH)}`), {
    message: `query string is too long (at most ${MAX_QUERY_LENGTH} characters)`,
    parameter: null,
  });
});

test('malformed percent-encoding does not throw anything but a 400', () => {
  assert.equal(rejection('car', 'passengers=%E0%A4%A').parameter, 'passengers');
  assert.equal(rejection('car', '%ZZ=1').parameter, '%ZZ');
});
