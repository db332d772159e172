import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateFare, percentile, priceTrip } from '../src/fare-estimate.js';
import type { PlannedRoute } from '../src/route-planning.js';

const GRID = 40;
const route: PlannedRoute = {
  from: 0,
  to: 39 * GRID + 39,
  minutes: 60,
  distanceKm: 15.6,
  scenariosEvaluated: 1,
};

test('priceTrip: base + distance + time, with the booking fee', () => {
  assert.equal(priceTrip(0, 0), 2.75);
  assert.equal(priceTrip(10, 20), Math.round((2.5 + 11 + 7) * 1.1 * 100) / 100);
});

test('estimateFare quotes the 90th percentile of sampled trip times, for its budget, yielding between slices', async () => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const started = performance.now();
  const quote = await estimateFare(route, 40);
  const elapsed = performance.now() - started;
  clearInterval(ticker);
  assert.ok(elapsed >= 40, `took ${elapsed} ms`);
  assert.ok(quote.samples > 1);
  assert.ok(ticks >= 2, `timers ran ${ticks} times while estimating: the work yields`);
  assert.equal(quote.fare, priceTrip(route.distanceKm, quote.quotedMinutes));
  // every block takes 0.3–1.5 min under a sampled traffic: a corner-to-corner trip (78 blocks) lies between
  assert.ok(quote.quotedMinutes >= 78 * 0.3 && quote.quotedMinutes <= 78 * 1.5, `${quote.quotedMinutes}`);
  assert.equal((await estimateFare(route, 0)).samples, 1, 'one sample at least');
});

test('percentile: nearest rank, so at most a tenth of the samples exceed the 90th', () => {
  assert.equal(percentile([5], 0.9), 5);
  assert.equal(percentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.9), 9);
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(hundred, 0.9), 90);
  assert.equal(hundred.filter((v) => v > percentile(hundred, 0.9)).length, 10);
});
