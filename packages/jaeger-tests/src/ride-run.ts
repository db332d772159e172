/**
 * One bounded run of the real apps as processes: two rideshare regions (us-east, eu-north) and the load
 * generator for a few seconds, sending spans with the given exporter and profiles to a Pyroscope stand-in
 * (so local roots get `pyroscope.profile.id`), Loki unset. The load generator stops itself (RUN_SECONDS),
 * then the regions get SIGTERM; each flushes its spans before it exits.
 */
import { fileURLToPath } from 'node:url';
import { getFreePort, startAppProcess, type AppProcess } from '@rideshare/test-receivers';

export interface RunOptions {
  /** OTEL_TRACES_EXPORTER and its endpoint variable. */
  exporterEnv: Record<string, string>;
  pyroscopeUrl: string;
  runSeconds?: number;
}

export interface RunResult {
  apps: AppProcess[];
  exitCodes: Map<string, number | null>;
  /** The load generator's totals from its `load generator stopped` line. */
  orders: { orders: number; ok: number; failed: number };
}

const main = (app: 'rideshare' | 'load-generator'): string =>
  fileURLToPath(import.meta.resolve(`@rideshare/${app}`));

export async function runApps({ exporterEnv, pyroscopeUrl, runSeconds = 4 }: RunOptions): Promise<RunResult> {
  const telemetry = {
    ...exporterEnv,
    PYROSCOPE_SERVER_ADDRESS: pyroscopeUrl,
    PYROSCOPE_FLUSH_INTERVAL_MS: '2000',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  const apps: AppProcess[] = [];
  const exitCodes = new Map<string, number | null>();
  try {
    const regions = await Promise.all(
      ['us-east', 'eu-north'].map(async (region) => {
        const port = await getFreePort();
        const app = startAppProcess(region, main('rideshare'), {
          ...telemetry,
          PORT: String(port),
          REGION: region,
          SLOW_MODE: 'never',
        });
        apps.push(app);
        await app.waitForRecord((r) => r.msg === 'rideshare listening', 20_000, 'listening record');
        return { app, url: `http://127.0.0.1:${port}` };
      }),
    );
    const loadGenerator = startAppProcess('load-generator', main('load-generator'), {
      ...telemetry,
      RIDESHARE_URLS: regions.map((r) => r.url).join(','),
      CONCURRENCY: '2',
      ORDER_CPU_MS: '20',
      ORDER_PAUSE_MS: '100',
      RUN_SECONDS: String(runSeconds),
    });
    apps.push(loadGenerator);
    // RUN_SECONDS: it stops placing orders, waits for the ones in flight, flushes and exits
    const stopped = await loadGenerator.waitForRecord(
      (r) => r.msg === 'load generator stopped',
      (runSeconds + 30) * 1000,
      '"load generator stopped" line',
    );
    exitCodes.set(loadGenerator.name, await loadGenerator.stop(20_000));
    for (const { app } of regions) exitCodes.set(app.name, await app.stop(20_000));
    return {
      apps,
      exitCodes,
      orders: {
        orders: Number(stopped['orders']),
        ok: Number(stopped['ok']),
        failed: Number(stopped['failed']),
      },
    };
  } finally {
    for (const app of apps) app.kill();
  }
}
