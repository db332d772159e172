import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KNOWN_VARIABLES,
  NOT_USED_VARIABLES,
  OTEL_SDK_VARIABLES,
  OUR_VARIABLES,
  closestKnown,
  unknownVariableWarnings,
} from '../src/unknown-variables.js';

test('a misspelled variable is warned about once, with the closest variable that is read', () => {
  const warnings = unknownVariableWarnings({
    PYROSCOPE_SAMPLING_INTERVAL_MS: 'abc',
    LOKI_ULR: 'http://loki:3100',
    OTEL_EXPORTER_JEAGER_ENDPOINT: 'http://jaeger:14268/api/traces',
    OTEL_SERVICE_NAME: 'fine',
    PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: '10000',
    REGION: 'eu-north', // not a telemetry prefix: the app's own business
  });
  assert.deepEqual(warnings, [
    'LOKI_ULR is set but nothing reads it: it has no effect (did you mean LOKI_URL?)',
    'OTEL_EXPORTER_JEAGER_ENDPOINT is set but nothing reads it: it has no effect (did you mean OTEL_EXPORTER_JAEGER_ENDPOINT?)',
    'PYROSCOPE_SAMPLING_INTERVAL_MS is set but nothing reads it: it has no effect (did you mean PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS?)',
  ]);
  assert.equal(closestKnown('PYROSCOPE_SERVER_ADRESS'), 'PYROSCOPE_SERVER_ADDRESS');
  assert.equal(closestKnown('OTEL_BSP_SCHEDULED_DELAY'), 'OTEL_BSP_SCHEDULE_DELAY');
  assert.deepEqual(unknownVariableWarnings({ PATH: '/bin', OTEL_TRACES_EXPORTER: 'otlp' }), []);
});

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..', '..');

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

const namesIn = (files: string[], pattern: RegExp) =>
  new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => m[1]!)));

/** The directory of package `name` as `fromDir` resolves it (node's lookup up the node_modules chain). */
function packageDir(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The OpenTelemetry packages this package loads from: its own `@opentelemetry/*` dependencies and theirs,
 * as installed (not the whole scope: other workspaces install sdk-node, which this package does not use).
 */
function otelDependencyClosure(): Map<string, string> {
  const found = new Map<string, string>(); // directory → name
  const visit = (dir: string) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (!name.startsWith('@opentelemetry/')) continue;
      const pkg = packageDir(dir, name);
      if (pkg === undefined || found.has(pkg)) continue;
      found.set(pkg, name);
      visit(pkg);
    }
  };
  visit(packageRoot);
  return found;
}

function otelNamesRead(): Set<string> {
  const files = [...otelDependencyClosure().keys()].flatMap((dir) => {
    const src = join(dir, 'build', 'src');
    return existsSync(src) ? filesUnder(src, '.js') : [];
  });
  return new Set(
    [...namesIn(files, /\b(OTEL_[A-Z0-9_]*[A-Z0-9])\b/g)].filter(
      (name) => !name.startsWith('OTEL_COMPONENT_TYPE_VALUE_'), // attribute values, not variables
    ),
  );
}

test('the list holds every variable the installed SDKs read, so an upgrade cannot add one silently', () => {
  const closure = [...otelDependencyClosure().values()];
  assert.ok(closure.includes('@opentelemetry/sdk-trace-node'), closure.join(' '));
  assert.ok(!closure.includes('@opentelemetry/sdk-node'), 'sdk-node is not loaded by this package');
  const otel = [...otelNamesRead()];
  assert.ok(otel.length > 25, `found ${otel.length} OTEL_ names`);
  const require = createRequire(import.meta.url);
  const pyroscopeEnv = join(
    dirname(require.resolve('@pyroscope/nodejs')),
    '..',
    'esm',
    'utils',
    'get-env.js',
  );
  const pyroscope = [...namesIn([pyroscopeEnv], /'(PYROSCOPE_[A-Z0-9_]+)'/g)];
  assert.ok(pyroscope.length >= 10, `found ${pyroscope.length} in ${pyroscopeEnv}`);
  const missing = [...otel, ...pyroscope].filter((name) => !KNOWN_VARIABLES.has(name));
  assert.deepEqual(missing, [], 'read by a dependency but not in unknown-variables.ts');
});

test('the SDK variables listed are read by an installed SDK, and those listed as not used are not', () => {
  const read = otelNamesRead();
  // the OTLP exporter base builds the signal-specific names at run time (OTEL_EXPORTER_OTLP_${signal}_...)
  const builtAtRunTime = (name: string) => name.startsWith('OTEL_EXPORTER_OTLP_TRACES_');
  assert.deepEqual(
    OTEL_SDK_VARIABLES.filter((name) => !read.has(name) && !builtAtRunTime(name)),
    [],
    'listed as read, but no installed SDK reads it',
  );
  const ours = namesIn(ourSources(), /'((?:OTEL|PYROSCOPE|LOKI)_[A-Z0-9_]+)'/g);
  assert.deepEqual(
    [...NOT_USED_VARIABLES.keys()].filter(
      (name) => read.has(name) || ours.has(name) || KNOWN_VARIABLES.has(name),
    ),
    [],
    'listed as not used, but something reads it',
  );
  assert.ok(NOT_USED_VARIABLES.has('OTEL_METRICS_EXPORTER'));
  assert.ok(NOT_USED_VARIABLES.has('OTEL_LOGS_EXPORTER'));
});

test('a standard variable this demo does not use is warned about with the reason', () => {
  assert.deepEqual(
    unknownVariableWarnings({
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_PROPAGATORS: 'b3',
    }),
    [
      'OTEL_LOGS_EXPORTER is set but this demo does not use it: this demo sends no OpenTelemetry log records ' +
        '(its logs go from pino to Loki: LOKI_URL)',
      'OTEL_METRICS_EXPORTER is set but this demo does not use it: this demo sends no OpenTelemetry metrics',
    ],
  );
});

/** Our sources that read variables (unknown-variables.ts only lists them). */
const ourSources = () =>
  filesUnder(join(packageRoot, 'src'), '.ts').filter((file) => !file.endsWith('unknown-variables.ts'));

test('every variable our own code reads is listed as ours', () => {
  const ours = namesIn(ourSources(), /'((?:OTEL|PYROSCOPE|LOKI)_[A-Z0-9_]+)'/g);
  const listed = new Set<string>(OUR_VARIABLES);
  const missing = [...ours].filter((name) => !KNOWN_VARIABLES.has(name));
  assert.deepEqual(missing, []);
  assert.ok(listed.has('LOKI_URL'));
  // what NodeSDK read and trace-sdk.ts reads now
  for (const name of ['OTEL_PROPAGATORS', 'OTEL_NODE_RESOURCE_DETECTORS', 'OTEL_LOG_LEVEL']) {
    assert.ok(ours.has(name) && listed.has(name), name);
  }
});
