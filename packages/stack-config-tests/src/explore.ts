// Decoding a Grafana Explore URL (`/explore?schemaVersion=1&panes={"<id>":{datasource,queries,range}}`).
import { dict, list, str, type Dict } from './repo.js';

export interface ExplorePane {
  datasource: string;
  queries: Dict[];
  range: { from: string; to: string };
}

export function parseExploreUrl(url: string): { url: URL; panes: ExplorePane[] } {
  const parsed = new URL(url);
  if (parsed.pathname !== '/explore') throw new Error(`not an Explore URL: ${url}`);
  if (parsed.searchParams.get('schemaVersion') !== '1')
    throw new Error(`Explore URL without schemaVersion=1: ${url}`);
  const panesText = parsed.searchParams.get('panes');
  if (panesText === null) throw new Error(`Explore URL without panes: ${url}`);
  const panes = Object.entries(dict(JSON.parse(panesText) as unknown, 'panes')).map(([id, value]) => {
    const pane = dict(value, `pane ${id}`);
    const range = dict(pane.range, `pane ${id}.range`);
    return {
      datasource: str(pane.datasource, `pane ${id}.datasource`),
      queries: list(pane.queries, `pane ${id}.queries`).map((q, i) => dict(q, `pane ${id}.queries[${i}]`)),
      range: { from: str(range.from, 'range.from'), to: str(range.to, 'range.to') },
    };
  });
  return { url: parsed, panes };
}

/**
 * Whether Grafana's Explore accepts a range value: relative (`now…`), epoch milliseconds, or a date it can
 * parse (public/app/core/utils/explore.ts parseRawTime accepts ISO strings).
 */
export function isExploreTime(value: string): boolean {
  return value.includes('now') || /^\d+$/.test(value) || !Number.isNaN(Date.parse(value));
}

const DATE_MATH_UNITS_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * The instant Grafana's Explore reads from a URL range value, in epoch ms (public/app/core/utils/explore.ts
 * parseRawTime, then @grafana/data dateMath.parse): `now` with `-N<unit>` offsets (rounding `/unit` is not
 * supported here), an epoch in MILLISECONDS when all digits (a 16-digit Jaeger microsecond value would land
 * in the year 57,000), the fixed lengths 8 (YYYYMMDD) and 15 (YYYYMMDDTHHmmss), else an ISO date.
 */
export function exploreTimeMs(value: string, nowMs: number): number {
  const relative = /^now((?:[+-]\d+[smhdw])*)$/.exec(value);
  if (relative) {
    let at = nowMs;
    for (const [, sign, n, unit] of (relative[1] ?? '').matchAll(/([+-])(\d+)([smhdw])/g))
      at += (sign === '-' ? -1 : 1) * Number(n) * (DATE_MATH_UNITS_MS[unit ?? 's'] ?? 0);
    return at;
  }
  if (value.includes('now')) throw new Error(`date math not re-implemented here: ${value}`);
  if (value.length === 8 || value.length === 15) throw new Error(`compact date not expected: ${value}`);
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`Grafana cannot read the time ${value}`);
  return ms;
}
