/**
 * The rideshare service, one process per region. Telemetry starts first; express and the app's own
 * modules are imported after it, so that OpenTelemetry can instrument them. This file owns the process:
 * a bad variable is one line on stderr and exit 1; SIGTERM/SIGINT close the server (in-flight orders
 * finish), flush telemetry and exit 0.
 */
import { ConfigError, startTelemetry, type Telemetry } from '@rideshare/profiling-tracing';
import { loadConfig, type RideshareConfig } from './config.js';

let config: RideshareConfig;
let telemetry: Telemetry;
try {
  config = loadConfig(process.env);
  telemetry = await startTelemetry({ serviceName: 'rideshare', region: config.region });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const { startServer } = await import('./server.js');
try {
  const server = await startServer(config, telemetry.logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void telemetry.shutdown(signal, () => server.close()).then(() => process.exit(0));
    });
  }
} catch (error) {
  telemetry.logger.fatal({ err: error, port: config.port }, 'rideshare cannot start');
  await telemetry.shutdown('start-up failed');
  process.exit(1);
}
