/**
 * Route planning, the rider's app's own work before it asks for a vehicle: shortest paths across a street
 * grid under several traffic scenarios, until the computation budget is used. The work runs in slices with a
 * pause between them, so concurrent orders interleave. The fare is quoted for the result (fare-estimate.ts).
 */
import { setImmediate } from 'node:timers/promises';

export interface PlannedRoute {
  /** Grid nodes of the pickup and the destination. */
  from: number;
  to: number;
  /** Travel time of the best route found, in minutes. */
  minutes: number;
  distanceKm: number;
  scenariosEvaluated: number;
}

const GRID = 40;
const BLOCK_KM = 0.2;
const SLICE_MS = 5;

export interface Traffic {
  east: Float64Array;
  south: Float64Array;
}

/**
 * Arrays every scenario reuses. A typed array over 64 bytes lives outside the JS heap, in memory V8 gets
 * from malloc; four fresh ones per scenario, thousands of scenarios a second, kept the allocator churning
 * and the process's RSS growing over the hours. Each scenario runs start to end without yielding, so no two
 * of them (concurrent orders, the fare quote) ever use these at once.
 */
const scratch = {
  traffic: { east: new Float64Array(GRID * GRID), south: new Float64Array(GRID * GRID) } as Traffic,
  minutes: new Float64Array(GRID * GRID),
  hops: new Int32Array(GRID * GRID),
  // each push follows a relaxed edge: at most 4 per node, plus the start
  heap: { nodes: new Int32Array(4 * GRID * GRID + 1), costs: new Float64Array(4 * GRID * GRID + 1), size: 0 },
};

/** Plans until `budgetMs` of computation (time on the thread, waits excluded) has been spent. */
export async function planRoute(budgetMs: number, random: () => number = Math.random): Promise<PlannedRoute> {
  const from = Math.floor(random() * GRID * GRID);
  const to = Math.floor(random() * GRID * GRID);
  let best = { minutes: Infinity, hops: 0 };
  let spent = 0;
  let scenarios = 0;
  do {
    const started = performance.now();
    const slice = evaluateRouteAlternatives(from, to, Math.min(SLICE_MS, budgetMs - spent), random);
    spent += performance.now() - started;
    scenarios += slice.scenarios;
    if (slice.best.minutes < best.minutes) best = slice.best;
    await setImmediate();
  } while (spent < budgetMs);
  return { from, to, minutes: best.minutes, distanceKm: best.hops * BLOCK_KM, scenariosEvaluated: scenarios };
}

/** Shortest paths under fresh traffic scenarios for about `sliceMs`; at least one. */
function evaluateRouteAlternatives(
  from: number,
  to: number,
  sliceMs: number,
  random: () => number,
): { best: { minutes: number; hops: number }; scenarios: number } {
  const deadline = performance.now() + sliceMs;
  let best = { minutes: Infinity, hops: 0 };
  let scenarios = 0;
  do {
    const route = shortestPath(trafficScenario(random), from, to);
    scenarios++;
    if (route.minutes < best.minutes) best = route;
  } while (performance.now() < deadline);
  return { best, scenarios };
}

/**
 * Minutes to cross each block, eastward and southward, for one guess at the traffic: written into the
 * shared scratch arrays (valid until the next scenario) unless `into` is given.
 */
export function trafficScenario(random: () => number, into: Traffic = scratch.traffic): Traffic {
  const { east, south } = into;
  for (let i = 0; i < east.length; i++) {
    east[i] = 0.3 + random() * 1.2;
    south[i] = 0.3 + random() * 1.2;
  }
  return into;
}

/**
 * Dijkstra over the street grid, with a binary heap. Allocates nothing: the heap and the per-node arrays
 * are the scratch ones. It used to allocate a neighbour list per visited node and a tuple per heap pop,
 * some 60 MB/s of garbage at the demo's load, enough for V8 to grow the young generation to its cap
 * (+15 MB of RSS after two minutes).
 */
export function shortestPath(traffic: Traffic, from: number, to: number): { minutes: number; hops: number } {
  const minutes = scratch.minutes.fill(Infinity);
  const hops = scratch.hops.fill(0);
  const heap = scratch.heap;
  heap.size = 0;
  minutes[from] = 0;
  heapPush(heap, from, 0);
  while (heap.size > 0) {
    const cost = heap.costs[0]!;
    const node = heapPop(heap);
    if (node === to) break;
    if (cost > minutes[node]!) continue;
    const x = node % GRID;
    const y = (node - x) / GRID;
    if (x + 1 < GRID) relax(heap, minutes, hops, node, node + 1, cost + traffic.east[node]!);
    if (x > 0) relax(heap, minutes, hops, node, node - 1, cost + traffic.east[node - 1]!);
    if (y + 1 < GRID) relax(heap, minutes, hops, node, node + GRID, cost + traffic.south[node]!);
    if (y > 0) relax(heap, minutes, hops, node, node - GRID, cost + traffic.south[node - GRID]!);
  }
  return { minutes: minutes[to]!, hops: hops[to]! };
}

function relax(
  heap: MinHeap,
  minutes: Float64Array,
  hops: Int32Array,
  node: number,
  next: number,
  candidate: number,
): void {
  if (candidate < minutes[next]!) {
    minutes[next] = candidate;
    hops[next] = hops[node]! + 1;
    heapPush(heap, next, candidate);
  }
}

/** A binary min-heap of (node, cost) in two typed arrays; a node may be in it more than once. */
interface MinHeap {
  nodes: Int32Array;
  costs: Float64Array;
  size: number;
}

function heapPush(heap: MinHeap, node: number, cost: number): void {
  const { nodes, costs } = heap;
  let i = heap.size++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (costs[parent]! <= cost) break;
    nodes[i] = nodes[parent]!;
    costs[i] = costs[parent]!;
    i = parent;
  }
  nodes[i] = node;
  costs[i] = cost;
}

/** Removes the cheapest entry and returns its node. */
function heapPop(heap: MinHeap): number {
  const { nodes, costs } = heap;
  const top = nodes[0]!;
  const size = --heap.size;
  if (size === 0) return top;
  const lastNode = nodes[size]!;
  const lastCost = costs[size]!;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && costs[right]! < costs[left]! ? right : left;
    if (costs[child]! >= lastCost) break;
    nodes[i] = nodes[child]!;
    costs[i] = costs[child]!;
    i = child;
  }
  nodes[i] = lastNode;
  costs[i] = lastCost;
  return top;
}
