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

/** Dijkstra over the street grid, with a binary heap. */
export function shortestPath(traffic: Traffic, from: number, to: number): { minutes: number; hops: number } {
  const minutes = scratch.minutes.fill(Infinity);
  const hops = scratch.hops.fill(0);
  const heap = new MinHeap();
  minutes[from] = 0;
  heap.push(from, 0);
  while (heap.size > 0) {
    const [node, cost] = heap.pop();
    if (node === to) break;
    if (cost > minutes[node]!) continue;
    const x = node % GRID;
    const y = Math.floor(node / GRID);
    const neighbours: [number, number][] = [];
    if (x + 1 < GRID) neighbours.push([node + 1, traffic.east[node]!]);
    if (x > 0) neighbours.push([node - 1, traffic.east[node - 1]!]);
    if (y + 1 < GRID) neighbours.push([node + GRID, traffic.south[node]!]);
    if (y > 0) neighbours.push([node - GRID, traffic.south[node - GRID]!]);
    for (const [next, weight] of neighbours) {
      const candidate = cost + weight;
      if (candidate < minutes[next]!) {
        minutes[next] = candidate;
        hops[next] = hops[node]! + 1;
        heap.push(next, candidate);
      }
    }
  }
  return { minutes: minutes[to]!, hops: hops[to]! };
}

class MinHeap {
  #nodes: number[] = [];
  #costs: number[] = [];

  get size(): number {
    return this.#nodes.length;
  }

  push(node: number, cost: number): void {
    this.#nodes.push(node);
    this.#costs.push(cost);
    let i = this.#nodes.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#costs[parent]! <= cost) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.#nodes[0]!, this.#costs[0]!];
    const lastNode = this.#nodes.pop()!;
    const lastCost = this.#costs.pop()!;
    if (this.#nodes.length > 0) {
      this.#nodes[0] = lastNode;
      this.#costs[0] = lastCost;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.#nodes.length && this.#costs[left]! < this.#costs[smallest]!) smallest = left;
        if (right < this.#nodes.length && this.#costs[right]! < this.#costs[smallest]!) smallest = right;
        if (smallest === i) break;
        this.#swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  #swap(a: number, b: number): void {
    [this.#nodes[a], this.#nodes[b]] = [this.#nodes[b]!, this.#nodes[a]!];
    [this.#costs[a], this.#costs[b]] = [this.#costs[b]!, this.#costs[a]!];
  }
}
