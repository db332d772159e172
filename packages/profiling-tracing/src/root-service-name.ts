/**
 * `service.name` as a span attribute of every local root (the spans with `pyroscope.profile.id`).
 *
 * Jaeger v2's API moves the resource's `service.name` into `process.serviceName` and drops it from the
 * process tags (opentelemetry-collector-contrib pkg/translator/jaeger/traces_to_jaegerproto.go); span
 * attributes are kept whatever their name. Grafana's embedded flame graph builds its label selector from
 * process tags plus span tags through `tracesToProfiles.tags` (`service.name` → `service_name`), and the
 * Jaeger UI's Pyroscope links take `#{service.name}` from the span's tags: without this attribute both come
 * out empty. Jaeger Thrift already gets it on every span (jaeger-process-exporter.ts); this covers OTLP.
 */
import { trace, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export class RootServiceNameProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const parent = trace.getSpan(parentContext);
    if (parent !== undefined && !parent.spanContext().isRemote) return;
    const serviceName = span.resource.attributes[ATTR_SERVICE_NAME];
    if (typeof serviceName === 'string') span.setAttribute(ATTR_SERVICE_NAME, serviceName);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
