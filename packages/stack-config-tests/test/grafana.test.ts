// Grafana provisioning and the Ride-share dashboard.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostPort, loadCompose, REGIONS } from '../src/compose.js';
import {
  DATASOURCES_FILE,
  datasourceRefs,
  grafanaUnescape,
  loadDashboardProviders,
  loadDashboards,
  loadDatasources,
  panels,
} from '../src/grafana.js';
import { embeddedFlameGraphQuery, type TracesToProfiles } from '../src/grafana-trace-view.js';
import { fromJaegerApi } from '../src/jaeger-api.js';
import { parseSelector } from '../src/promql-selector.js';
import { dict, list, readText, str } from '../src/repo.js';
import { HANDLER_SPAN_ID, ORDER_SPAN_ID, orderTrace } from '../src/trace-fixture.js';

const datasources = loadDatasources();
const byUid = new Map(datasources.map((d) => [d.uid, d]));
const { services } = loadCompose();
const CPU = 'wall:cpu:nanoseconds:wall:nanoseconds';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

test('data sources have fixed, unique uids and the expected types', () => {
  assert.equal(byUid.size, datasources.length, 'duplicate uid');
  assert.equal(byUid.get('jaeger')?.type, 'jaeger');
  assert.equal(byUid.get('loki')?.type, 'loki');
  assert.equal(byUid.get('pyroscope')?.type, 'grafana-pyroscope-datasource');
});

test('data source URLs point at compose services on their container ports', () => {
  const expected: Record<string, { host: string; port: number }> = {
    jaeger: { host: 'jaeger', port: 16686 },
    loki: { host: 'loki', port: 3100 },
    pyroscope: { host: 'pyroscope', port: 4040 },
  };
  for (const ds of datasources) {
    const target = hostPort(ds.url);
    assert.deepEqual(target, expected[ds.uid], `${ds.uid}: ${ds.url}`);
    assert.ok(services.has(target.host), `${ds.uid}: no compose service ${target.host}`);
  }
});

test('cross-links reference data sources that exist', () => {
  const jaeger = byUid.get('jaeger');
  assert.ok(jaeger);
  const logs = dict(jaeger.jsonData.tracesToLogsV2, 'tracesToLogsV2');
  assert.equal(byUid.get(str(logs.datasourceUid, 'tracesToLogsV2.datasourceUid'))?.type, 'loki');
  const profiles = dict(jaeger.jsonData.tracesToProfiles, 'tracesToProfiles');
  assert.equal(
    byUid.get(str(profiles.datasourceUid, 'tracesToProfiles.datasourceUid'))?.type,
    'grafana-pyroscope-datasource',
  );
  const loki = byUid.get('loki');
  assert.ok(loki);
  const fields = list(loki.jsonData.derivedFields, 'derivedFields').map((f) => dict(f, 'derived field'));
  const internal = fields.filter((f) => f.datasourceUid !== undefined);
  assert.ok(internal.length > 0, 'a derived field linking to the Jaeger data source');
  for (const f of internal) assert.equal(byUid.get(str(f.datasourceUid, 'datasourceUid'))?.type, 'jaeger');
});

test('trace → profiles: CPU profile type, service.name mapped to service_name', () => {
  const profiles = dict(byUid.get('jaeger')?.jsonData.tracesToProfiles, 'tracesToProfiles');
  assert.equal(profiles.profileTypeId, CPU);
  assert.notEqual(profiles.customQuery, true, 'the selector is built from the tags mapping');
  const tags = list(profiles.tags, 'tags').map((t) => dict(t, 'tag'));
  assert.deepEqual(tags, [{ key: 'service.name', value: 'service_name' }]);
});

test('trace → profiles: the embedded flame graph of each local root selects its service and its span id', () => {
  const options = dict(
    byUid.get('jaeger')?.jsonData.tracesToProfiles,
    'tracesToProfiles',
  ) as TracesToProfiles;
  // today's exporter (resource attributes in span tags), and the resource in the Process with service.name
  // as a span attribute of local roots: Jaeger v2's API drops service.name from process tags either way
  for (const [layout, serviceNameOnRoots] of [
    ['resource-in-span-tags', false],
    ['resource-in-process', true],
  ] as const) {
    const { spans, trace } = orderTrace(serviceNameOnRoots);
    const query = (name: string) => {
      const span = spans.find((s) => s.name === name);
      assert.ok(span, name);
      return embeddedFlameGraphQuery(fromJaegerApi(span, layout), trace.traceID, options);
    };
    for (const [name, service] of [
      ['OrderVehicle', 'load-generator'],
      ['CarHandler', 'rideshare'],
    ] as const) {
      const q = query(name);
      assert.ok(q, `${layout}: ${name} gets a flame graph`);
      assert.deepEqual(
        parseSelector(q.labelSelector).matchers,
        [{ label: 'service_name', op: '=', value: service }],
        `${layout}: ${name}: ${q.labelSelector}`,
      );
      assert.deepEqual(q.spanSelector, [name === 'OrderVehicle' ? ORDER_SPAN_ID : HANDLER_SPAN_ID]);
      assert.equal(q.profileTypeId, CPU);
    }
    assert.equal(
      query('RequestVehicle'),
      undefined,
      'no flame graph for a span without pyroscope.profile.id',
    );
  }
  // and why the span attribute is needed: with service.name only in the resource, the selector is empty
  const { spans, trace } = orderTrace(false);
  const handler = spans.find((s) => s.name === 'CarHandler');
  assert.ok(handler);
  assert.equal(
    embeddedFlameGraphQuery(fromJaegerApi(handler, 'resource-in-process'), trace.traceID, options)
      ?.labelSelector,
    '{}',
  );
});

test('trace → logs: filtered by trace id; the query Grafana runs contains the trace id', () => {
  const logs = dict(byUid.get('jaeger')?.jsonData.tracesToLogsV2, 'tracesToLogsV2');
  assert.equal(logs.filterByTraceID, true);
  if (logs.customQuery === true) {
    const query = grafanaUnescape(str(logs.query, 'tracesToLogsV2.query'));
    const run = query.replace('${__trace.traceId}', TRACE_ID);
    assert.ok(run.includes(TRACE_ID), `query after interpolation: ${run}`);
    assert.match(run, /^\{[^}]+\}/, 'starts with a stream selector');
  }
});

test('log → trace: the derived field regex extracts trace_id from an app log line', () => {
  // what pino writes inside a span (JSON, no spaces), as pushed to Loki by our pino transport
  const line = JSON.stringify({
    level: 'info',
    time: 1764072000000,
    service_name: 'rideshare',
    region: 'eu-north',
    trace_id: TRACE_ID,
    span_id: '00f067aa0ba902b7',
    trace_flags: '01',
    vehicle: 'car',
    duration_ms: 812,
    msg: 'order served',
  });
  const fields = list(byUid.get('loki')?.jsonData.derivedFields, 'derivedFields').map((f) =>
    dict(f, 'field'),
  );
  for (const f of fields) {
    const match = new RegExp(str(f.matcherRegex, 'matcherRegex')).exec(line);
    assert.equal(match?.[1], TRACE_ID, `${String(f.name)}: regex must capture the trace id`);
    const url = grafanaUnescape(str(f.url, 'url')).replace('${__value.raw}', match?.[1] ?? '');
    assert.ok(url.includes(TRACE_ID), `${String(f.name)}: link after interpolation: ${url}`);
  }
  assert.equal(new RegExp(str(fields[0]?.matcherRegex, 'regex')).exec('{"msg":"no span here"}'), null);
});

test('provisioning YAML escapes Grafana variables as $${…} (a single $ would be expanded from the environment)', () => {
  const lines = readText(DATASOURCES_FILE)
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'));
  const offenders = lines.filter((l) => /(?<!\$)\$(?!\$)\{?\w/.test(l.replace(/\$\$/g, '')));
  assert.deepEqual(offenders, [], 'unescaped $ in provisioning');
  assert.ok(
    lines.some((l) => l.includes('$${__value.raw}')),
    'derived field uses $${__value.raw}',
  );
});

test('dashboard provider path is where compose mounts grafana/dashboards', () => {
  const grafana = services.get('grafana');
  assert.ok(grafana);
  const mounts = new Map(grafana.volumes.map((v) => [v.source, v.target]));
  const target = mounts.get('./grafana/dashboards');
  assert.ok(target, 'grafana/dashboards is not mounted');
  const paths = loadDashboardProviders().map((p) => str(dict(p.options, 'provider.options').path, 'path'));
  assert.ok(paths.includes(target), `providers load ${paths.join(', ')}, compose mounts ${target}`);
  assert.equal(mounts.get('./grafana/provisioning'), '/etc/grafana/provisioning');
});

const dashboards = loadDashboards();
const rideshare = dashboards.find((d) => d.json.title === 'Ride-share')?.json;

test('the "Ride-share" dashboard exists; every panel is titled and described', () => {
  assert.ok(rideshare, 'no dashboard titled Ride-share');
  for (const p of panels(rideshare)) {
    if (p.type === 'row') continue;
    assert.ok(typeof p.title === 'string' && p.title.length > 10, `panel ${String(p.id)}: title`);
    assert.ok(
      typeof p.description === 'string' && p.description.length > 20,
      `${String(p.title)}: description`,
    );
  }
});

test('every datasource uid in the dashboards exists, with the matching type', () => {
  for (const { file, json } of dashboards) {
    const refs = datasourceRefs(json);
    assert.ok(refs.length > 0, `${file}: no datasource references`);
    for (const ref of refs) {
      const ds = byUid.get(ref.uid);
      assert.ok(ds, `${file} ${ref.path}: unknown uid ${ref.uid}`);
      if (ref.type !== undefined) assert.equal(ref.type, ds.type, `${file} ${ref.path}`);
    }
  }
});

const targetsOf = (type: string): { panel: string; target: Record<string, unknown> }[] =>
  rideshare
    ? panels(rideshare)
        .filter((p) => dict(p.datasource ?? {}, 'ds').uid === type)
        .flatMap((p) =>
          list(p.targets ?? [], 'targets').map((t) => ({ panel: String(p.title), target: dict(t, 't') })),
        )
    : [];

test('latency by region comes from the order logs (duration_ms, by region)', () => {
  const latency = targetsOf('loki').filter(({ target }) => /unwrap duration_ms/.test(String(target.expr)));
  assert.ok(latency.length > 0, 'no Loki query unwrapping duration_ms');
  for (const { target } of latency) {
    assert.match(String(target.expr), /\{service_name="rideshare"\}/);
    assert.match(String(target.expr), /by \(region\)/);
  }
});

test('flame graphs by region and vehicle use the CPU profile type', () => {
  const pyro = targetsOf('pyroscope');
  assert.ok(pyro.length > 0);
  for (const { panel, target } of pyro) assert.equal(target.profileTypeId, CPU, panel);
  const flame = panels(rideshare ?? {}).filter((p) => p.type === 'flamegraph');
  assert.ok(flame.length >= 2, 'flame graphs for the inspected and the baseline region');
  for (const p of flame) {
    const selector = String(dict(list(p.targets, 'targets')[0], 'target').labelSelector);
    assert.match(selector, /service_name="rideshare"/);
    assert.match(selector, /region="\$\w+"/, `${String(p.title)}: by region`);
    assert.match(selector, /span_name=~"\$vehicle"/, `${String(p.title)}: by vehicle (handler span)`);
  }
});

test('slow/error logs panels exist, using the level names our Loki transport writes (as pino-loki does)', () => {
  const logs = panels(rideshare ?? {}).filter((p) => p.type === 'logs');
  const exprs = logs.flatMap((p) => list(p.targets, 'targets').map((t) => String(dict(t, 't').expr)));
  // the Loki transport (like pino-loki 3) labels streams level=debug|info|warning|error|critical (not pino's "warn"/"fatal")
  assert.ok(
    exprs.some((e) => /level=~"[^"]*warning[^"]*"/.test(e) && /error/.test(e)),
    'warnings and errors',
  );
  for (const e of exprs) assert.doesNotMatch(e, /level=~?"[^"]*\b(warn|fatal)\b/, `pino level name in: ${e}`);
  assert.ok(
    exprs.some((e) => /duration_ms >/.test(e)),
    'slow orders',
  );
});

test('dashboard variables: every $variable used is defined; region options are the compose regions', () => {
  assert.ok(rideshare);
  const vars = list(dict(rideshare.templating, 'templating').list, 'list').map((v) => dict(v, 'variable'));
  const names = new Set(vars.map((v) => str(v.name, 'variable name')));
  const used = JSON.stringify(rideshare.panels).match(/\$(?!__)(\w+)/g) ?? [];
  for (const u of used) assert.ok(names.has(u.slice(1)), `${u} is not a dashboard variable`);
  for (const v of vars.filter((x) => x.name === 'region' || x.name === 'baseline')) {
    assert.deepEqual(String(v.query).split(',').sort(), [...REGIONS].sort(), `${String(v.name)} options`);
  }
});
