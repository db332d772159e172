import { trace } from '@opentelemetry/api';
import { localRootOf } from './local-roots.js';

/**
 * Names the local root span of the current request, e.g. `CarHandler` for the incoming HTTP server span.
 * The name is also applied when the span ends (instrumentations rename server spans to `GET /route`
 * then), and it is the `span_name` profile label of every sample of that request.
 */
export function nameLocalRoot(name: string): void {
  const root = localRootOf(trace.getActiveSpan());
  if (root === undefined) return;
  root.name = name;
  root.span.updateName(name);
}
