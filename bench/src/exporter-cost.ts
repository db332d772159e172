/**
 * `npm run exporter-cost -w @rideshare/bench`: the CPU each span exporter adds per request, on the span
 * pipeline alone (exporter-cost-run.ts, exporter-cost-worker.ts). Writes `exporterCost` into
 * bench/results.json (the bench keeps it) and prints a table. Not part of `npm run bench`; about a minute.
 *
 *   EXPORTER_COST_ROUNDS [10]    rounds of one fresh process per exporter
 *   EXPORTER_COST_REQUESTS [6000] measured requests (3 spans each) per process, after 3000 of warm-up
 *   BENCH_NO_WRITE=1             print only
 */
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './app-process.js';
import { commandSettings } from './command-settings.js';
import { EXPORTERS, runExporterCost, summariseExporterCost } from './exporter-cost-run.js';
import { runRecord } from './results.js';
import { patchResultsAndTable } from './table.js';

const RESULTS_PATH = join(REPO_ROOT, 'bench', 'results.json');

const { setting } = commandSettings('exporter-cost');

const rounds = setting('EXPORTER_COST_ROUNDS', 10);
const requests = setting('EXPORTER_COST_REQUESTS', 6000);
const warmupRequests = 3000;
const loadAtStart = os.loadavg();
const started = Date.now();
process.stdout.write(
  `exporter cost: ${EXPORTERS.join(', ')} × ${rounds} rounds, ${requests} requests each after ${warmupRequests} ` +
    `of warm-up (load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')})\n`,
);
const measurements = await runExporterCost({
  rounds,
  requests,
  warmupRequests,
  progress: (line) => process.stdout.write(`${line}\n`),
});
const summary = summariseExporterCost(measurements);

process.stdout.write(
  '\nexporter | CPU µs/request (median, min–max) | added over none | chunk p99 / max ms\n',
);
for (const exporter of EXPORTERS) {
  const s = summary[exporter];
  const c = s.cpuMicrosPerRequest;
  const a = s.addedMicrosPerRequestSpread;
  process.stdout.write(
    `${exporter} | ${c.median} (${c.min}–${c.max}) | +${s.addedMicrosPerRequest} (${a.min}–${a.max}) | ` +
      `${s.chunkP99Ms} / ${s.chunkMaxMs}\n`,
  );
}

const exporterCost = {
  ...runRecord('npm run exporter-cost -w @rideshare/bench', loadAtStart, started),
  rounds,
  requestsPerProcess: requests,
  warmupRequests,
  method:
    'One fresh process per exporter and round (order rotated) runs the package span pipeline ' +
    '(startTelemetry, PYROSCOPE_ENABLED=false) on request-shaped traces with no server around them: a SERVER ' +
    'local root CarHandler with the HTTP and Express instrumentations\u2019 attributes and two stepSpan children, ' +
    '7 requests per turn of the event loop, every span exported to a counting sink in the bench process. CPU: ' +
    'utime + stime of the whole process from the end of warm-up until the last span is flushed, per request. ' +
    'added = median over rounds of (exporter − none in the same round). chunk: wall time of 7 requests plus ' +
    'one turn of the loop, which an export running then lengthens.',
  exporters: summary,
  measurements,
};
if (process.env.BENCH_NO_WRITE !== '1') {
  // the bench's table gains (or renews) its exporter-cost row
  patchResultsAndTable(RESULTS_PATH, { exporterCost });
  process.stdout.write(`\nwrote exporterCost into ${RESULTS_PATH}\n`);
}
