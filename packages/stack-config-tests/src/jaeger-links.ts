// A faithful re-implementation of how the Jaeger UI (jaeger-ui v2.19, packages/jaeger-ui/src/model/
// link-patterns.ts, utils/stringSupplant.ts, utils/link-formatting.ts) turns a `linkPatterns` entry into a
// URL, so the links in jaeger/ui-config.json can be checked without a browser:
// - `#{name}` or `#{name | formatter arg | …}` placeholders; the value is passed through encodeURIComponent
//   (the rest of the URL template is used as written, so it must already be URL-encoded);
// - span-level patterns (type tags/attributes/process/logs) resolve `name` in the span's attributes, its
//   resource, then its ancestors; `trace.X` resolves X on the trace, and a formatter there makes the whole
//   parameter unresolvable (the UI looks up the literal "startTime | …"), which hides the link;
// - trace-level patterns (type traces) resolve only traceID, traceName, duration, startTime, endTime
//   (NOT trace.traceID), and apply the formatters twice (once when collecting, once when substituting).

export interface LinkPattern {
  type?: string | string[];
  key?: string;
  url: string;
  text: string;
}

/** A span as the UI sees it (attributes, then resource attributes). */
export interface SpanData {
  spanID: string;
  attributes: Record<string, string | number>;
  resource: Record<string, string | number>;
}

/** A trace; times are epoch microseconds, as in the UI's model. */
export interface TraceData {
  traceID: string;
  traceName: string;
  startTime: number;
  endTime: number;
  duration: number;
}

const PARAMETER_REG_EXP = /#\{([^{}]*)\}/g;
export const VALID_TRACE_KEYS = ['traceID', 'traceName', 'duration', 'startTime', 'endTime'] as const;
const VALID_SPAN_KEYS = ['spanID', 'operationName', 'duration', 'startTime'];

type Value = string | number;
type Formatter = (value: Value, ...args: string[]) => Value;

const formatFunctions: Record<string, Formatter> = {
  epoch_micros_to_date_iso: (value) =>
    typeof value === 'number' ? new Date(value / 1000).toISOString() : value,
  pad_start: (value, length = '0', pad = ' ') =>
    typeof value === 'string' ? value.padStart(Number(length), pad) : value,
  add: (value, offset = '') => {
    const n = parseInt(offset, 10);
    return typeof value === 'number' && !Number.isNaN(n) ? value + n : value;
  },
};

export function getParamNames(template: string): string[] {
  return [...new Set([...template.matchAll(PARAMETER_REG_EXP)].map((m) => m[1] ?? ''))];
}

export function getParameterAndFormatter(parameter: string): {
  parameterName: string;
  formatFunction: ((value: Value) => Value) | null;
  unknownFormatters: string[];
} {
  const [parameterName = '', ...formatStrings] = parameter.split('|').map((part) => part.trim());
  const unknownFormatters: string[] = [];
  const formatters = formatStrings.flatMap((formatString) => {
    const [fnName = '', ...args] = formatString.split(/ +/);
    const fn = formatFunctions[fnName];
    if (!fn) {
      unknownFormatters.push(fnName);
      return [];
    }
    return [(value: Value) => fn(value, ...args)];
  });
  return {
    parameterName,
    formatFunction: formatters.length ? (value) => formatters.reduce((acc, fn) => fn(acc), value) : null,
    unknownFormatters,
  };
}

function supplant(
  template: string,
  encode: ((v: Value) => string) | null,
  map: Record<string, Value>,
): string {
  return template.replace(PARAMETER_REG_EXP, (_match, name: string) => {
    const { parameterName, formatFunction } = getParameterAndFormatter(name);
    const mapValue = map[parameterName];
    const formatted =
      formatFunction && mapValue !== undefined && mapValue !== '' ? formatFunction(mapValue) : mapValue;
    const value = formatted != null && encode ? encode(formatted) : formatted;
    return value == null ? '' : `${value}`;
  });
}

function getParameterInTrace(name: string, trace: TraceData): Value | undefined {
  return (VALID_TRACE_KEYS as readonly string[]).includes(name) ? trace[name as keyof TraceData] : undefined;
}

export function typeMatches(pattern: LinkPattern, types: string[]): boolean {
  if (pattern.type === undefined) return true;
  const allowed = Array.isArray(pattern.type) ? pattern.type : [pattern.type];
  return types.some((t) => allowed.includes(t));
}

/** The link the UI shows next to span attribute `key`, or undefined when the UI would hide it. */
export function spanAttributeLink(
  pattern: LinkPattern,
  span: SpanData,
  key: string,
  trace: TraceData,
): { url: string; text: string } | undefined {
  if (!typeMatches(pattern, ['attributes', 'tags'])) return undefined;
  if (pattern.key !== undefined && pattern.key !== key) return undefined;
  if (!(key in span.attributes)) return undefined;
  const values: Record<string, Value> = {};
  const params = [...new Set([...getParamNames(pattern.url), ...getParamNames(pattern.text)])];
  for (const parameter of params) {
    let value: Value | undefined;
    if (parameter.startsWith('trace.')) {
      value = getParameterInTrace(parameter.split('trace.')[1] ?? '', trace);
    } else {
      value =
        span.attributes[parameter] ??
        (VALID_SPAN_KEYS.includes(parameter) && parameter === 'spanID' ? span.spanID : undefined) ??
        span.resource[parameter];
    }
    if (value === undefined) return undefined;
    values[parameter] = value;
  }
  return {
    url: supplant(pattern.url, encodeURIComponent, values),
    text: supplant(pattern.text, null, values),
  };
}

/** The trace-level link (trace page header), or undefined when the UI would hide it. */
export function traceLink(pattern: LinkPattern, trace: TraceData): { url: string; text: string } | undefined {
  if (!typeMatches(pattern, ['traces'])) return undefined;
  const values: Record<string, Value> = {};
  const params = [...new Set([...getParamNames(pattern.url), ...getParamNames(pattern.text)])];
  for (const parameter of params) {
    const { parameterName, formatFunction } = getParameterAndFormatter(parameter);
    const value = getParameterInTrace(parameterName, trace);
    if (value === undefined) return undefined;
    values[parameterName] = formatFunction ? formatFunction(value) : value;
  }
  return {
    url: supplant(pattern.url, encodeURIComponent, values),
    text: supplant(pattern.text, null, values),
  };
}
