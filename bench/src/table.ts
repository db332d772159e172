/** The one table `npm run bench` prints (markdown, so it pastes into the README as is). */
import { existsSync, readFileSync } from 'node:fs';
import {
  ATTRIBUTION_CONCURRENCY,
  FOOTPRINT_GOALS,
  patchResults,
  SHORT_SPAN_LENGTHS_MS,
  SHORT_SPAN_RATES_HZ,
} from './results.js';

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
  ci95: Record<'throughputRatio' | 'p99Ratio' | 'cpuThroughputRatio', { low: number; high: number }>;
  addedCpuMicrosPerRequest: number;
}

interface FootprintRow {
  totalRssMB: number;
  totalCpuCores: number;
  processes: { name: string; rssMB: number; cpuCores: number }[];
  growth?: number;
  rssAt5MinMB?: number;
  rssAt30MinMB?: number;
  durationMinutes: number;
  loadAverage: { atStart: number[] };
}

export interface TableInput {
  attribution: { ours: Record<string, Shares>; naive: Record<string, Shares> };
  overhead: {
    traces: Ratio;
    tracesJaeger: Ratio;
    profiles: Ratio;
    full: Ratio;
    fullJaeger: Ratio;
    off: { throughput: { median: number }; pooledP99Ms: number; cpuMicrosPerRequest: { median: number } };
    /** Full against off, both with the demo's Node flags (absent in results of older runs). */
    demoNodeFlags?: {
      flags: string;
      full: Pick<Ratio, 'cpuThroughputRatio' | 'ci95' | 'addedCpuMicrosPerRequest'>;
    };
  };
  shortSpans: Record<string, Record<string, number>>;
  costPerSpanMicros: number;
  overheadRounds: number;
  goals?: Record<string, { met?: boolean } | undefined>;
  footprint?: Partial<FootprintRow> & { long?: FootprintRow };
  /** From `npm run cost-profile` (absent until it has run). */
  costProfile?: CostProfileRow;
  /** From `npm run cost-profile` with a longer COST_PROFILE_WARMUP_SECONDS than the default. */
  costProfileLongWarmup?: CostProfileRow;
  /** From `npm run exporter-cost` (absent until it has run). */
  exporterCost?: {
    rounds: number;
    exporters: Record<
      'none' | 'jaeger' | 'otlp',
      { cpuMicrosPerRequest: { median: number }; addedMicrosPerRequest: number; chunkP99Ms: number }
    >;
  };
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const times = (x: number) => `×${x.toFixed(3)}`;
const signed = (n: number) => (n < 0 ? `−${-n}` : `+${n}`);
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
  const ci = (i: { low: number; high: number }) => `${i.low.toFixed(3)}–${i.high.toFixed(3)}`;
  for (const [key, label] of [
    ['traces', '(b) traces only, OTLP (default exporter)'],
    ['tracesJaeger', "(b') traces only, Jaeger Thrift"],
    ['profiles', '(c) traces + profiles + span labels'],
    ['full', '(d) everything incl. logs to Loki (default exporter)'],
    ['fullJaeger', "(d') everything, spans by Jaeger Thrift"],
  ] as const) {
    const s = o[key];
    const goal =
      key === 'full'
        ? r.goals?.overheadFull?.met
        : key === 'fullJaeger'
          ? r.goals?.overheadFullJaeger?.met
          : undefined;
    const sets = (r.overhead as { method?: { generations?: number } }).method?.generations ?? 1;
    const inSets = sets > 1 ? ` in ${sets} sets of processes` : '';
    rows.push([
      `Overhead ${label}`,
      `ratio to (a), ${r.overheadRounds} interleaved rounds${inSets} (95% interval)`,
      `CPU per request ${times(s.cpuThroughputRatio)} (${ci(s.ci95.cpuThroughputRatio)}), ${signed(s.addedCpuMicrosPerRequest)} µs · ` +
        `throughput ${times(s.throughputRatio)} (${ci(s.ci95.throughputRatio)}) · ` +
        `p50 ${times(s.p50Ratio)} · p99 ${times(s.p99Ratio)} (${ci(s.ci95.p99Ratio)})`,
      goal === undefined
        ? ''
        : `CPU ≥ ×0.95, throughput ≥ ×0.95, p99 ≤ ×1.10, intervals narrower than the margins: ${mark(goal)}`,
    ]);
  }
  if (o.demoNodeFlags !== undefined) {
    const d = o.demoNodeFlags.full;
    rows.push([
      `Overhead (d) with the demo's Node flags (${o.demoNodeFlags.flags})`,
      'full against off, both with the flags, same rounds',
      `CPU per request ${times(d.cpuThroughputRatio)} (${ci(d.ci95.cpuThroughputRatio)}), ${signed(d.addedCpuMicrosPerRequest)} µs`,
      '',
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
  const e = r.exporterCost;
  if (e !== undefined) {
    const { none, jaeger, otlp } = e.exporters;
    rows.push([
      'Span export, the span pipeline alone',
      `CPU per request over no exporter, ${e.rounds} rounds (99th-percentile loop pause)`,
      `Jaeger Thrift +${jaeger.addedMicrosPerRequest} µs (${jaeger.chunkP99Ms} ms) · OTLP +${otlp.addedMicrosPerRequest} µs ` +
        `(${otlp.chunkP99Ms} ms) · pipeline without export ${none.cpuMicrosPerRequest.median} µs (${none.chunkP99Ms} ms)`,
      '',
    ]);
  }
  for (const c of [r.costProfile, r.costProfileLongWarmup]) {
    if (c === undefined) continue;
    const top = Object.entries(c.added.parts)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 8)
      .map(([part, micros]) => `${part} ${signed(Math.round(micros))}`);
    rows.push([
      `Cost by part, perf profile of each process${c === r.costProfileLongWarmup ? `, after ${c.warmupSeconds} s of load` : ''}`,
      `(d) against (a), ${c.rounds} rounds of one process each, µs CPU per request`,
      `+${c.added.totalMicros} µs: ${top.join(' · ')}`,
      '',
    ]);
  }
  const f = r.footprint;
  if (f?.totalRssMB !== undefined && f.processes !== undefined && f.totalCpuCores !== undefined) {
    rows.push([
      `Demo footprint, ${f.durationMinutes} min at the default load`,
      'the four processes (RSS, CPU)',
      `${Math.round(f.totalRssMB)} MB · ${f.totalCpuCores.toFixed(2)} core (` +
        f.processes.map((p) => `${p.name} ${Math.round(p.rssMB)} MB ${p.cpuCores.toFixed(2)}`).join(', ') +
        ')',
      `≤ 600 MB: ${mark(f.totalRssMB <= FOOTPRINT_GOALS.totalRssMB)}; ≤ 0.5 core: ${mark(r.goals?.footprintCpu?.met === true)}`,
    ]);
  }
  if (f?.long?.growth !== undefined) {
    rows.push([
      'Demo footprint, 30 min',
      'RSS after 30 min / after 5 min',
      `${Math.round(f.long.rssAt30MinMB ?? NaN)} MB / ${Math.round(f.long.rssAt5MinMB ?? NaN)} MB = ${times(f.long.growth)}`,
      `≤ ×1.10: ${mark(r.goals?.footprintGrowth?.met === true)}; ≤ 600 MB at 30 min: ` +
        mark((f.long.rssAt30MinMB ?? Infinity) <= FOOTPRINT_GOALS.totalRssMB),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)];
}

/**
 * The bench's table again from a whole results.json, for the commands that add to it (footprint, exporter
 * cost), when the bench has run: its rows are needed.
 */
export function tableOf(results: Record<string, unknown>): { table?: string[] } {
  const rounds = (results.overhead as { method?: { rounds?: number } } | undefined)?.method?.rounds;
  if (rounds === undefined || results.attribution === undefined) return {};
  try {
    return { table: renderTable({ ...(results as unknown as TableInput), overheadRounds: rounds }) };
  } catch {
    return {}; // a results.json from an older bench: keep its table
  }
}

export interface CostProfileRow {
  rounds: number;
  /** Seconds of load before the profile (absent in records from before it could be set: 5). */
  warmupSeconds?: number;
  added: { parts: Record<string, number>; totalMicros: number };
}

/**
 * `patch` into results.json (patchResults), with the bench's table rendered again from the whole result, so
 * that a command's row appears (or is renewed) beside the bench's.
 */
export function patchResultsAndTable(path: string, patch: Record<string, unknown>): void {
  const previous = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>)
    : {};
  patchResults(path, { ...patch, ...tableOf({ ...previous, ...patch }) });
}
