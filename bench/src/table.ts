/** The one table `npm run bench` prints (markdown, so it pastes into the README as is). */
import { ATTRIBUTION_CONCURRENCY, SHORT_SPAN_LENGTHS_MS, SHORT_SPAN_RATES_HZ } from './results.js';

interface Shares {
  right: number;
  wrong: number;
  unlabelled: number;
  samples?: number;
}

interface Ratio {
  throughputRatio: number;
  p50Ratio: number;
  p99Ratio: number;
  cpuThroughputRatio: number;
  spread: { throughputRatio: { min: number; max: number }; p99Ratio: { min: number; max: number } };
  addedCpuMicrosPerRequest: number;
}

export interface TableInput {
  attribution: { ours: Record<string, Shares>; naive: Record<string, Shares> };
  overhead: {
    traces: Ratio;
    profiles: Ratio;
    full: Ratio;
    off: { throughput: { median: number }; pooledP99Ms: number; cpuMicrosPerRequest: { median: number } };
  };
  shortSpans: Record<string, Record<string, number>>;
  costPerSpanMicros: number;
  overheadRounds: number;
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const times = (x: number) => `×${x.toFixed(3)}`;
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

export function renderTable(r: TableInput): string[] {
  const rows: string[][] = [['Measurement', 'Case', 'Result', 'Goal']];
  for (const n of ATTRIBUTION_CONCURRENCY) {
    for (const mode of ['ours', 'naive'] as const) {
      const a = r.attribution[mode][String(n)]!;
      const who =
        mode === 'ours' ? 'span labels in AsyncContextFrame (ours)' : 'process-global labels (naive)';
      const goal =
        n === 32 && mode === 'ours'
          ? `≥ 99% right, ≤ 0.1% wrong: ${mark(a.right >= 0.99 && a.wrong <= 0.001)}`
          : '';
      rows.push([
        `Attribution, N = ${n} concurrent, 1 kHz`,
        who,
        `right ${pct(a.right, 2)} · wrong ${pct(a.wrong, 2)} · unlabelled ${pct(a.unlabelled, 2)} (${a.samples ?? '?'} samples)`,
        goal,
      ]);
    }
  }
  const o = r.overhead;
  rows.push([
    'Overhead (a) telemetry off',
    'baseline',
    `${o.off.throughput.median.toFixed(1)} req/s · p99 ${o.off.pooledP99Ms.toFixed(1)} ms · ` +
      `${Math.round(o.off.cpuMicrosPerRequest.median)} µs CPU/request`,
    '',
  ]);
  for (const [key, label] of [
    ['traces', '(b) traces only'],
    ['profiles', '(c) traces + profiles + span labels'],
    ['full', '(d) everything incl. logs to Loki'],
  ] as const) {
    const s = o[key];
    rows.push([
      `Overhead ${label}`,
      `ratio to (a), ${r.overheadRounds} interleaved rounds`,
      `throughput ${times(s.throughputRatio)} (rounds ${s.spread.throughputRatio.min.toFixed(2)}–${s.spread.throughputRatio.max.toFixed(2)}) · ` +
        `p50 ${times(s.p50Ratio)} · p99 ${times(s.p99Ratio)} (rounds ${s.spread.p99Ratio.min.toFixed(2)}–${s.spread.p99Ratio.max.toFixed(2)}) · ` +
        `CPU +${s.addedCpuMicrosPerRequest} µs/request (CPU-bound throughput ${times(s.cpuThroughputRatio)})`,
      key === 'full'
        ? `≤ 5% throughput loss, ≤ 10% p99: ${mark(s.throughputRatio >= 0.95 && s.p99Ratio <= 1.1)}`
        : '',
    ]);
  }
  for (const hz of SHORT_SPAN_RATES_HZ) {
    const cells = r.shortSpans[String(hz)]!;
    rows.push([
      `Short spans at ${hz === 1000 ? '1 kHz' : `${hz} Hz`}`,
      'spans with ≥ 1 labelled sample',
      SHORT_SPAN_LENGTHS_MS.map((ms) => `${ms} ms: ${pct(cells[String(ms)]!)}`).join(' · '),
      hz === 1000 ? `≥ 90% of 5 ms spans: ${mark((cells['5'] ?? 0) >= 0.9)}` : '',
    ]);
  }
  rows.push([
    'Cost per traced-and-profiled request',
    'app CPU per request, (d) − (a)',
    `${r.costPerSpanMicros} µs`,
    '',
  ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)];
}
