// jaeger/config.yaml (Jaeger v2) and jaeger/ui-config.json (link patterns into Grafana Explore).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExploreTime, parseExploreUrl } from '../src/explore.js';
import { loadDatasources } from '../src/grafana.js';
import {
  getParamNames,
  getParameterAndFormatter,
  spanAttributeLink,
  traceLink,
  typeMatches,
  VALID_TRACE_KEYS,
  type LinkPattern,
  type SpanData,
  type TraceData,
} from '../src/jaeger-links.js';
import { dict, list, readJson, readYaml, str } from '../src/repo.js';

const config = dict(readYaml('jaeger', 'config.yaml'), 'jaeger/config.yaml');
const uiConfig = dict(readJson('jaeger', 'ui-config.json'), 'jaeger/ui-config.json');
const patterns = list(uiConfig.linkPatterns, 'linkPatterns').map(
  (p) => dict(p, 'link pattern') as unknown as LinkPattern,
);

const SPAN_ID = '00f067aa0ba902b7';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const START_MICROS = Date.UTC(2026, 10, 25, 12, 0, 0) * 1000;
const trace: TraceData = {
  traceID: TRACE_ID,
  traceName: 'load-generator: OrderVehicle',
  startTime: START_MICROS,
  endTime: START_MICROS + 750_000,
  duration: 750_000,
};
const span: SpanData = {
  spanID: SPAN_ID,
  attributes: { 'pyroscope.profile.id': SPAN_ID, vehicle: 'car' },
  resource: { 'service.name': 'load-generator' },
};
const datasources = loadDatasources();
const dsUids = new Set(datasources.map((d) => d.uid));

const endpointPort = (value: unknown, what: string): number => Number(str(value, what).split(':').pop());

test('receivers: OTLP and every Jaeger protocol, on the standard ports', () => {
  const receivers = dict(config.receivers, 'receivers');
  const otlp = dict(dict(receivers.otlp, 'otlp').protocols, 'otlp.protocols');
  assert.equal(endpointPort(dict(otlp.grpc, 'grpc').endpoint, 'otlp grpc'), 4317);
  assert.equal(endpointPort(dict(otlp.http, 'http').endpoint, 'otlp http'), 4318);
  const jaeger = dict(dict(receivers.jaeger, 'jaeger').protocols, 'jaeger.protocols');
  const expected = { thrift_http: 14268, thrift_binary: 6832, thrift_compact: 6831, grpc: 14250 };
  for (const [protocol, port] of Object.entries(expected)) {
    const endpoint = dict(jaeger[protocol], protocol).endpoint;
    assert.equal(endpointPort(endpoint, protocol), port, protocol);
    assert.match(
      str(endpoint, protocol),
      /^0\.0\.0\.0:/,
      `${protocol} must listen on all interfaces in a container`,
    );
  }
});

test('every component the service uses is declared, and storage names resolve', () => {
  const service = dict(config.service, 'service');
  const extensions = dict(config.extensions, 'extensions');
  for (const ext of list(service.extensions, 'service.extensions'))
    assert.ok(String(ext) in extensions, `${ext}`);
  const traces = dict(dict(service.pipelines, 'pipelines').traces, 'pipelines.traces');
  for (const kind of ['receivers', 'processors', 'exporters'] as const) {
    const declared = dict(config[kind], kind);
    for (const name of list(traces[kind], kind)) assert.ok(String(name) in declared, `${kind}: ${name}`);
  }
  const backends = dict(dict(extensions.jaeger_storage, 'jaeger_storage').backends, 'backends');
  const query = dict(extensions.jaeger_query, 'jaeger_query');
  assert.ok(str(dict(query.storage, 'storage').traces, 'storage.traces') in backends, 'jaeger_query storage');
  const exporter = dict(
    dict(config.exporters, 'exporters').jaeger_storage_exporter,
    'jaeger_storage_exporter',
  );
  assert.ok(str(exporter.trace_storage, 'trace_storage') in backends, 'exporter storage');
  assert.ok('memory' in dict(backends[str(exporter.trace_storage, '')], 'backend'), 'in-memory storage');
  assert.equal(endpointPort(dict(query.http, 'jaeger_query.http').endpoint, 'query http'), 16686);
  assert.equal(
    endpointPort(dict(dict(extensions.healthcheckv2, 'hc').http, 'hc.http').endpoint, 'hc'),
    13133,
  );
});

test('link patterns only use parameters the Jaeger UI can resolve', () => {
  for (const p of patterns) {
    const params = [...getParamNames(p.url), ...getParamNames(p.text)];
    for (const param of params) {
      const { parameterName, unknownFormatters } = getParameterAndFormatter(param);
      assert.deepEqual(unknownFormatters, [], `${param}: unknown formatter`);
      if (typeMatches(p, ['traces']) && p.type !== undefined) {
        // trace links know traceID, startTime, … — not trace.traceID
        assert.ok(
          (VALID_TRACE_KEYS as readonly string[]).includes(parameterName),
          `traces link: #{${param}}`,
        );
      } else {
        assert.equal(parameterName, param.trim(), `span links cannot use formatters: #{${param}}`);
      }
    }
    assert.doesNotMatch(
      p.url.replace(/#\{[^{}]*\}/g, ''),
      /[\s"{}#]/,
      'the URL template must be URL-encoded',
    );
  }
});

test('profile link: a span tagged pyroscope.profile.id opens its CPU flame graph in Grafana Explore', () => {
  const pattern = patterns.find((p) => p.key === 'pyroscope.profile.id');
  assert.ok(pattern, 'no link pattern for the pyroscope.profile.id tag');
  assert.ok(typeMatches(pattern, ['tags', 'attributes']), 'must be a span tag (attributes) link');
  const link = spanAttributeLink(pattern, span, 'pyroscope.profile.id', trace);
  assert.ok(link, 'the Jaeger UI would hide this link (unresolvable parameter)');
  assert.match(link.text, /flame graph/i);
  const { url, panes } = parseExploreUrl(link.url);
  assert.equal(url.origin, 'http://localhost:3000', 'Grafana as published by compose');
  assert.equal(panes.length, 1);
  const [pane] = panes;
  assert.ok(pane);
  assert.equal(pane.datasource, 'pyroscope');
  const [query] = pane.queries;
  assert.ok(query);
  assert.deepEqual(query.datasource, { type: 'grafana-pyroscope-datasource', uid: 'pyroscope' });
  assert.deepEqual(query.spanSelector, [SPAN_ID], 'span selector = the span id');
  assert.equal(query.profileTypeId, 'wall:cpu:nanoseconds:wall:nanoseconds', 'CPU time of the wall profile');
  assert.ok(['profile', 'both'].includes(String(query.queryType)), 'a flame graph query');
  assert.match(str(query.labelSelector, 'labelSelector'), /^\{.*\}$/);
  assert.ok(isExploreTime(pane.range.from) && isExploreTime(pane.range.to), 'range Grafana can parse');
});

test('profile link: not shown for other tags', () => {
  const pattern = patterns.find((p) => p.key === 'pyroscope.profile.id');
  assert.ok(pattern);
  assert.equal(spanAttributeLink(pattern, span, 'vehicle', trace), undefined);
});

test('logs link: a trace opens its log lines in Grafana Explore (Loki, filtered by trace id)', () => {
  const pattern = patterns.find((p) => p.type === 'traces');
  assert.ok(pattern, 'no trace-level link pattern');
  const link = traceLink(pattern, trace);
  assert.ok(link, 'the Jaeger UI would hide this link (unresolvable parameter)');
  assert.match(link.text, /logs/i);
  const { panes } = parseExploreUrl(link.url);
  const [pane] = panes;
  assert.ok(pane);
  assert.equal(pane.datasource, 'loki');
  const [query] = pane.queries;
  assert.ok(query);
  assert.deepEqual(query.datasource, { type: 'loki', uid: 'loki' });
  const expr = str(query.expr, 'expr');
  assert.match(expr, /^\{[^}]*\}/, 'starts with a stream selector');
  assert.ok(expr.includes(TRACE_ID), `the query filters by the trace id: ${expr}`);
  const from = Date.parse(pane.range.from);
  const to = Date.parse(pane.range.to);
  assert.ok(from <= trace.startTime / 1000 && to >= trace.endTime / 1000, 'range covers the trace');
  assert.ok(to - from <= 10 * 60_000, 'range stays close to the trace');
});

test('every datasource uid in a Jaeger link exists in the Grafana provisioning', () => {
  for (const p of patterns) {
    const filled = p.url.replace(/#\{[^{}]*\}/g, 'x');
    if (!filled.includes('/explore?')) continue;
    for (const pane of parseExploreUrl(filled).panes) {
      assert.ok(dsUids.has(pane.datasource), `pane datasource ${pane.datasource}`);
      for (const q of pane.queries) assert.ok(dsUids.has(str(dict(q.datasource, 'q.datasource').uid, 'uid')));
    }
  }
});
