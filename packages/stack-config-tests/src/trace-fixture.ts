// One order's trace as the apps export it: OrderVehicle (load-generator, local root) → RequestVehicle →
// CarHandler (rideshare in eu-north, local root). Local roots carry `pyroscope.profile.id` = their span id;
// with `serviceNameOnRoots` they also carry the span attribute `service.name` (the requirement for the
// resource-in-process layout, see the README and jaeger.test.ts).
import type { ExportedSpan } from './jaeger-api.js';
import type { UiTrace } from './jaeger-links.js';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const ORDER_SPAN_ID = '00f067aa0ba902b7';
export const HANDLER_SPAN_ID = '5fb397be34d26b51';
/** When the tests look at the links: fixed, 3 hours after the trace. */
export const TRACE_START_MICROS = Date.UTC(2026, 10, 25, 12, 0, 0) * 1000;
export const NOW_MS = TRACE_START_MICROS / 1000 + 3 * 3600_000;

const host = {
  'host.name': 'c0ffee',
  'host.arch': 'amd64',
  'process.pid': 1,
  'process.runtime.name': 'nodejs',
};

export function orderTrace(serviceNameOnRoots: boolean): { spans: ExportedSpan[]; trace: UiTrace } {
  const lgResource = { 'service.name': 'load-generator', ...host };
  const rsResource = { 'service.name': 'rideshare', region: 'eu-north', ...host };
  const order: ExportedSpan = {
    spanID: ORDER_SPAN_ID,
    name: 'OrderVehicle',
    startTime: TRACE_START_MICROS,
    duration: 550_000,
    attributes: {
      'pyroscope.profile.id': ORDER_SPAN_ID,
      'order.vehicle': 'car',
      ...(serviceNameOnRoots && { 'service.name': 'load-generator' }),
    },
    resource: lgResource,
  };
  const request: ExportedSpan = {
    spanID: '7a085853722dc6d2',
    name: 'RequestVehicle',
    startTime: TRACE_START_MICROS + 310_000,
    duration: 230_000,
    attributes: { 'http.request.method': 'GET', 'server.address': 'eu-north' },
    resource: lgResource,
    parent: order,
  };
  const handler: ExportedSpan = {
    spanID: HANDLER_SPAN_ID,
    name: 'CarHandler',
    startTime: TRACE_START_MICROS + 312_000,
    duration: 226_000,
    attributes: {
      'pyroscope.profile.id': HANDLER_SPAN_ID,
      'http.route': '/car',
      ...(serviceNameOnRoots && { 'service.name': 'rideshare' }),
    },
    resource: rsResource,
    parent: request,
  };
  return {
    spans: [order, request, handler],
    trace: {
      traceID: TRACE_ID,
      traceName: 'load-generator: OrderVehicle',
      startTime: TRACE_START_MICROS,
      endTime: TRACE_START_MICROS + 550_000,
      duration: 550_000,
    },
  };
}
