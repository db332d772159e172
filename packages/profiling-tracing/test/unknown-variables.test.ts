import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KNOWN_VARIABLES,
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

test('the list holds every variable the installed SDKs read, so an upgrade cannot add one silently', () => {
  const require = createRequire(import.meta.url);
  const sdkNode = require.resolve('@opentelemetry/sdk-node');
  const otelScope = sdkNode.slice(0, sdkNode.lastIndexOf('@opentelemetry') + '@opentelemetry'.length);
  const otelFiles = readdirSync(otelScope).flatMap((pkg) => {
    const src = join(otelScope, pkg, 'build', 'src');
    try {
      return filesUnder(src, '.js');
    } catch {
      return [];
    }
  });
  const otel = [...namesIn(otelFiles, /\b(OTEL_[A-Z0-9_]*[A-Z0-9])\b/g)].filter(
    (name) => !name.startsWith('OTEL_COMPONENT_TYPE_VALUE_'), // attribute values, not variables
  );
  assert.ok(otel.length > 50, `found ${otel.length} OTEL_ names in ${otelScope}`);
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

test('every variable our own code reads is listed as ours', () => {
  const ours = namesIn(
    filesUnder(join(packageRoot, 'src'), '.ts'),
    /'((?:OTEL|PYROSCOPE|LOKI)_[A-Z0-9_]+)'/g,
  );
  const listed = new Set<string>(OUR_VARIABLES);
  const missing = [...ours].filter((name) => !KNOWN_VARIABLES.has(name));
  assert.deepEqual(missing, []);
  assert.ok(listed.has('LOKI_URL'));
});
