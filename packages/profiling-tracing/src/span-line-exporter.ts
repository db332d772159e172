/**
 * `DEBUG_TRACER=1`: one line per span on stdout, as the span ends, instead of the SDK's ConsoleSpanExporter
 * dump (about 47 lines a span). The line has what is needed to follow a request by eye and to find the span
 * in Jaeger or its flame graph in Pyroscope:
 *
 *   15:42:01.123 rideshare trace=4bf9…4736 span=00f067aa0ba902b7 parent=53995c3f42cd8ad8 CarHandler 12.3ms OK profile=00f067aa0ba902b7
 *
 * `parent=-` for a root, `profile=` only on local roots. `DEBUG_TRACER=full` keeps the SDK's full dump.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

const PROFILE_ID_ATTRIBUTE = 'pyroscope.profile.id';

function status(span: ReadableSpan): string {
  const { code, message } = span.status;
  if (code === SpanStatusCode.ERROR) return message ? `ERROR(${JSON.stringify(message)})` : 'ERROR';
  return code === SpanStatusCode.OK ? 'OK' : 'UNSET';
}

/** The one line for a span (no newline). */
export function spanLine(span: ReadableSpan): string {
  const start = new Date(hrTimeToMilliseconds(span.startTime)).toISOString().slice(11, 23);
  const service = span.resource.attributes[ATTR_SERVICE_NAME] ?? 'unknown_service';
  const { traceId, spanId } = span.spanContext();
  const parent = span.parentSpanContext?.spanId ?? '-';
  const durationMs = hrTimeToMilliseconds(span.duration);
  const profile = span.attributes[PROFILE_ID_ATTRIBUTE];
  return (
    `${start} ${String(service)} trace=${traceId} span=${spanId} parent=${parent} ${span.name} ` +
    `${durationMs.toFixed(1)}ms ${status(span)}${profile === undefined ? '' : ` profile=${String(profile)}`}`
  );
}

export class SpanLineExporter implements SpanExporter {
  constructor(private readonly write: (text: string) => void = (text) => void process.stdout.write(text)) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (spans.length > 0) this.write(`${spans.map(spanLine).join('\n')}\n`);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
