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
