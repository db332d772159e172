/**
 * What a ride-share trace must look like, checked by structure rather than by a list of span names (so a
 * new child span under OrderVehicle or a handler does not break it). Each check returns its problems, one
 * line each; none means the trace is right.
 */

export const PROFILE_ID = 'pyroscope.profile.id';

export interface ShapeSpan {
  traceId: string;
  spanId: string;
  /** Undefined for a span without parent. */
  parentId: string | undefined;
  name: string;
  service: string;
  tags: ReadonlyMap<string, unknown>;
  /** Start and duration in microseconds, as Jaeger stores them (for the timing check). */
  startMicros?: number;
  durationMicros?: number;
}

const describe = (span: ShapeSpan): string => `${span.service}/${span.name} ${span.spanId}`;

/**
 * OrderVehicle (load-generator) is the trace's only span without parent; RequestVehicle's parent is
 * OrderVehicle; a rideshare `*Handler` span's parent is RequestVehicle; the handler has children, and every
 * other rideshare span descends from it; every load-generator span descends from OrderVehicle; every
 * parent is in the trace.
 */
export function joinProblems(spans: readonly ShapeSpan[]): string[] {
  const problems: string[] = [];
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const roots = spans.filter((s) => s.parentId === undefined);
  for (const span of spans) {
    if (span.parentId !== undefined && !byId.has(span.parentId))
      problems.push(`${describe(span)}: parent ${span.parentId} is not in the trace`);
  }
  const order = roots[0];
  if (roots.length !== 1 || order?.name !== 'OrderVehicle' || order.service !== 'load-generator') {
    problems.push(
      `roots: ${roots.map(describe).join(', ') || 'none'} (expected one load-generator/OrderVehicle)`,
    );
    return problems;
  }
  const requests = spans.filter((s) => s.name === 'RequestVehicle');
  const request = requests[0];
  if (requests.length !== 1 || request?.service !== 'load-generator' || request.parentId !== order.spanId) {
    problems.push(
      `RequestVehicle: ${requests.map((s) => `${describe(s)} under ${s.parentId}`).join(', ') || 'none'}`,
    );
    return problems;
  }
  const handlers = spans.filter((s) => s.parentId === request.spanId && s.service === 'rideshare');
  const handler = handlers[0];
  if (handlers.length !== 1 || !handler?.name.endsWith('Handler')) {
    problems.push(`rideshare spans under RequestVehicle: ${handlers.map(describe).join(', ') || 'none'}`);
    return problems;
  }
  if (!spans.some((s) => s.parentId === handler.spanId))
    problems.push(`${describe(handler)} has no children`);
  const descends = (span: ShapeSpan, ancestor: ShapeSpan): boolean => {
    for (let at: ShapeSpan | undefined = span; at !== undefined; at = byId.get(at.parentId ?? '')) {
      if (at === ancestor) return true;
    }
    return false;
  };
  for (const span of spans) {
    const ancestor = span.service === 'rideshare' ? handler : order;
    if (!descends(span, ancestor))
      problems.push(`${describe(span)} does not descend from ${describe(ancestor)}`);
  }
  return problems;
}

/** A local root: no parent, or a parent in another service (the first span of a process for a request). */
export function isLocalRoot(span: ShapeSpan, byId: ReadonlyMap<string, ShapeSpan>): boolean {
  if (span.parentId === undefined) return true;
  const parent = byId.get(span.parentId);
  return parent !== undefined && parent.service !== span.service;
}

/** Every local root has `pyroscope.profile.id` = its own span id; no other span has the tag. */
export function profileIdProblems(spans: readonly ShapeSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const problems: string[] = [];
  for (const span of spans) {
    const value = span.tags.get(PROFILE_ID);
    if (isLocalRoot(span, byId)) {
      if (value !== span.spanId)
        problems.push(`local root ${describe(span)}: ${PROFILE_ID} = ${String(value)}`);
    } else if (value !== undefined) {
      problems.push(`${describe(span)} is not a local root but has ${PROFILE_ID} = ${String(value)}`);
    }
  }
  return problems;
}

/**
 * Where a child does not lie within its parent: it starts before it, or ends after it (1 µs of rounding
 * allowed). A start before the parent is always wrong. An end after the parent is wrong when it comes from
 * rounding, which the apps no longer do (sub-millisecond starts), but it also happens for real: a server
 * span ends at the response's `finish` event, and on a busy machine the client can read the answer and end
 * its span before the server process runs that event.
 */
export function timingProblems(spans: readonly ShapeSpan[]): { startsEarly: string[]; endsLate: string[] } {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const startsEarly: string[] = [];
  const endsLate: string[] = [];
  for (const span of spans) {
    const parent = byId.get(span.parentId ?? '');
    if (parent === undefined || span.startMicros === undefined || parent.startMicros === undefined) continue;
    const early = parent.startMicros - span.startMicros;
    const late =
      span.startMicros + (span.durationMicros ?? 0) - (parent.startMicros + (parent.durationMicros ?? 0));
    if (early > 1)
      startsEarly.push(`${describe(span)} starts ${early} µs before its parent ${describe(parent)}`);
    if (late > 1) endsLate.push(`${describe(span)} ends ${late} µs after its parent ${describe(parent)}`);
  }
  return { startsEarly, endsLate };
}

/** The share of spans whose start is not a whole millisecond (the SDK alone gives whole milliseconds). */
export function subMillisecondStarts(spans: readonly ShapeSpan[]): number {
  const timed = spans.filter((s) => s.startMicros !== undefined);
  return timed.filter((s) => s.startMicros! % 1000 !== 0).length / Math.max(1, timed.length);
}
