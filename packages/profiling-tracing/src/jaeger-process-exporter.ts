/**
 * Jaeger Thrift with the resource where Jaeger's model puts it: in the Process, once per batch.
 *
 * `@opentelemetry/exporter-jaeger` 2.11 copies every resource attribute into the tags of every span
 * (build/src/transform.js, `spanToThrift`) and sends a Process holding only the service name and its own
 * `tags` option (build/src/jaeger.js, `_getSender`). In the Jaeger UI each span then shows host.*, process.*
 * and the runtime among its own tags while its Process section is empty, and every span pays for encoding
 * them. This exporter gives exporter-jaeger a view of each span whose resource holds `service.name` alone,
 * and passes the rest of the resource as the exporter's Process `tags` (its public option).
 *
 * `service.name` stays a span tag: exporter-jaeger names the Process after it, and Grafana's trace → profile
 * query builds its label selector from process tags plus span tags, while Jaeger v2's API drops
 * `service.name` from the process tags (FACTS: Grafana, Jaeger), so that tag is what gives the embedded flame
 * graph its `service_name`.
 *
 * One exporter serves one tracer provider, so every span has the same resource: the Process is taken from
 * the first span exported.
 *
 * exporter-jaeger (with jaeger-client and thriftrw) is loaded at that first export, so a process that sends
 * OTLP, the default, never holds it. It is CommonJS (no `exports` map): `require` gives the module an
 * `import` would.
 */
import { createRequire } from 'node:module';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type * as ExporterJaeger from '@opentelemetry/exporter-jaeger';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

type JaegerExporter = ExporterJaeger.JaegerExporter;
type JaegerOptions = NonNullable<ConstructorParameters<typeof ExporterJaeger.JaegerExporter>[0]>;
type ProcessTag = NonNullable<JaegerOptions['tags']>[number];

/** Resource attributes as Jaeger Process tags (Thrift tags are strings, numbers or booleans). */
export function processTagsOf(resource: Resource): ProcessTag[] {
  return Object.entries(resource.attributes)
    .filter(([key, value]) => key !== ATTR_SERVICE_NAME && value !== undefined && value !== null)
    .map(([key, value]) => ({
      key,
      value:
        typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
          ? value
          : JSON.stringify(value),
    }));
}

export class JaegerProcessExporter implements SpanExporter {
  readonly #options: JaegerOptions;
  #inner: JaegerExporter | undefined;
  /** The resource every span is shown with: `service.name` only. */
  #serviceOnly: Resource | undefined;

  constructor(options: JaegerOptions) {
    this.#options = options;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const first = spans[0];
    if (first === undefined) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (this.#inner === undefined) {
      const { resource } = first;
      this.#serviceOnly = resourceFromAttributes({
        [ATTR_SERVICE_NAME]: resource.attributes[ATTR_SERVICE_NAME] ?? 'unknown_service',
      });
      const { JaegerExporter } = createRequire(import.meta.url)(
        '@opentelemetry/exporter-jaeger',
      ) as typeof ExporterJaeger;
      this.#inner = new JaegerExporter({ ...this.#options, tags: processTagsOf(resource) });
    }
    const resource = this.#serviceOnly!;
    // a view, not a copy: everything but the resource is read through to the span
    const views = spans.map((span) => Object.create(span, { resource: { value: resource } }) as ReadableSpan);
    this.#inner.export(views, resultCallback);
  }

  async shutdown(): Promise<void> {
    await this.#inner?.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.#inner?.forceFlush();
  }
}
