/**
 * Jaeger's own query API, as its UI uses it: `/api/services`, `/api/traces?service=…` and
 * `/api/traces/<trace id>`. The JSON model is jaegertracing/jaeger internal/uimodel (model/json in v1):
 * a trace is `{traceID, spans, processes}`, a span names its process by `processID`, and its parent by a
 * `CHILD_OF` reference. Jaeger v2 keeps the service name only as `processes[processID].serviceName`.
 */

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerApiSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: JaegerReference[] | null;
  tags?: JaegerTag[] | null;
  processID: string;
  startTime: number;
  duration: number;
  warnings?: string[] | null;
}

export interface JaegerApiTrace {
  traceID: string;
  spans: JaegerApiSpan[];
  processes: Record<string, { serviceName: string; tags?: JaegerTag[] | null }>;
  warnings?: string[] | null;
}

/** A span with what the assertions need resolved: its service, parent and tags as a map. */
export interface QueriedSpan {
  traceId: string;
  spanId: string;
  name: string;
  service: string;
  /** The `CHILD_OF` parent's span id, or undefined for a root. */
  parentId: string | undefined;
  tags: Map<string, unknown>;
  /** The tags of the span's process (the resource): host, process, runtime, region. */
  processTags: Map<string, unknown>;
  startMicros: number;
  durationMicros: number;
  warnings: string[];
}

export class JaegerQuery {
  constructor(readonly baseUrl: string) {}

  async services(): Promise<string[]> {
    return ((await this.#get('/api/services')).data as string[] | null) ?? [];
  }

  /** Traces that have a span of `service`, newest first, at most `limit`, over the last `lookback`. */
  async tracesOf(service: string, limit: number, lookback = '1h'): Promise<JaegerApiTrace[]> {
    const query = new URLSearchParams({ service, limit: String(limit), lookback });
    return ((await this.#get(`/api/traces?${query}`)).data as JaegerApiTrace[] | null) ?? [];
  }

  /** One trace by id; undefined when Jaeger has none (404). */
  async trace(traceId: string): Promise<JaegerApiTrace | undefined> {
    const response = await fetch(`${this.baseUrl}/api/traces/${traceId}`);
    if (response.status === 404) return undefined;
    const body = (await response.json()) as { data?: JaegerApiTrace[] | null };
    if (!response.ok)
      throw new Error(`GET /api/traces/${traceId}: ${response.status} ${JSON.stringify(body)}`);
    return body.data?.[0];
  }

  async #get(path: string): Promise<{ data: unknown }> {
    const response = await fetch(`${this.baseUrl}${path}`);
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as { data: unknown };
  }
}

export function spansOf(trace: JaegerApiTrace): QueriedSpan[] {
  return trace.spans.map((span) => ({
    traceId: span.traceID,
    spanId: span.spanID,
    name: span.operationName,
    service: trace.processes[span.processID]?.serviceName ?? `<no process ${span.processID}>`,
    parentId: (span.references ?? []).find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)
      ?.spanID,
    tags: new Map((span.tags ?? []).map((tag) => [tag.key, tag.value])),
    processTags: new Map((trace.processes[span.processID]?.tags ?? []).map((tag) => [tag.key, tag.value])),
    startMicros: span.startTime,
    durationMicros: span.duration,
    warnings: span.warnings ?? [],
  }));
}
