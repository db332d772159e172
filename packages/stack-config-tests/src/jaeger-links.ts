// A faithful re-implementation of how the Jaeger UI turns a `linkPatterns` entry into a URL, so the links in
// jaeger/ui-config.json can be checked without a browser. Source: jaegertracing/jaeger-ui v2.19.0 (the UI of
// the jaegertracing/jaeger:2.19.0 image), packages/jaeger-ui/src/model/link-patterns.ts,
// utils/stringSupplant.ts and utils/link-formatting.ts.
//
// - `#{name}` or `#{name | formatter arg | …}` placeholders. In the URL the value goes through
//   encodeURIComponent; the rest of the URL template is used as written, so it must already be URL-encoded.
// - Span-level patterns (type tags/attributes, process/resource) look `name` up literally
//   (computeLinks: getParameterInArray(parameter, items), then getParameterInAncestor): first in the list the
//   linked value belongs to, then — not for process/resource links — along the span and its ancestors: the
//   span keys spanID, operationName, duration, startTime, then its attributes, then its resource attributes
//   (= the Process tags, which hold neither `service.name` nor the process's service name: OtelSpanFacade.ts
//   takes resource.attributes from process.tags only). `trace.X` resolves X on the trace. A formatter makes
//   the literal name unresolvable (there is no attribute "trace.startTime | add 1"), which hides the link.
// - Trace-level patterns (type traces) resolve only traceID, traceName, duration, startTime, endTime
//   (computeTraceLink). They apply a placeholder's formatters when collecting the value, store it under the
//   bare name (the LAST placeholder of that name wins), and encodedStringSupplant applies the formatters of
//   each placeholder again: a formatter that meets an already formatted value logs a console error
//   (jaeger-ui issue #3908). Mode `format-once` models the fix proposed in jaeger-ui PR #3909 (raw values,
//   formatted once in encodedStringSupplant), to check that a template gives the same URL either way.
// - The UI's console errors are collected in `consoleErrors`, with the messages link-formatting.ts logs.

export interface LinkPattern {
  type?: string | string[];
  key?: string;
  url: string;
  text: string;
}

export type Value = string | number | boolean;
export type Attribute = { key: string; value: Value };

/** A span as the UI holds it (IOtelSpan); times in epoch microseconds. */
export interface UiSpan {
  spanID: string;
  name: string;
  startTime: number;
  duration: number;
  attributes: Attribute[];
  resource: { serviceName: string; attributes: Attribute[] };
  parentSpan?: UiSpan;
}

/** A trace as the UI holds it (IOtelTrace); times in epoch microseconds. */
export interface UiTrace {
  traceID: string;
  traceName: string;
  startTime: number;
  endTime: number;
  duration: number;
}

export interface Hyperlink {
  url: string;
  text: string;
}

export type FormatMode = 'jaeger-ui-2.19' | 'format-once';

export interface LinkResult {
  links: Hyperlink[];
  consoleErrors: string[];
}

const PARAMETER_REG_EXP = /#\{([^{}]*)\}/g;
export const VALID_TRACE_KEYS = ['traceID', 'traceName', 'duration', 'startTime', 'endTime'] as const;
const VALID_SPAN_KEYS = ['spanID', 'operationName', 'duration', 'startTime'];

type Formatter = (value: Value, errors: string[], ...args: string[]) => Value;

// link-formatting.ts formatFunctions, with their console.error messages
const formatFunctions: Record<string, Formatter> = {
  epoch_micros_to_date_iso: (value, errors) => {
    if (typeof value !== 'number') {
      errors.push('epoch_micros_to_date_iso() can only operate on numbers, ignoring formatting');
      return value;
    }
    return new Date(value / 1000).toISOString();
  },
  pad_start: (value, errors, length = '', pad = '') => {
    if (typeof value !== 'string') {
      errors.push('pad_start() can only operate on strings, ignoring formatting');
      return value;
    }
    const desired = parseInt(length, 10);
    if (Number.isNaN(desired))
      errors.push('pad_start() needs a desired length as second argument, ignoring formatting');
    return value.padStart(desired, pad);
  },
  add: (value, errors, offsetString = '') => {
    if (typeof value !== 'number') {
      errors.push('add() needs a numeric offset as an argument, ignoring formatting');
      return value;
    }
    const offset = parseInt(offsetString, 10);
    if (Number.isNaN(offset)) {
      errors.push('add() needs a valid offset in microseconds as second argument, ignoring formatting');
      return value;
    }
    return value + offset;
  },
};

export function getParamNames(template: string): string[] {
  return [...new Set([...template.matchAll(PARAMETER_REG_EXP)].map((m) => m[1] ?? ''))];
}

export function getParameterAndFormatter(
  parameter: string,
  errors: string[] = [],
): { parameterName: string; formatFunction: ((value: Value) => Value) | null; unknownFormatters: string[] } {
  const [parameterName = '', ...formatStrings] = parameter.split('|').map((part) => part.trim());
  const unknownFormatters: string[] = [];
  const formatters = formatStrings.flatMap((formatString) => {
    const [fnName = '', ...args] = formatString.split(/ +/);
    const fn = formatFunctions[fnName];
    if (!fn) {
      unknownFormatters.push(fnName);
      errors.push('Unrecognized format function name, ignoring formatting.');
      return [];
    }
    return [(value: Value) => fn(value, errors, ...args)];
  });
  return {
    parameterName,
    formatFunction: formatters.length ? (value) => formatters.reduce((acc, fn) => fn(acc), value) : null,
    unknownFormatters,
  };
}

/** encodedStringSupplant: each placeholder's formatters run on the map value (when truthy), then encode. */
function supplant(
  template: string,
  encode: (v: Value) => string,
  map: Record<string, Value>,
  errors: string[],
): string {
  return template.replace(PARAMETER_REG_EXP, (_match, name: string) => {
    const { parameterName, formatFunction } = getParameterAndFormatter(name, errors);
    const mapValue = map[parameterName];
    const formatted = formatFunction && mapValue ? formatFunction(mapValue) : mapValue;
    const value = formatted != null ? encode(formatted) : mapValue;
    return value == null ? '' : `${value}`;
  });
}

const identity = (v: Value): string => `${v}`;

function getParameterInTrace(name: string, trace: UiTrace): Value | undefined {
  return (VALID_TRACE_KEYS as readonly string[]).includes(name) ? trace[name as keyof UiTrace] : undefined;
}

function getParameterInArray(name: string, items: readonly Attribute[]): Value | undefined {
  return items.find((a) => a.key === name)?.value;
}

function getParameterInAncestor(name: string, span: UiSpan): Value | undefined {
  for (let current: UiSpan | undefined = span; current; current = current.parentSpan) {
    if (VALID_SPAN_KEYS.includes(name)) {
      const own: Record<string, Value> = {
        spanID: current.spanID,
        operationName: current.name,
        duration: current.duration,
        startTime: current.startTime,
      };
      if (own[name] !== undefined) return own[name];
    }
    const found =
      getParameterInArray(name, current.attributes) ?? getParameterInArray(name, current.resource.attributes);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function typeMatches(pattern: LinkPattern, types: string[]): boolean {
  if (pattern.type === undefined) return true;
  const allowed = Array.isArray(pattern.type) ? pattern.type : [pattern.type];
  return types.some((t) => allowed.includes(t));
}

function parametersOf(pattern: LinkPattern): string[] {
  return [...new Set([...getParamNames(pattern.url), ...getParamNames(pattern.text)])];
}

/**
 * computeLinks: the links the UI shows on the value of `key` in the span's attributes (`where: 'attributes'`,
 * legacy type `tags`) or in its resource / Process section (`where: 'resource'`, legacy type `process`).
 */
export function spanLinks(
  patterns: readonly LinkPattern[],
  span: UiSpan,
  key: string,
  trace: UiTrace,
  where: 'attributes' | 'resource' = 'attributes',
): LinkResult {
  const items = where === 'attributes' ? span.attributes : span.resource.attributes;
  const item = items.find((a) => a.key === key);
  const consoleErrors: string[] = [];
  const links: Hyperlink[] = [];
  if (item === undefined) return { links, consoleErrors };
  const types = where === 'attributes' ? ['attributes', 'tags'] : ['resource', 'process'];
  for (const pattern of patterns) {
    if (!typeMatches(pattern, types)) continue;
    if (pattern.key !== undefined && pattern.key !== item.key) continue;
    const values: Record<string, Value> = {};
    const resolved = parametersOf(pattern).every((parameter) => {
      const value = parameter.startsWith('trace.')
        ? getParameterInTrace(parameter.split('trace.')[1] ?? '', trace)
        : (getParameterInArray(parameter, items) ??
          (where !== 'resource' ? getParameterInAncestor(parameter, span) : undefined));
      if (value === undefined) return false; // console.warn('Skipping link pattern, missing parameter …')
      values[parameter] = value;
      return true;
    });
    if (resolved)
      links.push({
        url: supplant(pattern.url, encodeURIComponent, values, consoleErrors),
        text: supplant(pattern.text, identity, values, consoleErrors),
      });
  }
  return { links, consoleErrors };
}

/** computeTraceLink: the trace-level links (the link menu of the trace page header). */
export function traceLinks(
  patterns: readonly LinkPattern[],
  trace: UiTrace,
  mode: FormatMode = 'jaeger-ui-2.19',
): LinkResult {
  const consoleErrors: string[] = [];
  const links: Hyperlink[] = [];
  for (const pattern of patterns) {
    if (!typeMatches(pattern, ['traces'])) continue;
    const values: Record<string, Value> = {};
    const resolved = parametersOf(pattern).every((parameter) => {
      const { parameterName, formatFunction } = getParameterAndFormatter(parameter, consoleErrors);
      const value = getParameterInTrace(parameterName, trace);
      if (value === undefined) return false;
      values[parameterName] = formatFunction && mode === 'jaeger-ui-2.19' ? formatFunction(value) : value;
      return true;
    });
    if (resolved)
      links.push({
        url: supplant(pattern.url, encodeURIComponent, values, consoleErrors),
        text: supplant(pattern.text, identity, values, consoleErrors),
      });
  }
  return { links, consoleErrors };
}
