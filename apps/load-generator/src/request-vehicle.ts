/**
 * Asks one rideshare region for a vehicle over HTTP. Node's fetch is not instrumented, so the call gets
 * its own CLIENT span `RequestVehicle`, and the W3C trace context (`traceparent`) goes into the headers:
 * the region's handler span joins the order's trace.
 */
import { context, propagation, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { tracer } from './tracer.js';

export type VehicleKind = 'bike' | 'scooter' | 'car';

export interface VehicleResponse {
  status: number;
  /** The parsed JSON answer (an order, or `{ error }`), undefined when the body is not JSON. */
  body: Record<string, unknown> | undefined;
}

export async function requestVehicle(
  baseUrl: string,
  vehicle: VehicleKind,
  passengers: number,
  timeoutMs: number,
): Promise<VehicleResponse> {
  const url = new URL(`${baseUrl}/${vehicle}`);
  if (vehicle === 'car') url.searchParams.set('passengers', String(passengers));
  const attributes = {
    'http.request.method': 'GET',
    'url.full': url.href,
    'server.address': url.hostname,
    'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
  };
  return tracer.startActiveSpan('RequestVehicle', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      propagation.inject(context.active(), headers);
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      const body = await readJson(response);
      span.setAttribute('http.response.status_code', response.status);
      if (response.status >= 400)
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
      return { status: response.status, body };
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: describeFetchError(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** "fetch failed" says little: name the cause (ECONNREFUSED, timeout, …). */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'request timed out';
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message}: ${code}` : `${error.message}: ${cause.message}`;
  }
  return error.message;
}
