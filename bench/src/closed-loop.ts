/**
 * A small closed-loop load: `paths.length` workers, worker i requests `paths[i]` again and again over
 * its own keep-alive connection, each new request only after the previous answer. So exactly
 * `paths.length` requests are in flight, and requests of one worker never overlap in time.
 */
import http from 'node:http';

export interface ClosedLoopResult {
  /** Completed requests per worker. */
  completed: number[];
  /** Non-2xx answers and transport errors. */
  errors: number;
  durationMs: number;
}

export async function closedLoop(options: {
  port: number;
  paths: readonly string[];
  durationMs: number;
}): Promise<ClosedLoopResult> {
  const { port, paths, durationMs } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: paths.length });
  const stopAt = performance.now() + durationMs;
  const started = performance.now();
  let errors = 0;
  const completed = await Promise.all(
    paths.map(async (path) => {
      let done = 0;
      while (performance.now() < stopAt) {
        const status = await get(agent, port, path).catch(() => 0);
        if (status >= 200 && status < 300) done++;
        else errors++;
      }
      return done;
    }),
  );
  agent.destroy();
  return { completed, errors, durationMs: performance.now() - started };
}

function get(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
