/**
 * One step of a request as a child span of the active one, the way both apps name their work
 * (`FindNearestVehicle`, `PlanRoute`, …): the span is active while `work` runs, so deeper steps and log
 * lines join it; a failure is recorded on it and rethrown; it ends when the work settles.
 */
import { SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

export function stepSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : undefined,
      });
      throw error;
    } finally {
      span.end();
    }
  });
}
