/**
 * The rideshare service's tracer, named and versioned (instrumentation scope `rideshare` and this package's
 * version), so its spans say which code made them instead of `otel.library.version = undefined`.
 */
import { readFileSync } from 'node:fs';
import { trace } from '@opentelemetry/api';

// dist/src/tracer.js → the workspace's package.json (present in the app image too)
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const TRACER_NAME = 'rideshare';
export const tracer = trace.getTracer(TRACER_NAME, version);
