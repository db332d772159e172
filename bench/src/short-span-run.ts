/**
 * Short spans: how many root spans of 2, 5 and 10 ms of CPU get at least one profile sample labelled
 * with their span id, at 100 Hz (the default) and at 1 kHz. Runs the package for real in a child process
 * (see short-span-worker.ts) and decodes what it uploads to the local Pyroscope receiver.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PyroscopeReceiver } from '@rideshare/test-receivers';
import { frameFunction } from './attribution.js';
import { REPO_ROOT } from './app-process.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'short-span-worker.js');

export interface ShortSpanCell {
  spans: number;
  withSample: number;
  share: number;
  /** Mean labelled samples per span. */
  meanSamples: number;
  /** Labelled samples whose stack is in another length's work function (should be 0). */
  samplesInOtherSpansWork: number;
}

export interface ShortSpanRun {
  rateHz: number;
  spanLabels: string;
  uploads: number;
  cells: Record<string, ShortSpanCell>;
}

export async function runShortSpans(options: {
  pyroscope: PyroscopeReceiver;
  rateHz: number;
  spansPerLength: number;
  lengthsMs: readonly number[];
}): Promise<ShortSpanRun> {
  const { pyroscope, rateHz, spansPerLength, lengthsMs } = options;
  pyroscope.clear();
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, String(spansPerLength), lengthsMs.join(',')], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        OTEL_TRACES_EXPORTER: 'none',
        LOG_LEVEL: 'warn',
        PYROSCOPE_SERVER_ADDRESS: pyroscope.url,
        PYROSCOPE_WALL_SAMPLING_INTERVAL_MICROS: String(Math.round(1e6 / rateHz)),
        PYROSCOPE_FLUSH_INTERVAL_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`short-span worker exited ${code}:\n${err}\n${out}`)),
    );
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"spanLabels"'));
  if (line === undefined) throw new Error(`short-span worker printed no result:\n${stdout}`);
  const report = JSON.parse(line) as { spanLabels: string; spans: { spanId: string; lengthMs: number }[] };

  const uploads = pyroscope.uploads.filter((u) => u.sampleTypes.includes('wall/nanoseconds'));
  const samplesOf = new Map<string, { count: number; otherWork: number }>();
  const lengthOf = new Map(report.spans.map((s) => [s.spanId, s.lengthMs]));
  for (const sample of uploads.flatMap((u) => u.samples)) {
    const spanId = sample.labels['span_id'];
    if (spanId === undefined || !lengthOf.has(spanId)) continue;
    const entry = samplesOf.get(spanId) ?? { count: 0, otherWork: 0 };
    const weight = sample.values['samples/count'] ?? 1;
    entry.count += weight;
    const workFrame = sample.stack.map(frameFunction).find((f) => /^shortSpanWork\d+ms$/.test(f));
    if (workFrame !== undefined && workFrame !== `shortSpanWork${lengthOf.get(spanId)}ms`) {
      entry.otherWork += weight;
    }
    samplesOf.set(spanId, entry);
  }
  const cells: Record<string, ShortSpanCell> = {};
  for (const ms of lengthsMs) {
    const spans = report.spans.filter((s) => s.lengthMs === ms);
    const counts = spans.map((s) => samplesOf.get(s.spanId) ?? { count: 0, otherWork: 0 });
    const withSample = counts.filter((c) => c.count > 0).length;
    cells[String(ms)] = {
      spans: spans.length,
      withSample,
      share: withSample / Math.max(1, spans.length),
      meanSamples: counts.reduce((a, c) => a + c.count, 0) / Math.max(1, spans.length),
      samplesInOtherSpansWork: counts.reduce((a, c) => a + c.otherWork, 0),
    };
  }
  return { rateHz, spanLabels: report.spanLabels, uploads: uploads.length, cells };
}
