/**
 * Spans without the attributes that describe the connection rather than the request.
 *
 * `@opentelemetry/instrumentation-http` 0.222 puts about 13 attributes on every server span and 9 on every
 * client span, and has no option to leave any out (build/src/utils.js: `getIncomingRequestAttributes`,
 * `getOutgoingRequestAttributes`). Seven of them say which socket carried the request: peer and client
 * address and port, protocol version, scheme, user agent. In this demo they are the same on every span and
 * say nothing about why a request was slow, yet every span carries them to Jaeger, where a handler span
 * then shows some twenty tags. This exporter hands the real exporter a view of each span without them
 * (`TRACE_CONNECTION_ATTRIBUTES=keep` sends everything). The trade: a trace no longer tells which client
 * address or user agent made a request.
 */
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The connection attributes, in the stable HTTP semantic conventions and the old ones. */
export const CONNECTION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'network.peer.address',
  'network.peer.port',
  'network.protocol.version',
  'client.address',
  'server.port',
  'url.scheme',
  'user_agent.original',
  // the same before semconv 1.20 (OTEL_SEMCONV_STABILITY_OPT_IN unset in older instrumentations)
  'net.peer.ip',
  'net.peer.port',
  'net.host.ip',
  'net.host.port',
  'net.transport',
  'http.flavor',
  'http.scheme',
  'http.user_agent',
]);

/** The span as the exporter should see it: itself when nothing is dropped, else a view without them. */
export function withoutConnectionAttributes(span: ReadableSpan): ReadableSpan {
  const keys = Object.keys(span.attributes);
  if (!keys.some((key) => CONNECTION_ATTRIBUTES.has(key))) return span;
  const attributes = Object.fromEntries(
    keys.filter((key) => !CONNECTION_ATTRIBUTES.has(key)).map((key) => [key, span.attributes[key]]),
  );
  return Object.create(span, { attributes: { value: attributes } }) as ReadableSpan;
}

export class ConnectionAttributesDroppingExporter implements SpanExporter {
  constructor(readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans.map(withoutConnectionAttributes), resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
