// jaeger/config.yaml (Jaeger v2) and jaeger/ui-config.json: the link patterns into Grafana Explore and the
// Pyroscope UI, checked on the trace of one order as Jaeger v2's /api/traces hands it to the UI, in today's
// span layout and in the resource-in-process one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCompose } from '../src/compose.js';
import { exploreTimeMs, parseExploreUrl } from '../src/explore.js';
import { loadDatasources } from '../src/grafana.js';
import { asUiSpan, fromJaegerApi, type ExportLayout } from '../src/jaeger-api.js';
import {
  getParamNames,
  getParameterAndFormatter,
  spanLinks,
  traceLinks,
  typeMatches,
  VALID_TRACE_KEYS,
  type LinkPattern,
  type UiSpan,
} from '../src/jaeger-links.js';
import { parsePyroscopeUiUrl } from '../src/pyroscope-ui.js';
import { dict, list, readJson, readYaml, str } from '../src/repo.js';
import { HANDLER_SPAN_ID, NOW_MS, ORDER_SPAN_ID, orderTrace, TRACE_ID } from '../src/trace-fixture.js';

const config = dict(readYaml('jaeger', 'config.yaml'), 'jaeger/config.yaml');
const uiConfig = dict(readJson('jaeger', 'ui-config.json'), 'jaeger/ui-config.json');
const patterns = list(uiConfig.linkPatterns, 'linkPatterns').map(
  (p) => dict(p, 'link pattern') as unknown as LinkPattern,
);
const datasources = loadDatasources();
const dsUids = new Set(datasources.map((d) => d.uid));
const CPU = 'wall:cpu:nanoseconds:wall:nanoseconds';
const PROFILE_ID = 'pyroscope.profile.id';
/** How often the demo's apps upload a profile (docker-compose.yml). */
const FLUSH_INTERVAL_MS = Number(
  loadCompose().services.get('load-generator')?.environment.PYROSCOPE_FLUSH_INTERVAL_MS,
);

/** The trace's spans as the Jaeger UI holds them, by name. */
function uiSpans(layout: ExportLayout, serviceNameOnRoots: boolean) {
  const { spans, trace } = orderTrace(serviceNameOnRoots);
  const byName = new Map(spans.map((s) => [s.name, asUiSpan(fromJaegerApi(s, layout))]));
  const span = (name: string): UiSpan => {
    const found = byName.get(name);
    assert.ok(found, name);
    return found;
  };
  return { span, trace };
}

// today's exporter (resource attributes copied into span tags), and the resource in the Process with the
// span attribute service.name on local roots (what the apps must send once resource attributes move)
const LAYOUTS: { layout: ExportLayout; serviceNameOnRoots: boolean }[] = [
  { layout: 'resource-in-span-tags', serviceNameOnRoots: false },
  { layout: 'resource-in-process', serviceNameOnRoots: true },
];

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

test('span links use no formatters: the Jaeger UI looks "name | formatter" up literally and hides the link', () => {
  // link-patterns.ts computeLinks resolves `parameter` itself (getParameterInArray / getParameterInTrace), so
  // #{trace.startTime | add 1} never resolves; only trace-level patterns (computeTraceLink) format
  for (const p of patterns.filter((x) => !typeMatches(x, ['traces']) || x.type === undefined)) {
    for (const param of [...getParamNames(p.url), ...getParamNames(p.text)])
      assert.equal(getParameterAndFormatter(param).parameterName, param.trim(), `#{${param}} in ${p.text}`);
  }
  for (const p of patterns.filter((x) => x.type === 'traces')) {
    for (const param of [...getParamNames(p.url), ...getParamNames(p.text)]) {
      const { parameterName, unknownFormatters } = getParameterAndFormatter(param);
      assert.deepEqual(unknownFormatters, [], `#{${param}}: unknown formatter`);
      // trace links know traceID, startTime, … — not trace.traceID
      assert.ok((VALID_TRACE_KEYS as readonly string[]).includes(parameterName), `traces link: #{${param}}`);
    }
  }
  for (const p of patterns)
    assert.doesNotMatch(
      p.url.replace(/#\{[^{}]*\}/g, ''),
      /[\s"{}#]/,
      'the URL template must be URL-encoded',
    );
});

test('no link makes the Jaeger UI log a console error; trace links come out the same with formatters run twice (jaeger-ui 2.19) or once', () => {
  for (const { layout, serviceNameOnRoots } of LAYOUTS) {
    const { span, trace } = uiSpans(layout, serviceNameOnRoots);
    for (const name of ['OrderVehicle', 'CarHandler']) {
      const { links, consoleErrors } = spanLinks(patterns, span(name), PROFILE_ID, trace);
      assert.ok(links.length > 0, `${layout}: ${name} has links`);
      assert.deepEqual(consoleErrors, [], `${layout}: ${name}`);
    }
    const twice = traceLinks(patterns, trace, 'jaeger-ui-2.19');
    const once = traceLinks(patterns, trace, 'format-once');
    assert.ok(twice.links.length > 0);
    assert.deepEqual(twice.consoleErrors, [], 'trace links: formatters meeting formatted values');
    assert.deepEqual(once.consoleErrors, []);
    assert.deepEqual(twice.links, once.links, 'the URL must not depend on how often the UI formats');
  }
});

test('profile link: a span tagged pyroscope.profile.id opens its CPU flame graph in Grafana Explore', () => {
  for (const { layout, serviceNameOnRoots } of LAYOUTS) {
    const { span, trace } = uiSpans(layout, serviceNameOnRoots);
    for (const [name, spanId] of [
      ['OrderVehicle', ORDER_SPAN_ID],
      ['CarHandler', HANDLER_SPAN_ID],
    ] as const) {
      const links = spanLinks(patterns, span(name), PROFILE_ID, trace).links.filter((l) =>
        l.url.startsWith('http://localhost:3000/'),
      );
      assert.equal(links.length, 1, `${layout}: one Grafana link on ${name}`);
      const [link] = links;
      assert.ok(link);
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
      assert.deepEqual(query.spanSelector, [spanId], 'span selector = the span id');
      assert.equal(query.profileTypeId, CPU, 'CPU time of the wall profile');
      assert.ok(['profile', 'both'].includes(String(query.queryType)), 'a flame graph query');
      assert.match(str(query.labelSelector, 'labelSelector'), /^\{.*service_name.*\}$/);
    }
  }
});

test("profile link range: relative (span links cannot format Jaeger's microseconds into a time Grafana reads), wide enough for a 3-hour-old trace", () => {
  const { span, trace } = uiSpans('resource-in-process', true);
  const [link] = spanLinks(patterns, span('CarHandler'), PROFILE_ID, trace).links;
  assert.ok(link);
  const [pane] = parseExploreUrl(link.url).panes;
  assert.ok(pane);
  for (const value of [pane.range.from, pane.range.to])
    assert.match(value, /^now(-\d+[smhdw])?$/, `relative: ${value}`);
  const from = exploreTimeMs(pane.range.from, NOW_MS);
  const to = exploreTimeMs(pane.range.to, NOW_MS);
  // the upload holding the span's samples started up to one flush interval before the span
  assert.ok(from <= trace.startTime / 1000 - FLUSH_INTERVAL_MS, 'covers the trace and its profile upload');
  assert.ok(to >= trace.endTime / 1000);
});

test("Pyroscope UI link: the local root's service, region and span name, up to the end of the trace", () => {
  for (const { layout, serviceNameOnRoots } of LAYOUTS) {
    const { span, trace } = uiSpans(layout, serviceNameOnRoots);
    const pyroscope = (name: string) =>
      spanLinks(patterns, span(name), PROFILE_ID, trace)
        .links.filter((l) => l.url.startsWith('http://localhost:4040/'))
        .map((l) => ({ text: l.text, ...parsePyroscopeUiUrl(l.url, NOW_MS).link }));

    const handler = pyroscope('CarHandler');
    assert.deepEqual(
      handler.map((l) => l.matchers),
      [
        { service_name: 'rideshare', region: 'eu-north', span_name: 'CarHandler' },
        { service_name: 'rideshare', span_name: 'CarHandler' },
      ],
      `${layout}: this region, and every region for comparison`,
    );
    // OrderVehicle has no region (the load generator's profiles have none): the region link is hidden
    assert.deepEqual(
      pyroscope('OrderVehicle').map((l) => l.matchers),
      [{ service_name: 'load-generator', span_name: 'OrderVehicle' }],
      layout,
    );
    for (const link of [...handler, ...pyroscope('OrderVehicle')]) {
      assert.equal(link.profileType, CPU);
      assert.match(link.text, new RegExp(`${link.matchers.span_name}.*${link.matchers.service_name}`));
      // Pyroscope selects whole uploads by their start (phlaredb TimeNanos between start and end): the range
      // must begin at least one flush interval before the trace
      assert.ok(link.fromMs <= trace.startTime / 1000 - FLUSH_INTERVAL_MS, `${link.text}: from`);
      assert.equal(link.untilMs, Math.floor(trace.endTime / 1000), `${link.text}: until = the trace's end`);
    }
  }
});

test('without the span attribute service.name on local roots, the resource-in-process layout hides the Pyroscope UI links (Jaeger v2 drops service.name from process tags)', () => {
  const { span, trace } = uiSpans('resource-in-process', false);
  for (const name of ['OrderVehicle', 'CarHandler']) {
    const urls = spanLinks(patterns, span(name), PROFILE_ID, trace).links.map((l) => l.url);
    assert.equal(urls.filter((u) => u.startsWith('http://localhost:4040/')).length, 0, name);
    assert.equal(urls.filter((u) => u.startsWith('http://localhost:3000/')).length, 1, name);
  }
});

test('profile links: not shown for other tags', () => {
  const { span, trace } = uiSpans('resource-in-process', true);
  assert.deepEqual(spanLinks(patterns, span('OrderVehicle'), 'order.vehicle', trace).links, []);
  assert.deepEqual(spanLinks(patterns, span('RequestVehicle'), 'server.address', trace).links, []);
});

test('logs link: a trace opens its log lines in Grafana Explore (Loki, filtered by trace id), trace ± 60 s', () => {
  const { trace } = orderTrace(true);
  const links = traceLinks(patterns, trace).links;
  assert.equal(links.length, 1, 'one trace-level link');
  const [link] = links;
  assert.ok(link);
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
  assert.equal(exploreTimeMs(pane.range.from, NOW_MS), trace.startTime / 1000 - 60_000);
  assert.equal(exploreTimeMs(pane.range.to, NOW_MS), trace.endTime / 1000 + 60_000);
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
