/**
 * The load generator: riders ordering vehicles from the rideshare regions, CONCURRENCY at a time.
 * Telemetry starts first; the app's own modules are imported after it.
 */
import { startTelemetry } from '@rideshare/profiling-tracing';
import { loadConfigOrExit } from './config.js';

const config = loadConfigOrExit(process.env);
const telemetry = await startTelemetry({ serviceName: 'load-generator' });

const { startOrderLoop } = await import('./order-loop.js');
const loop = startOrderLoop(config, telemetry.logger);
telemetry.beforeShutdown(() => loop.stop());

if (config.runSeconds > 0) {
  setTimeout(() => void telemetry.shutdown().then(() => process.exit(0)), config.runSeconds * 1000);
}
