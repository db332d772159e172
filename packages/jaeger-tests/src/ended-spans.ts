/**
 * The spans an app ended, from its own stdout: with `console` among OTEL_TRACES_EXPORTER the telemetry
 * package prints one line per span as it ends (span-line-exporter.ts in @rideshare/profiling-tracing,
 * a SimpleSpanProcessor: no queue, no batch), e.g.
 *
 *   15:42:01.123 rideshare trace=4bf9…4736 span=00f067aa0ba902b7 parent=53995c3f42cd8ad8 CarHandler 12.3ms OK
 *
 * Only the `trace=` and `span=` fields are read, so the rest of the line may change.
 */
export interface EndedSpan {
  traceId: string;
  spanId: string;
}

const SPAN_LINE = /\btrace=([0-9a-f]{32}) span=([0-9a-f]{16})\b/;

export function endedSpans(stdoutLines: readonly string[]): EndedSpan[] {
  const spans: EndedSpan[] = [];
  for (const line of stdoutLines) {
    const match = SPAN_LINE.exec(line);
    if (match) spans.push({ traceId: match[1]!, spanId: match[2]! });
  }
  return spans;
}
