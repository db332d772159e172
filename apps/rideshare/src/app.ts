/**
 * The HTTP API:
 *
 *   GET /bike | /scooter | /car   order a vehicle (query: passengers, pickup) → 200 order JSON
 *   GET /health                   → 200 { status: "ok", region }
 *
 * Errors are JSON without stack traces: 400 { error, parameter } for bad input, 404 for unknown routes,
 * 405 for other methods on an order route, 503 when no vehicle is free, 500 for anything unexpected.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { nameLocalRoot, type Logger } from '@rideshare/profiling-tracing';
import type { Dispatch } from './dispatch.js';
import { VEHICLE_KINDS, type VehicleKind } from './fleet.js';
import { InvalidParameterError, parseOrderQuery } from './order-query.js';
import { NoVehicleAvailableError, orderVehicle } from './order-vehicle.js';

export interface AppOptions {
  dispatch: Dispatch;
  logger: Logger;
  /** Orders taking at least this long are logged as warnings. */
  slowOrderMs: number;
}

const HANDLER_NAMES: Record<VehicleKind, string> = {
  bike: 'BikeHandler',
  scooter: 'ScooterHandler',
  car: 'CarHandler',
};

export function createApp({ dispatch, logger, slowOrderMs }: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false); // order queries are parsed (strictly) by parseOrderQuery

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', region: dispatch.region });
  });

  for (const vehicle of VEHICLE_KINDS) {
    app
      .route(`/${vehicle}`)
      .get(orderHandler(vehicle, { dispatch, logger, slowOrderMs }))
      .all((_req, res) => {
        res.set('allow', 'GET, HEAD').status(405).json({ error: 'method not allowed' });
      });
  }

  app.use(notFound);

  app.use(errorHandler(logger));
  return app;
}

const notFound: RequestHandler = function notFound(_req, res) {
  nameLocalRoot('NotFoundHandler');
  res.status(404).json({ error: 'not found' });
};

function orderHandler(vehicle: VehicleKind, { dispatch, logger, slowOrderMs }: AppOptions): RequestHandler {
  return async (req, res) => {
    nameLocalRoot(HANDLER_NAMES[vehicle]);
    const started = performance.now();
    const request = parseOrderQuery(vehicle, rawQuery(req), dispatch.city);
    const order = await orderVehicle(request, dispatch);
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const fields = {
      order_id: order.order_id,
      vehicle,
      vehicle_id: order.vehicle_id,
      driver_id: order.driver?.id,
      eta_seconds: order.eta_seconds,
      duration_ms: durationMs,
      schedule_cache_bypassed: order.schedule_cache_bypassed,
    };
    logger.info(fields, 'order placed');
    if (durationMs >= slowOrderMs) {
      // `took_ms`, not `duration_ms`: dashboards aggregate duration_ms over the `order placed` lines only
      logger.warn(
        { order_id: order.order_id, vehicle, took_ms: durationMs, slow_order_ms: slowOrderMs },
        'slow order',
      );
    }
    res.json(order);
  };
}

/** The query string as sent (the express query parser is off). */
function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at + 1);
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return function sendError(error: unknown, req, res, next) {
    if (res.headersSent) return next(error);
    if (error instanceof InvalidParameterError) {
      res.status(400).json({ error: error.message, parameter: error.parameter });
      return;
    }
    if (error instanceof NoVehicleAvailableError) {
      logger.warn({ path: req.path }, error.message);
      res.status(503).json({ error: error.message });
      return;
    }
    const status = clientErrorStatus(error);
    if (status !== undefined) {
      res.status(status).json({ error: 'bad request' });
      return;
    }
    logger.error({ err: error, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal error' });
  };
}

/** A 4xx status set by express or one of its parsers (e.g. a malformed path), if any. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
