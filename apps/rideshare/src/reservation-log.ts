/**
 * Recent bike and scooter reservations, newest last, at most `capacity` of them (the oldest drop off).
 * Unindexed on purpose: it is small, and a scan is what the real system does.
 */
export interface Reservation {
  vehicleId: string;
  untilMs: number;
}

export const RESERVATION_MINUTES = 10;

export class ReservationLog {
  #entries: Reservation[] = [];
  #next = 0;

  constructor(private readonly capacity: number) {}

  reserve(vehicleId: string, at: Date): void {
    const entry = { vehicleId, untilMs: at.getTime() + RESERVATION_MINUTES * 60_000 };
    if (this.#entries.length < this.capacity) this.#entries.push(entry);
    else this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
  }

  isReserved(vehicleId: string, at: Date): boolean {
    const now = at.getTime();
    for (const entry of this.#entries) if (entry.vehicleId === vehicleId && entry.untilMs > now) return true;
    return false;
  }

  get size(): number {
    return this.#entries.length;
  }
}
