/**
 * One order, as a rider's app places it: a root span `OrderVehicle` that plans the route and estimates the
 * fare (its own CPU work), then requests a vehicle from a random region. Every order ends in one log line.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from '@rideshare/profiling-tracing';
import { planRoute } from './route-planning.js';
import { describeFetchError, requestVehicle, type VehicleKind } from './request-vehicle.js';

export interface OrderSettings {
  rideshareUrls: readonly string[];
  orderCpuMs: number;
  requestTimeoutMs: number;
}

export type OrderOutcome = 'ok' | 'failed';

const VEHICLES: readonly VehicleKind[] = ['bike', 'scooter', 'car'];
const tracer = trace.getTracer('load-generator');

export function placeOrder(settings: OrderSettings, logger: Logger): Promise<OrderOutcome> {
  const target = pick(settings.rideshareUrls);
  const vehicle = pick(VEHICLES);
  const passengers = vehicle === 'car' ? 1 + Math.floor(Math.random() * 4) : 1;
  const attributes = { 'order.vehicle': vehicle, 'order.passengers': passengers, 'rideshare.url': target };
  return tracer.startActiveSpan('OrderVehicle', { root: true, attributes }, async (span) => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const route = await planRoute(settings.orderCpuMs);
      span.setAttributes({ 'route.distance_km': route.distanceKm, 'route.fare': route.fare });
      const { status, body } = await requestVehicle(target, vehicle, passengers, settings.requestTimeoutMs);
      const region = typeof body?.region === 'string' ? body.region : undefined;
      if (region !== undefined) span.setAttribute('order.region', region);
      span.setAttribute('http.response.status_code', status);
      if (status >= 400) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: `rideshare answered ${status}` });
        logger.warn(
          { target, region, vehicle, status, error: body?.error, duration_ms: elapsed() },
          'order failed',
        );
        return 'failed';
      }
      logger.info(
        {
          target,
          region,
          vehicle,
          status,
          order_id: body?.order_id,
          fare: route.fare,
          duration_ms: elapsed(),
        },
        'order completed',
      );
      return 'ok';
    } catch (error) {
      const reason = describeFetchError(error);
      span.recordException(error instanceof Error ? error : reason);
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      logger.warn(
        { target, vehicle, status: 'error', error: reason, duration_ms: elapsed() },
        'order failed',
      );
      return 'failed';
    } finally {
      span.end();
    }
  });
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
