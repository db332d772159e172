// docker-compose.yml: pinned images, health-gated startup, and the environment the apps read.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { BACKENDS, hostPort, loadCompose, REGIONS, type Service } from '../src/compose.js';
import { dict, readText, readYaml, repoPath, str } from '../src/repo.js';

const { services } = loadCompose();
const service = (name: string): Service => {
  const s = services.get(name);
  assert.ok(s, `compose service "${name}" is missing`);
  return s;
};
const APPS = [...REGIONS, 'load-generator'];

test('the demo services exist: backends, Grafana, three rideshare regions, load generator', () => {
  assert.deepEqual(
    [...services.keys()].sort(),
    [...BACKENDS, 'grafana', ...REGIONS, 'load-generator'].sort(),
  );
});

test('every image is pinned to a released version (no latest, no bare name, no floating major)', () => {
  for (const s of services.values()) {
    if (s.image === undefined) {
      assert.ok(s.build, `${s.name}: neither image nor build`);
      continue;
    }
    const match = /^([a-z0-9./_-]+):([\w][\w.-]*)(@sha256:[0-9a-f]{64})?$/.exec(s.image);
    assert.ok(match, `${s.name}: image "${s.image}" has no tag`);
    const tag = match[2] ?? '';
    assert.notEqual(tag.toLowerCase(), 'latest', `${s.name}: uses latest`);
    assert.match(tag, /^v?\d+\.\d+\.\d+/, `${s.name}: tag "${tag}" is not a full x.y.z version`);
  }
});

test('the backends run the images the README and configs are written for', () => {
  assert.match(
    service('jaeger').image ?? '',
    /^jaegertracing\/jaeger:2\./,
    'Jaeger v2 (jaegertracing/jaeger:2.x)',
  );
  assert.match(service('loki').image ?? '', /^grafana\/loki:3\./, 'Loki 3.x');
  assert.match(service('pyroscope').image ?? '', /^grafana\/pyroscope:/);
  assert.match(service('grafana').image ?? '', /^grafana\/grafana:/);
});

test('the apps are built from the repo Dockerfile, with APP naming an existing app workspace', () => {
  for (const name of APPS) {
    const s = service(name);
    assert.ok(s.build, `${name}: not built from the repo`);
    assert.equal(s.build.context, '.', `${name}: build context`);
    const dockerfile = typeof s.build.dockerfile === 'string' ? s.build.dockerfile : 'Dockerfile';
    assert.ok(existsSync(repoPath(dockerfile)), `${name}: ${dockerfile} does not exist`);
    const app = str(dict(s.build.args, `${name}.build.args`).APP, `${name}.build.args.APP`);
    assert.equal(app, name === 'load-generator' ? 'load-generator' : 'rideshare');
    assert.ok(existsSync(repoPath('apps', app, 'package.json')), `apps/${app} is not a workspace`);
  }
});

test('each rideshare region sets REGION to its service name, a PORT and the rideshare service name', () => {
  for (const region of REGIONS) {
    const env = service(region).environment;
    assert.equal(env.REGION, region, `${region}: REGION`);
    assert.match(env.PORT ?? '', /^\d+$/, `${region}: PORT`);
    assert.equal(env.OTEL_SERVICE_NAME, 'rideshare', `${region}: OTEL_SERVICE_NAME`);
  }
  assert.equal(service('load-generator').environment.OTEL_SERVICE_NAME, 'load-generator');
});

test('RIDESHARE_URLS names exactly the rideshare services, each on its PORT', () => {
  const urls = (service('load-generator').environment.RIDESHARE_URLS ?? '').split(',').filter(Boolean);
  const targets = urls.map((u) => hostPort(u));
  assert.deepEqual(targets.map((t) => t.host).sort(), [...REGIONS].sort());
  for (const { host, port } of targets) {
    assert.equal(String(port), service(host).environment.PORT, `${host}: URL port vs its PORT`);
  }
});

test('every app container is pointed at the backends on the ports they listen on', () => {
  const jaegerConfig = dict(readYaml('jaeger', 'config.yaml'), 'jaeger/config.yaml');
  const otlp = dict(dict(jaegerConfig.receivers, 'receivers').otlp, 'receivers.otlp');
  const otlpHttp = dict(dict(otlp.protocols, 'protocols').http, 'otlp http');
  const otlpPort = Number(str(otlpHttp.endpoint, 'otlp http endpoint').split(':').pop());
  for (const name of APPS) {
    const env = service(name).environment;
    // the OTLP exporter appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT, over HTTP/protobuf unless told
    const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
    assert.deepEqual(
      hostPort(endpoint),
      { host: 'jaeger', port: otlpPort },
      `${name}: OTEL_EXPORTER_OTLP_ENDPOINT`,
    );
    assert.equal(new URL(endpoint).pathname, '/', `${name}: the base URL, without /v1/traces`);
    assert.ok(
      [undefined, 'http/protobuf'].includes(env.OTEL_EXPORTER_OTLP_PROTOCOL),
      `${name}: Jaeger's 4318 takes OTLP over HTTP`,
    );
    assert.deepEqual(hostPort(env.PYROSCOPE_SERVER_ADDRESS ?? ''), { host: 'pyroscope', port: 4040 }, name);
    assert.deepEqual(hostPort(env.LOKI_URL ?? ''), { host: 'loki', port: 3100 }, `${name}: LOKI_URL`);
    assert.ok(
      ['', undefined, 'otlp'].includes(env.OTEL_TRACES_EXPORTER),
      `${name}: traces must go to Jaeger by OTLP`,
    );
    assert.notEqual(env.PYROSCOPE_ENABLED, 'false', `${name}: profiling disabled`);
    assert.notEqual(env.OTEL_SDK_DISABLED, 'true', `${name}: tracing disabled`);
    assert.equal(
      env.DEBUG_TRACER,
      '${DEBUG_TRACER:-}',
      `${name}: DEBUG_TRACER passed through from the shell`,
    );
    assert.ok(
      Number(env.PYROSCOPE_FLUSH_INTERVAL_MS) <= 15000,
      `${name}: profiles should flush quickly in the demo`,
    );
  }
});

test('backends have health checks; depends_on waits for service_healthy wherever one exists', () => {
  for (const name of BACKENDS) assert.ok(service(name).healthcheck, `${name}: no healthcheck`);
  for (const s of services.values()) {
    for (const [dep, condition] of Object.entries(s.dependsOn)) {
      assert.ok(services.has(dep), `${s.name} depends on unknown service ${dep}`);
      if (service(dep).healthcheck) assert.equal(condition, 'service_healthy', `${s.name} → ${dep}`);
    }
  }
  for (const name of APPS) {
    for (const backend of BACKENDS) {
      assert.equal(service(name).dependsOn[backend], 'service_healthy', `${name} must wait for ${backend}`);
    }
  }
  for (const region of REGIONS) assert.equal(service('load-generator').dependsOn[region], 'service_healthy');
});

// What each image contains (checked against the images' Dockerfiles): a healthcheck must use a tool that exists.
const HEALTHCHECK_TOOLS: { image: RegExp; shell: boolean; tools: string[] }[] = [
  { image: /^jaegertracing\/jaeger:/, shell: true, tools: ['wget'] }, // alpine base: busybox
  { image: /^grafana\/loki:/, shell: true, tools: ['wget'] }, // distroless static:debug: busybox
  { image: /^grafana\/pyroscope:/, shell: false, tools: ['profilecli', 'pyroscope'] }, // distroless static
  { image: /^grafana\/grafana:/, shell: true, tools: ['wget', 'curl'] }, // alpine
];

test('health checks only use tools that exist in each image', () => {
  for (const s of services.values()) {
    if (!s.healthcheck) continue;
    const testCmd = s.healthcheck.test;
    assert.ok(Array.isArray(testCmd), `${s.name}: healthcheck.test should be a list`);
    const [kind, first = ''] = testCmd.map(String);
    const tool = kind === 'CMD-SHELL' ? (first.split(/\s+/)[0] ?? '') : first;
    if (s.image === undefined) {
      assert.equal(tool, 'node', `${s.name}: node:*-slim has no curl/wget; use node`);
      continue;
    }
    const known = HEALTHCHECK_TOOLS.find((k) => k.image.test(s.image ?? ''));
    assert.ok(known, `${s.name}: no record of what ${s.image} contains`);
    if (!known.shell) assert.equal(kind, 'CMD', `${s.name}: ${s.image} has no shell, CMD-SHELL cannot run`);
    assert.ok(known.tools.includes(tool), `${s.name}: "${tool}" is not in ${s.image}`);
  }
});

test('Jaeger runs our config, with the UI config mounted where the config expects it', () => {
  const jaeger = service('jaeger');
  const configArg = jaeger.command.find((c) => c.startsWith('--config'));
  assert.ok(configArg, 'jaeger: no --config');
  const configPath = configArg.includes('=')
    ? configArg.split('=')[1]
    : jaeger.command[jaeger.command.indexOf(configArg) + 1];
  const mount = (target: string | undefined) => jaeger.volumes.find((v) => v.target === target);
  assert.equal(mount(configPath)?.source, './jaeger/config.yaml');
  const config = dict(readYaml('jaeger', 'config.yaml'), 'jaeger config');
  const query = dict(dict(config.extensions, 'extensions').jaeger_query, 'jaeger_query');
  const uiFile = str(dict(query.ui, 'jaeger_query.ui').config_file, 'ui.config_file');
  assert.equal(mount(uiFile)?.source, './jaeger/ui-config.json');
  for (const v of jaeger.volumes) assert.ok(existsSync(repoPath(v.source)), `${v.source} does not exist`);
});

test('Jaeger UI is published on host ports 4000 (as in the original example) and 16686', () => {
  const ui = service('jaeger')
    .ports.filter((p) => p.container === 16686)
    .map((p) => p.host);
  assert.deepEqual(
    ui.sort((a, b) => a - b),
    [4000, 16686],
  );
});

test('Grafana: demo-only anonymous admin (commented), no removed feature toggles, provisioning mounted', () => {
  const grafana = service('grafana');
  assert.equal(grafana.environment.GF_AUTH_ANONYMOUS_ENABLED, 'true');
  assert.equal(grafana.environment.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Admin');
  // traceToProfiles and tracesEmbeddedFlameGraph were removed in Grafana 10.4 (grafana/grafana PR #80792):
  // the embedded span flame graph needs no toggle, and setting them does nothing
  const toggles = (grafana.environment.GF_FEATURE_TOGGLES_ENABLE ?? '').split(/[\s,]+/);
  for (const removed of ['traceToProfiles', 'tracesEmbeddedFlameGraph'])
    assert.ok(!toggles.includes(removed), `${removed} no longer exists`);
  const text = readText('docker-compose.yml');
  assert.match(
    text,
    /DEMO ONLY[^\n]*\n\s*GF_AUTH_ANONYMOUS_ENABLED/,
    'anonymous Admin needs a demo-only comment',
  );
  const targets = new Map(grafana.volumes.map((v) => [v.target, v.source]));
  assert.equal(targets.get('/etc/grafana/provisioning'), './grafana/provisioning');
  assert.ok(grafana.ports.some((p) => p.host === 3000 && p.container === 3000));
});

test('no Docker logging plugin: the apps push their own logs', () => {
  for (const s of services.values()) {
    const logging = s.raw.logging;
    if (logging !== undefined)
      assert.notEqual(dict(logging, 'logging').driver, 'loki', `${s.name}: loki driver`);
  }
});
