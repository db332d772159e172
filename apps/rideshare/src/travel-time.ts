/**
 * Traffic-aware travel time: the route is walked in short segments and each segment's speed depends on
 * congestion at that place and time of day (rush hours, a slower city centre).
 */
import { haversineKm, interpolate } from './geo.js';
import type { LatLon } from './regions.js';

const SEGMENT_KM = 0.01;
export type TravelMode = 'walk' | 'car';

const FREE_FLOW_KMH: Record<TravelMode, number> = { walk: 5, car: 40 };

export function estimateTravelSeconds(
  from: LatLon,
  to: LatLon,
  mode: TravelMode,
  minuteOfDay: number,
): number {
  const distanceKm = haversineKm(from, to);
  const segments = Math.max(1, Math.ceil(distanceKm / SEGMENT_KM));
  const segmentKm = distanceKm / segments;
  let hours = 0;
  for (let i = 0; i < segments; i++) {
    const at = interpolate(from, to, (i + 0.5) / segments);
    hours += segmentKm / (FREE_FLOW_KMH[mode] * congestionFactor(at, minuteOfDay, mode));
  }
  return Math.round(hours * 3600);
}

/** 1 = free flow, lower = slower: crowded pavements for walkers; rush hours and a dense grid of slow streets for cars. */
function congestionFactor(at: LatLon, minuteOfDay: number, mode: TravelMode): number {
  if (mode === 'walk') return 0.9 + 0.1 * Math.cos(at.lat * 500);
  const hour = minuteOfDay / 60;
  const rushHour = Math.exp(-((hour - 8.5) ** 2) / 2) + Math.exp(-((hour - 17.5) ** 2) / 2);
  const streets = 0.5 + 0.5 * Math.abs(Math.sin(at.lat * 900) * Math.cos(at.lon * 900));
  return Math.max(0.15, (1 - 0.6 * rushHour) * (0.4 + 0.6 * streets));
}
