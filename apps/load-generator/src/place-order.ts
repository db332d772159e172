/**
 * One order, as a rider's app places it: a root span `OrderVehicle` (the local root: one profile for the
 * whole order) whose children tell what its time went to, in order:
 *
 *   PlanRoute       shortest paths under traffic scenarios (route-planning.ts), 2/3 of ORDER_CPU_MS
 *   EstimateFare    trip times under sampled traffic, the quote (fare-estimate.ts), the other 1/3
 *   RequestVehicle  the call to a random region (request-vehicle.ts)
 *
 * Every order ends in one log line.
 */
import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { stepSpan, type Logger } from '@rideshare/profiling-tracing';
import { estimateFare } from './fare-estimate.js';
import { planRoute } from './route-planning.js';
import { describeFetchError, requestVehicle, type VehicleKind } from './request-vehicle.js';
import { tracer } from './tracer.js';

export interface OrderSettings {
  rideshareUrls: readonly string[];
  orderCpuMs: number;
  requestTimeoutMs: number;
}

export type OrderOutcome = 'ok' | 'failed';

const VEHICLES: readonly VehicleKind[] = ['bike', 'scooter', 'car'];
/** The share of ORDER_CPU_MS spent planning the route; the rest goes to the fare quote. */
const PLANNING_SHARE = 2 / 3;

export function placeOrder(settings: OrderSettings, logger: Logger): Promise<OrderOutcome> {
  const target = pick(settings.rideshareUrls);
  const vehicle = pick(VEHICLES);
  const passengers = vehicle === 'car' ? 1 + Math.floor(Math.random() * 4) : 1;
  const attributes = { 'order.vehicle': vehicle, 'order.passengers': passengers, 'rideshare.url': target };
  return tracer.startActiveSpan('OrderVehicle', { root: true, attributes }, async (span) => {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const planningMs = Math.round(settings.orderCpuMs * PLANNING_SHARE);
      const route = await step('PlanRoute', { 'route.budget_ms': planningMs }, async (child) => {
        const planned = await planRoute(planningMs);
        child.setAttributes({
          'route.scenarios_evaluated': planned.scenariosEvaluated,
          'route.distance_km': planned.distanceKm,
          'route.minutes': round2(planned.minutes),
        });
        return planned;
      });
      const fareMs = settings.orderCpuMs - planningMs;
      const quote = await step('EstimateFare', { 'fare.budget_ms': fareMs }, async (child) => {
        const estimated = await estimateFare(route, fareMs);
        child.setAttributes({
          'fare.samples': estimated.samples,
          'fare.quoted_minutes': round2(estimated.quotedMinutes),
          'fare.amount': estimated.fare,
        });
        return estimated;
      });
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
          fare: quote.fare,
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

/** Runs one step of the order as a child span; a failure is recorded on it. */
const step = <T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> =>
  stepSpan(tracer, name, attributes, work);

const round2 = (n: number): number => Math.round(n * 100) / 100;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}
