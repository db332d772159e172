/**
 * The bench's attribution classifier on synthetic decoded samples: right, wrong (another request, an
 * unknown span, a stale request of the same kind) and unlabelled, weighted by samples/count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedSample } from '@rideshare/test-receivers';
import {
  classifyAttribution,
  frameFunction,
  shares,
  type ProfileWindow,
  type RootSpan,
} from '../src/attribution.js';
import { CAR_ONLY_FUNCTIONS, workerPaths } from '../src/attribution-run.js';

const CAR_1 = 'aaaaaaaaaaaaaaa1';
const CAR_OLD = 'aaaaaaaaaaaaaaa0';
const BIKE = 'bbbbbbbbbbbbbbb1';
const CHILD_OF_BIKE = 'cccccccccccccc01';

const roots: RootSpan[] = [
  { spanId: CAR_OLD, name: 'CarHandler', startMicros: 0, durationMicros: 100_000 },
  { spanId: CAR_1, name: 'CarHandler', startMicros: 5_000_000, durationMicros: 800_000 },
  { spanId: BIKE, name: 'BikeHandler', startMicros: 5_100_000, durationMicros: 20_000 },
];
const known = new Set([CAR_OLD, CAR_1, BIKE, CHILD_OF_BIKE]);

function sample(stack: string[], spanId: string | undefined, count = 1): DecodedSample {
  return {
    stack,
    values: { 'samples/count': count, 'wall/nanoseconds': count * 1_000_000 },
    labels: spanId === undefined ? {} : { span_id: spanId, span_name: 'x' },
    numLabels: {},
  };
}

const carStack = [
  './dist/src/driver-availability.js:scanShiftTableForDriver:40',
  './dist/src/driver-availability.js:rebuildDriverScheduleIndex:30',
];
const bikeStack = ['./dist/src/find-nearest-vehicle.js:measureDistances:18'];

test('frame names from uploaded profiles are reduced to the function name', () => {
  assert.equal(frameFunction('./dist/src/driver-availability.js:scoreDrivers:64'), 'scoreDrivers');
  assert.equal(frameFunction(':Garbage Collection:0'), 'Garbage Collection');
  assert.equal(frameFunction('scoreDrivers'), 'scoreDrivers');
});

test('samples in the car-only functions are classified right, wrong or unlabelled, by weight', () => {
  const window: ProfileWindow = {
    startMicros: 5_000_000,
    endMicros: 6_000_000,
    samples: [
      sample(carStack, CAR_1, 90), // right: the car request running during this profile
      sample(carStack, BIKE, 3), // wrong: another request in flight
      sample(carStack, 'ffffffffffffffff', 2), // wrong: no exported span has this id
      sample(carStack, CAR_OLD, 1), // wrong: a car request that had ended long before this profile
      sample(carStack, CHILD_OF_BIKE, 1), // wrong: a known span, but not a local root
      sample(carStack, undefined, 3), // unlabelled
      sample(bikeStack, BIKE, 500), // not in a work function: not counted
      sample(bikeStack, undefined, 500),
    ],
  };
  const result = classifyAttribution([window], roots, known, {
    workFunctions: CAR_ONLY_FUNCTIONS,
    rootName: 'CarHandler',
  });
  assert.deepEqual(result, {
    right: 90,
    wrong: 7,
    unlabelled: 3,
    samples: 100,
    wrongBreakdown: { otherRequest: 4, unknownSpan: 2, stale: 1 },
  });
  assert.deepEqual(shares(result), { right: 0.9, wrong: 0.07, unlabelled: 0.03 });
});

test('a span that overlaps the profile window only within the slack still counts as running', () => {
  const window: ProfileWindow = {
    startMicros: 5_820_000, // CAR_1 ended at 5_800_000, 20 ms before this profile started
    endMicros: 6_820_000,
    samples: [sample(carStack, CAR_1, 4)],
  };
  const options = { workFunctions: CAR_ONLY_FUNCTIONS, rootName: 'CarHandler' };
  assert.equal(classifyAttribution([window], roots, known, options).right, 4);
  assert.equal(
    classifyAttribution([window], roots, known, { ...options, slackMicros: 0 }).wrongBreakdown.stale,
    4,
  );
});

test('no samples in the work functions gives zero shares, not NaN', () => {
  const result = classifyAttribution([{ startMicros: 0, endMicros: 1, samples: [] }], roots, known, {
    workFunctions: CAR_ONLY_FUNCTIONS,
    rootName: 'CarHandler',
  });
  assert.deepEqual(shares(result), { right: 0, wrong: 0, unlabelled: 0 });
});

test('the load has exactly one car worker at every concurrency', () => {
  for (const n of [1, 8, 32]) {
    const paths = workerPaths(n);
    assert.equal(paths.length, n);
    assert.equal(paths.filter((p) => p === '/car').length, 1);
  }
});
