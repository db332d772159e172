export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in 0..1) of the values; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function round(n: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A small seeded generator (mulberry32), so that a bootstrap gives the same interval for the same data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * A 95% percentile-bootstrap interval of `statistic` over rounds grouped in clusters (here: the app
 * processes the rounds were measured in). Each resample draws clusters with replacement, then rounds with
 * replacement within each drawn cluster, so that what a process carries through all its rounds (its memory
 * layout, what V8 compiled, where it was scheduled) counts in the interval as well as what varies from round
 * to round. Resampling rounds alone treats a process's lasting offset as known, and the interval comes out
 * narrow around a biased ratio. With one cluster this is the plain bootstrap over rounds. `clusters` holds
 * the round indices of each cluster; the statistic gets the chosen indices.
 */
export function clusteredBootstrapInterval(
  clusters: readonly (readonly number[])[],
  statistic: (rounds: readonly number[]) => number,
  iterations = 2000,
  seed = 1,
): Interval {
  const nonEmpty = clusters.filter((c) => c.length > 0);
  if (nonEmpty.length === 0) return { low: NaN, high: NaN };
  const random = seededRandom(seed);
  const pickFrom = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const values: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const rounds: number[] = [];
    for (let c = 0; c < nonEmpty.length; c++) {
      const cluster = pickFrom(nonEmpty);
      for (let k = 0; k < cluster.length; k++) rounds.push(pickFrom(cluster));
    }
    values.push(statistic(rounds));
  }
  return { low: quantile(values, 0.025), high: quantile(values, 0.975) };
}
