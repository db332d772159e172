/**
 * A small closed-loop load generator for the tests: `concurrency` workers send requests back to back over
 * keep-alive connections until `total` were sent (or `until()` says stop), recording each answer's status,
 * latency and the time it was sent. Loopback only.
 */
import http from 'node:http';

export interface Answer {
  path: string;
  /** HTTP status, or 0 when the request failed without an answer. */
  status: number;
  error?: string;
  body: string;
  sentAt: number;
  latencyMs: number;
}

export interface LoadOptions {
  baseUrl: string;
  /** Path (with query) of the i-th request. */
  path: (i: number) => string;
  total: number;
  concurrency: number;
  headers?: (i: number) => Record<string, string>;
  /** Checked before each request: true stops the worker. */
  until?: () => boolean;
  /** Per-request deadline (default 10 s). */
  timeoutMs?: number;
  /** Called with each answer as it arrives. */
  onAnswer?: (answer: Answer) => void;
}

export async function runLoad(options: LoadOptions): Promise<Answer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const answers: Answer[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.total && !(options.until?.() ?? false)) {
      const i = next++;
      const answer = await request(
        options.baseUrl,
        options.path(i),
        options.headers?.(i) ?? {},
        agent,
        options.timeoutMs ?? 10_000,
      );
      answers.push(answer);
      options.onAnswer?.(answer);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return answers;
}

export function request(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
  agent: http.Agent | false = false,
  timeoutMs = 10_000,
): Promise<Answer> {
  const sentAt = Date.now();
  const started = performance.now();
  return new Promise<Answer>((resolve) => {
    const done = (status: number, body: string, error?: string): void =>
      resolve({
        path,
        status,
        body,
        sentAt,
        latencyMs: performance.now() - started,
        ...(error && { error }),
      });
    const req = http.request(`${baseUrl}${path}`, { headers, agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done(res.statusCode ?? 0, body));
      res.on('error', (error) => done(0, body, error.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => done(0, '', error.message));
    req.end();
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** New York, the us-east region's city (apps/rideshare/src/regions.ts). */
const CENTRE = { lat: 40.7128, lon: -74.006 };

/**
 * Order paths the rideshare API accepts, cycling through the three vehicles, each from a different pickup
 * point spread evenly over a 10 km disc around the centre (the fleet covers 12 km): bikes and scooters stay
 * reserved for 10 minutes, so thousands of orders from one point would use up the vehicles near it (503).
 */
export function orderPath(i: number): string {
  const pickup = pickupPoint(i);
  return [`/bike?pickup=${pickup}`, `/scooter?pickup=${pickup}`, carPath(pickup)][i % 3]!;
}

/** Car orders only, from the same spread of pickups: cars are never reserved, so they cannot run out. */
export function carOrderPath(i: number): string {
  return carPath(pickupPoint(i));
}

const carPath = (pickup: string) => `/car?passengers=2&pickup=${pickup}`;

function pickupPoint(i: number): string {
  const angle = i * 2.399963; // golden angle
  const km = 10 * Math.sqrt(((i * 7919) % 10_007) / 10_007);
  const lat = CENTRE.lat + (km * Math.sin(angle)) / 111.32;
  const lon = CENTRE.lon + (km * Math.cos(angle)) / (111.32 * Math.cos((CENTRE.lat * Math.PI) / 180));
  return `${lat.toFixed(5)},${lon.toFixed(5)}`;
}
