/**
 * Over the real wire: a service set up as the README says (test/fixtures/traced-service.ts) uploads its
 * profiles to a Pyroscope receiver that decodes the gzipped pprof. Every local root carries
 * `pyroscope.profile.id` = its span id, and the samples taken while it ran carry that id as `span_id`,
 * with `span_name`, and no other label. Without AsyncContextFrame: one warning, no labels, no profile id.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startPyroscopeReceiver, type PyroscopeReceiver } from '@rideshare/test-receivers';
import type { UploadOutcome } from '../src/index.js';

const SERVICE = fileURLToPath(new URL('./fixtures/traced-service.js', import.meta.url));
const REMOTE_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

interface Run {
  spanLabels: string;
  warnings: string[];
  outcomes: UploadOutcome[];
  spans: { name: string; spanId: string; traceId: string; attributes: Record<string, unknown> }[];
}

async function runService(
  t: TestContext,
  nodeFlags: string[] = [],
): Promise<{ run: Run; pyroscope: PyroscopeReceiver }> {
  const pyroscope = await startPyroscopeReceiver();
  t.after(() => pyroscope.close());
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, SERVICE], {
    env: { ...process.env, PYROSCOPE_SERVER_ADDRESS: pyroscope.url, REMOTE_TRACE_ID },
    timeout: 60_000,
  });
  return { run: JSON.parse(stdout) as Run, pyroscope };
}

/** @pyroscope/nodejs names frames `<file>:<function>:<line>`. */
const inFunction = (name: string) => (sample: { stack: string[] }) =>
  sample.stack.some((frame) => frame.split(':')[1] === name);
const weight = (sample: { values: Record<string, number> }) => sample.values['samples/count'] ?? 1;

test('local roots link to their own samples: pyroscope.profile.id = span_id, with span_name, nothing else', async (t) => {
  const { run, pyroscope } = await runService(t);
  assert.equal(run.spanLabels, 'async-context');
  assert.deepEqual(run.warnings, []);

  const roots = run.spans.filter((s) => s.name === 'QuoteHandler');
  assert.equal(roots.length, 48);
  for (const root of roots) assert.equal(root.attributes['pyroscope.profile.id'], root.spanId);
  assert.equal(roots.filter((s) => s.traceId === REMOTE_TRACE_ID).length, 24, 'remote parents are continued');
  const children = run.spans.filter((s) => s.name !== 'QuoteHandler');
  assert.deepEqual([...new Set(children.map((s) => s.name))], ['PriceRoute']);
  for (const child of children) assert.equal(child.attributes['pyroscope.profile.id'], undefined);

  const wall = pyroscope.uploads.filter((u) => u.sampleTypes.some((type) => type.startsWith('cpu/')));
  assert.ok(wall.length >= 1, `wall uploads with CPU time: ${wall.length}`);
  for (const upload of wall) {
    assert.equal(upload.query.appName, 'span-profiles-test');
    assert.equal(upload.query.tags['region'], 'eu-north');
    assert.equal(upload.query.sampleRate, 1000, 'the real rate, 1e6 / samplingIntervalMicros');
    assert.deepEqual(upload.problems, []);
  }
  assert.ok(pyroscope.uploads.length > wall.length, 'heap profiles are uploaded too');
  const kinds = new Set(run.outcomes.map((o) => `${o.profile} ${o.ok}`));
  assert.deepEqual([...kinds].sort(), ['heap true', 'wall true']);

  const samples = wall.flatMap((u) => u.samples);
  const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
  assert.deepEqual(
    [...labelNames].sort(),
    ['span_id', 'span_name'],
    'no trace_id: it would be a series label',
  );
  const byId = new Map(roots.map((s) => [s.spanId, s]));
  const quoteSamples = samples.filter(inFunction('computeQuote'));
  const total = quoteSamples.reduce((n, s) => n + weight(s), 0);
  const linked = quoteSamples.filter(
    (s) => byId.has(s.labels['span_id'] ?? '') && s.labels['span_name'] === 'QuoteHandler',
  );
  const linkedWeight = linked.reduce((n, s) => n + weight(s), 0);
  assert.ok(total >= 200, `computeQuote samples: ${total}`);
  assert.ok(linkedWeight / total >= 0.99, `samples linked to their span: ${linkedWeight}/${total}`);
  const rootsWithSamples = new Set(linked.map((s) => s.labels['span_id']));
  assert.ok(rootsWithSamples.size >= 45, `roots that open a flame graph: ${rootsWithSamples.size}/48`);
});

test('without AsyncContextFrame: one warning, no span labels, no pyroscope.profile.id, profiles still flow', async (t) => {
  const { run, pyroscope } = await runService(t, ['--no-async-context-frame']);
  assert.equal(run.spanLabels, 'off');
  assert.equal(run.warnings.length, 1, run.warnings.join('\n'));
  assert.match(run.warnings[0]!, /^span profiles are off: Node .* has no AsyncContextFrame/);
  assert.equal(
    run.spans.filter((s) => s.name === 'QuoteHandler').length,
    48,
    'nameLocalRoot still names roots',
  );
  for (const span of run.spans) assert.equal(span.attributes['pyroscope.profile.id'], undefined, span.name);
  const samples = pyroscope.uploads.flatMap((u) => u.samples);
  assert.ok(samples.some(inFunction('computeQuote')), 'profiles still flow');
  assert.deepEqual(
    samples.filter((s) => Object.keys(s.labels).length > 0),
    [],
    'no sample carries a label',
  );
});
