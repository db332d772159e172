/**
 * The fare quote for a planned route. The trip's duration depends on the traffic the car will meet, so the
 * quote times the trip under sampled traffic (a shortest path per sample) until the computation budget is
 * used, and prices the 90th percentile: the rider is rarely charged more than quoted. Like the planning, it
 * works in slices with a pause between them, so concurrent orders interleave.
 */
import { setImmediate } from 'node:timers/promises';
import { shortestPath, trafficScenario, type PlannedRoute } from './route-planning.js';

export interface FareQuote {
  /** In the rider's currency, two decimals. */
  fare: number;
  /** Trip minutes at the 90th percentile of the samples. */
  quotedMinutes: number;
  samples: number;
}

const SLICE_MS = 5;
const QUOTE_PERCENTILE = 0.9;

/** Samples trip times until `budgetMs` of computation (waits excluded); at least one sample. */
export async function estimateFare(
  route: PlannedRoute,
  budgetMs: number,
  random: () => number = Math.random,
): Promise<FareQuote> {
  const minutes: number[] = [];
  let spent = 0;
  do {
    const started = performance.now();
    const deadline = started + Math.min(SLICE_MS, budgetMs - spent);
    do minutes.push(sampleTripMinutes(route, random));
    while (performance.now() < deadline);
    spent += performance.now() - started;
    await setImmediate();
  } while (spent < budgetMs);
  const quotedMinutes = percentile(minutes, QUOTE_PERCENTILE);
  return { fare: priceTrip(route.distanceKm, quotedMinutes), quotedMinutes, samples: minutes.length };
}

/** The nearest-rank percentile (0 < p ≤ 1) of at least one value: no more than (1 − p) of them exceed it. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** The trip's minutes under one guess at the traffic. */
function sampleTripMinutes(route: PlannedRoute, random: () => number): number {
  return shortestPath(trafficScenario(random), route.from, route.to).minutes;
}

/** Base fare, per km, per minute, with a 10% booking fee; two decimals. */
export function priceTrip(distanceKm: number, minutes: number): number {
  const fare = (2.5 + 1.1 * distanceKm + 0.35 * minutes) * 1.1;
  return Math.round(fare * 100) / 100;
}
