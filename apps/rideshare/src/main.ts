/**
 * The rideshare service, one process per region. Telemetry starts first; express and the app's own
 * modules are imported after it, so that OpenTelemetry can instrument them.
 */
import { startTelemetry } from '@rideshare/profiling-tracing';
import { loadConfigOrExit } from './config.js';

const config = loadConfigOrExit(process.env);
const telemetry = await startTelemetry({ serviceName: 'rideshare', region: config.region });

const { startServer } = await import('./server.js');
try {
  const server = await startServer(config, telemetry.logger);
  telemetry.beforeShutdown(() => server.close());
} catch (error) {
  telemetry.logger.fatal({ err: error, port: config.port }, 'rideshare cannot start');
  await telemetry.shutdown();
  process.exit(1);
}
