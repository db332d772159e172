// The ingestion rate limiter both servers use: dskit's `limiter.RateLimiter`, one `golang.org/x/time/rate`
// token bucket per tenant. The bucket starts full (`burst` tokens), refills at `ratePerSecond`, and
// `AllowN(now, n)` takes n tokens only when they are all there; n larger than the burst is never allowed.
// Tokens are bytes here.

export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  /** Would `n` tokens be granted at `now`? (Nothing is taken.) */
  allows(now: number, n: number): boolean {
    if (this.ratePerSecond === Infinity) return true;
    return n <= this.burst && this.#advance(now) >= n;
  }

  /** Takes `n` tokens at `now` (after `allows` said yes). */
  take(now: number, n: number): void {
    if (this.ratePerSecond === Infinity) return;
    this.#tokens = this.#advance(now) - n;
    this.#last = Math.max(this.#last, now);
  }

  #advance(now: number): number {
    const elapsedSeconds = Math.max(0, now - this.#last) / 1000;
    return Math.min(this.burst, this.#tokens + elapsedSeconds * this.ratePerSecond);
  }
}

/** One bucket per tenant, created full on first use. */
export class TenantRateLimiter {
  #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {}

  bucket(tenant: string, now: number): TokenBucket {
    let bucket = this.#buckets.get(tenant);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.ratePerSecond, this.burst, now);
      this.#buckets.set(tenant, bucket);
    }
    return bucket;
  }

  clear(): void {
    this.#buckets.clear();
  }
}
