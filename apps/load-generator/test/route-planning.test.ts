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

/** Dijkstra without a heap (pick the cheapest unvisited node each time): slow, plainly right. */
function referenceMinutes(traffic: { east: Float64Array; south: Float64Array }, from: number): Float64Array {
  const n = GRID * GRID;
  const minutes = new Float64Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  minutes[from] = 0;
  for (;;) {
    let node = -1;
    for (let i = 0; i < n; i++) if (!done[i] && (node === -1 || minutes[i]! < minutes[node]!)) node = i;
    if (node === -1 || minutes[node] === Infinity) return minutes;
    done[node] = 1;
    const x = node % GRID;
    const edges: [number, number][] = [];
    if (x + 1 < GRID) edges.push([node + 1, traffic.east[node]!]);
    if (x > 0) edges.push([node - 1, traffic.east[node - 1]!]);
    if (node + GRID < n) edges.push([node + GRID, traffic.south[node]!]);
    if (node - GRID >= 0) edges.push([node - GRID, traffic.south[node - GRID]!]);
    for (const [next, w] of edges) minutes[next] = Math.min(minutes[next]!, minutes[node]! + w);
  }
}

test('shortestPath agrees with a plain Dijkstra on random traffic, one scenario after another', () => {
  let seed = 11;
  const random = (): number => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  for (let scenario = 0; scenario < 5; scenario++) {
    const traffic = trafficScenario(random, {
      east: new Float64Array(GRID * GRID),
      south: new Float64Array(GRID * GRID),
    });
    const from = Math.floor(random() * GRID * GRID);
    const expected = referenceMinutes(traffic, from);
    for (let k = 0; k < 40; k++) {
      const to = Math.floor(random() * GRID * GRID);
      const route = shortestPath(traffic, from, to);
      assert.ok(
        Math.abs(route.minutes - expected[to]!) < 1e-9,
        `${from} → ${to}: ${route.minutes} vs ${expected[to]}`,
      );
      const manhattan =
        Math.abs((from % GRID) - (to % GRID)) + Math.abs(Math.floor(from / GRID) - Math.floor(to / GRID));
      assert.ok(route.hops >= manhattan, `${from} → ${to}: ${route.hops} hops, at least ${manhattan}`);
    }
  }
});
