/**
 * The load generator: riders ordering vehicles from the rideshare regions, CONCURRENCY at a time.
 * Telemetry starts first; the app's own modules are imported after it. This file owns the process: a bad
 * variable is one line on stderr and exit 1; SIGTERM/SIGINT, or RUN_SECONDS elapsed, stop the order loop
 * (in-flight orders finish), flush telemetry and exit 0.
 */
import { ConfigError, startTelemetry, type Telemetry } from '@rideshare/profiling-tracing';
import { loadConfig, type LoadGeneratorConfig } from './config.js';

let config: LoadGeneratorConfig;
let telemetry: Telemetry;
try {
  config = loadConfig(process.env);
  telemetry = await startTelemetry({ serviceName: 'load-generator' });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const { startOrderLoop } = await import('./order-loop.js');
const loop = startOrderLoop(config, telemetry.logger);
const stop = (reason: string) =>
  void telemetry.shutdown(reason, () => loop.stop()).then(() => process.exit(0));
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
if (config.runSeconds > 0) setTimeout(() => stop('RUN_SECONDS'), config.runSeconds * 1000);
