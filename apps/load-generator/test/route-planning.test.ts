import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRoute, shortestPath, trafficScenario } from '../src/route-planning.js';

const GRID = 40;

test('shortestPath: with uniform traffic the route is the Manhattan distance', () => {
  const uniform = {
    east: new Float64Array(GRID * GRID).fill(1),
    south: new Float64Array(GRID * GRID).fill(1),
  };
  const from = 3 * GRID + 5; // (5, 3)
  const to = 20 * GRID + 30; // (30, 20)
  assert.deepEqual(shortestPath(uniform, from, to), { minutes: 25 + 17, hops: 42 });
  assert.deepEqual(shortestPath(uniform, from, from), { minutes: 0, hops: 0 });
});

test('shortestPath: goes around a jam', () => {
  const east = new Float64Array(GRID * GRID).fill(1);
  const south = new Float64Array(GRID * GRID).fill(1);
  east[0] = 100; // the block east of (0, 0) is jammed
  const route = shortestPath({ east, south }, 0, 2);
  assert.deepEqual(route, { minutes: 4, hops: 4 });
});

test('trafficScenario reuses its scratch arrays unless given its own; shortestPath is right on either', () => {
  let seed = 1;
  const random = (): number => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const shared = trafficScenario(random);
  assert.equal(trafficScenario(random), shared, 'no new arrays per scenario');
  const own = {
    east: new Float64Array(GRID * GRID),
    south: new Float64Array(GRID * GRID),
  };
  seed = 7;
  assert.equal(trafficScenario(random, own), own);
  seed = 7;
  trafficScenario(random);
  assert.deepEqual(shared, own, 'the same numbers either way');
  const viaScratch = shortestPath(shared, 0, GRID * GRID - 1);
  assert.deepEqual(shortestPath(own, 0, GRID * GRID - 1), viaScratch);
  assert.ok(viaScratch.hops >= 2 * (GRID - 1) && viaScratch.minutes > 0);
});

test('planRoute computes for its budget (waits excluded) and yields between slices', async () => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  const started = performance.now();
  const route = await planRoute(60);
  const elapsed = performance.now() - started;
  clearInterval(ticker);
  assert.ok(elapsed >= 60, `took ${elapsed} ms`);
  assert.ok(elapsed < 1_000, `took ${elapsed} ms`);
  assert.ok(route.scenariosEvaluated > 1);
  assert.ok(route.minutes >= 0);
  assert.equal(route.distanceKm > 0, route.from !== route.to, 'a route between two corners has a length');
  assert.ok(ticks >= 3, `timers ran ${ticks} times while planning: the work yields`);
  assert.ok((await planRoute(0)).scenariosEvaluated >= 1);
});
