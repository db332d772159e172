/**
 * Starts the rideshare HTTP server for one region and closes it gracefully: stop accepting connections,
 * let in-flight orders finish, drop idle keep-alive connections.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@rideshare/profiling-tracing';
import { createApp } from './app.js';
import type { RideshareConfig } from './config.js';
import { createDispatch } from './dispatch.js';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

const IDLE_SWEEP_MS = 100;

export async function startServer(config: RideshareConfig, logger: Logger): Promise<RunningServer> {
  const dispatch = createDispatch(config);
  const app = createApp({ dispatch, logger, slowOrderMs: config.slowOrderMs });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  logger.info(
    {
      port,
      city: dispatch.city.city,
      fleet_size: config.fleetSize,
      slow_mode: config.slowMode,
      slow_period_seconds: config.slowPeriodSeconds,
    },
    'rideshare listening',
  );
  return { port, close: () => closeGracefully(server) };
}

function closeGracefully(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
