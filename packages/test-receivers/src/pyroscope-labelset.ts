// The `name` query parameter of Pyroscope's legacy /ingest (`app{k=v,...}`), parsed the way the server
// parses it, and the series labels the server builds from it.
//
// Source: grafana/pyroscope v1.18.1
//   api/model/labelset/labelset.go   Parse: the app name becomes `__name__`; tag names validated, values
//                                     trimmed; everything after the closing `}` ignored
//   api/model/labelset/validate.go   ValidateServiceName / ValidateLabelName and their error texts
//   pkg/og/convert/pprof/profile.go  RawProfile.createLabels, metricName
//   pkg/model/labels.go              IsLabelAllowedForIngestion: tags starting with `__` are dropped
import { ReceiverError } from './receiver-server.js';

export type Labels = Record<string, string>;
/** Label pairs in the server's order; a name may repeat (the server then refuses the series). */
export type LabelPairs = [name: string, value: string][];

const isLabelNameRune = (c: string) => /^[a-zA-Z0-9_.]$/.test(c);
const isServiceNameRune = (c: string) => c === '-' || c === '.' || c === '/' || isLabelNameRune(c);
/** Go `%q` of a rune. */
const quoteRune = (c: string) => (c === "'" ? "'\\''" : c === '\\' ? "'\\\\'" : `'${c}'`);

/** A `name` the server refuses, with the server's text (answered 400 `name: <text>`). */
export class LabelSetError extends Error {}

function validateServiceName(name: string): void {
  if (name.length === 0) throw new LabelSetError('service name is required');
  for (const c of name) {
    if (!isServiceNameRune(c)) {
      throw new LabelSetError(`invalid service name: ${name}: character is not allowed: ${quoteRune(c)}`);
    }
  }
}

function validateLabelName(name: string): void {
  if (name.length === 0) throw new LabelSetError('label name is required');
  for (const c of name) {
    if (!isLabelNameRune(c)) {
      throw new LabelSetError(`invalid label name: ${name}: character is not allowed: ${quoteRune(c)}`);
    }
  }
}

/** labelset.Parse: `{ __name__: app, ...tags }`. Throws LabelSetError with the server's message. */
export function parseLabelSet(name: string): Labels {
  const labels: Labels = {};
  let state: 'name' | 'key' | 'value' | 'done' = 'name';
  let key = '';
  let value = '';
  for (const c of `${name}{`) {
    if (state === 'name') {
      if (c === '{') {
        state = 'key';
        const serviceName = value.trim();
        validateServiceName(serviceName);
        labels['__name__'] = serviceName;
      } else value += c;
    } else if (state === 'key') {
      if (c === '}') state = 'done';
      else if (c === '=') {
        state = 'value';
        value = '';
      } else key += c;
    } else if (state === 'value') {
      if (c === ',' || c === '}') {
        state = 'key';
        const k = key.trim();
        if (k !== '__name__') validateLabelName(k);
        labels[k] = value.trim();
        key = '';
      } else value += c;
    }
  }
  return labels;
}

/** The default sample-type display names that matter for metricName (pkg/og/storage/tree/pprof.go). */
const DISPLAY_NAMES: Record<string, string> = {
  samples: 'cpu',
  goroutine: 'goroutines',
  contentions: 'mutex_count',
  delay: 'mutex_duration',
};

/** RawProfile.metricName: the profile's `__name__` (`wall` for a wall profile, `memory` for heap). */
export function metricName(sampleTypes: readonly string[]): string {
  if (sampleTypes.includes('wall')) return 'wall';
  let st = '';
  for (const type of sampleTypes) {
    st = DISPLAY_NAMES[type] ?? type;
    if (st.includes('cpu')) return 'process_cpu';
    if (st.includes('alloc_') || st.includes('inuse_') || st === 'space' || st === 'objects') return 'memory';
    if (st.includes('mutex_')) return 'mutex';
    if (st.includes('block_')) return 'block';
    if (st.includes('goroutines')) return 'goroutines';
  }
  return st;
}

/**
 * RawProfile.createLabels: the labels of the pushed series, before the pprof sample labels are added:
 * `__name__` (metricName), `__delta__="false"`, `pyroscope_spy`, `service_name` (the app name unless a tag
 * sets it), and every tag not starting with `__`.
 */
export function ingestSeriesLabels(
  labelSet: Labels,
  sampleTypes: readonly string[],
  spyName: string,
): LabelPairs {
  const labels: LabelPairs = [
    ['__name__', metricName(sampleTypes)],
    ['__delta__', 'false'],
    ['pyroscope_spy', spyName],
  ];
  if (!('service_name' in labelSet)) labels.push(['service_name', labelSet['__name__'] ?? '']);
  for (const [k, v] of Object.entries(labelSet)) {
    // IsLabelAllowedForIngestion lets only `__session_id__` through, and the distributor deletes that one
    // at the default validation.max-sessions-per-series 0 (distributor.go limitMaxSessionsPerSeries)
    if (!k.startsWith('__')) labels.push([k, v]);
  }
  return labels;
}

/** Parse `name` or throw the 400 the ingest handler answers (pkg/ingester/pyroscope/ingest_handler.go). */
export function parseNameOrReject(name: string, reject: (message: string) => ReceiverError): Labels {
  try {
    return parseLabelSet(name);
  } catch (err) {
    if (err instanceof LabelSetError) throw reject(`name: ${err.message}`);
    throw err;
  }
}
