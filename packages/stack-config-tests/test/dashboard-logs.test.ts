// The Ride-share dashboard against what the apps really log and do by default (read from their source):
// every Loki query names stream labels our transport sets and fields the apps write, and within two minutes
// of start every log panel has lines to show.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COMMON_LOG_FIELDS,
  integerDefault,
  logCalls,
  oneOfDefault,
  SPAN_LOG_FIELDS,
  STREAM_LABELS,
  type LogCall,
} from '../src/app-source.js';
import { loadCompose, REGIONS } from '../src/compose.js';
import { loadDashboards, panels } from '../src/grafana.js';
import { parseLogQuery } from '../src/logql.js';
import { dict, list, str } from '../src/repo.js';

const dashboard = loadDashboards().find((d) => d.json.title === 'Ride-share')?.json;
assert.ok(dashboard, 'no Ride-share dashboard');
const variables = list(dict(dashboard.templating, 'templating').list, 'variables').map((v) =>
  dict(v, 'variable'),
);
const variableDefault = (name: string): string =>
  str(dict(variables.find((v) => v.name === name)?.current, `${name}.current`).value, `${name} value`);

const CALLS: Record<string, LogCall[]> = {
  rideshare: logCalls('apps/rideshare/src'),
  'load-generator': logCalls('apps/load-generator/src'),
};
const RIDESHARE_CONFIG = 'apps/rideshare/src/config.ts';
const LOAD_GENERATOR_CONFIG = 'apps/load-generator/src/config.ts';

const lokiQueries = panels(dashboard).flatMap((p) =>
  dict(p.datasource ?? {}, 'datasource').uid === 'loki'
    ? list(p.targets ?? [], 'targets').map((t) => ({
        panel: String(p.title),
        type: String(p.type),
        expr: str(dict(t, 'target').expr, 'expr'),
      }))
    : [],
);
const slowOrders = lokiQueries.find((q) => q.panel.startsWith('Slow orders'));

/** The services a stream selector picks (service_name = or =~). */
function servicesOf(expr: string): string[] {
  const matcher = parseLogQuery(expr).stream.find((m) => m.label === 'service_name');
  assert.ok(matcher, `${expr}: no service_name matcher`);
  const all = Object.keys(CALLS);
  if (matcher.op === '=') return all.filter((s) => s === matcher.value);
  if (matcher.op === '=~') return all.filter((s) => new RegExp(`^(?:${matcher.value})$`).test(s));
  throw new Error(`${expr}: service_name ${matcher.op}`);
}

test('the apps log what the dashboard reads: the order lines and their fields were found in the source', () => {
  const placed = CALLS.rideshare?.find((c) => c.msg === 'order placed');
  assert.ok(placed, 'rideshare logs "order placed"');
  for (const field of ['duration_ms', 'vehicle', 'schedule_cache_bypassed'])
    assert.ok(placed.fields.includes(field), `"order placed" has ${field}: ${placed.fields.join()}`);
  // the warning repeats the duration under another name, so latency is not counted twice
  const slow = CALLS.rideshare?.find((c) => c.msg === 'slow order');
  assert.ok(slow && slow.level === 'warn' && !slow.fields.includes('duration_ms'));
});

test('every Loki query names stream labels the transport sets and fields the selected services write', () => {
  assert.ok(lokiQueries.length >= 4);
  for (const { panel, expr } of lokiQueries) {
    const query = parseLogQuery(expr);
    for (const m of query.stream)
      assert.ok(STREAM_LABELS.includes(m.label), `${panel}: stream label ${m.label}`);
    for (const label of query.groupBy)
      assert.ok(STREAM_LABELS.includes(label), `${panel}: by (${label}) must be a stream label`);
    const services = servicesOf(expr);
    assert.ok(services.length > 0, `${panel}: selects no service`);
    // a msg="…" filter narrows the fields to that line's
    const msg = query.filters.find((f) => f.field === 'msg' && f.op === '=')?.value;
    const calls = services.flatMap((s) => CALLS[s] ?? []).filter((c) => msg === undefined || c.msg === msg);
    assert.ok(calls.length > 0, `${panel}: no ${services.join('/')} line "${msg}"`);
    const fields = new Set([...COMMON_LOG_FIELDS, ...SPAN_LOG_FIELDS, ...calls.flatMap((c) => c.fields)]);
    const used = [
      ...query.filters.map((f) => f.field),
      ...(query.unwrap === undefined ? [] : [query.unwrap]),
    ].filter((f) => f !== '__error__');
    if (used.length > 0) assert.ok(query.json, `${panel}: fields need | json`);
    for (const field of used)
      assert.ok(fields.has(field), `${panel}: no line of ${services.join('/')} has ${field}`);
  }
});

test('slow orders: every slow-path order is listed, and the threshold is the one the app warns at (SLOW_ORDER_MS)', () => {
  assert.ok(slowOrders, 'no "Slow orders" panel');
  const { filters } = parseLogQuery(slowOrders.expr);
  // how long a slow eu-north order takes depends on the machine (README: ~60 ms one at a time, 100–450 ms
  // under load, seconds before V8 optimises the scan), so the panel lists the slow path by its flag
  assert.ok(
    filters.some((f) => f.field === 'schedule_cache_bypassed' && f.op === '=' && f.value === 'true'),
    `${slowOrders.expr}: lists orders that bypassed the schedule cache`,
  );
  const threshold = filters.find((f) => f.field === 'duration_ms');
  assert.ok(threshold && ['>=', '>'].includes(threshold.op), 'and orders slower than a threshold');
  assert.equal(threshold.value, '$slow_ms');
  assert.equal(
    Number(variableDefault('slow_ms')),
    integerDefault(RIDESHARE_CONFIG, 'SLOW_ORDER_MS'),
    'the dashboard calls slow what the app warns about',
  );
});

test('within two minutes of start: a whole slow period of eu-north, with car orders in it', () => {
  assert.equal(oneOfDefault(RIDESHARE_CONFIG, 'SLOW_MODE', { region: 'eu-north' }), 'periodic');
  assert.equal(oneOfDefault(RIDESHARE_CONFIG, 'SLOW_MODE', { region: 'us-east' }), 'never');
  const periodS = integerDefault(RIDESHARE_CONFIG, 'SLOW_PERIOD_SECONDS');
  // slow in every other window (apps/rideshare/src/slowdown.ts): any 2 × period holds one whole slow period
  assert.ok(2 * periodS <= 120, `SLOW_PERIOD_SECONDS=${periodS}: the first slow period may start too late`);
  // the load generator's pace: each worker plans (the CPU work of all workers shares one thread), pauses,
  // then orders from a random region and vehicle
  const env = loadCompose().services.get('load-generator')?.environment ?? {};
  const concurrency = Number(env.CONCURRENCY ?? integerDefault(LOAD_GENERATOR_CONFIG, 'CONCURRENCY'));
  const cpuMs = integerDefault(LOAD_GENERATOR_CONFIG, 'ORDER_CPU_MS');
  const pauseMs = integerDefault(LOAD_GENERATOR_CONFIG, 'ORDER_PAUSE_MS');
  const cycleMs = concurrency * cpuMs + pauseMs;
  const euNorthCarShare = 1 / REGIONS.length / 3; // bike, scooter, car
  const carOrders = ((periodS * 1000) / cycleMs) * concurrency * euNorthCarShare;
  assert.ok(carOrders >= 5, `≈ ${carOrders.toFixed(1)} eu-north car orders per slow period`);
});

test('the warnings panel reads what the apps warn about: slow orders, failed orders', () => {
  const warnings = lokiQueries.find((q) => /level=~"[^"]*warning/.test(q.expr));
  assert.ok(warnings, 'a warnings panel');
  const services = servicesOf(warnings.expr);
  assert.ok(services.includes('rideshare'));
  const warns = (CALLS.rideshare ?? []).filter((c) => c.level === 'warn').map((c) => c.msg);
  assert.ok(warns.includes('slow order'), `rideshare warnings: ${warns.join(', ')}`);
  if (services.includes('load-generator')) {
    const failed = (CALLS['load-generator'] ?? []).filter((c) => c.msg === 'order failed');
    assert.ok(failed.length > 0 && failed.every((c) => c.level === 'warn'), 'load generator: order failed');
  }
});
