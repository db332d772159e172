// Decoding a link into the Pyroscope 1.18 UI the way it and its server read it (grafana/pyroscope v1.18.1):
// - the UI is a single page at `/` (public/app/pages/routes.ts SINGLE_VIEW; pkg/api/api.go RegisterCatchAll
//   serves the index at /, /explore, /comparison, /comparison-diff, and redirects /ui to /);
// - it syncs the URL parameters `query`, `from`, `until` (and others) into its state
//   (public/app/redux/useReduxQuerySync.ts) and passes them unchanged to `/pyroscope/render`
//   (public/app/util/updateRequests.ts buildRenderURL);
// - `query` is `<profile type>{<matchers>}` (public/app/models/query.ts); the server parses it with
//   Prometheus' ParseMetricSelector and requires the profile-type name (pkg/querier/http.go parseQuery);
// - `from` / `until` are read by pkg/og/util/attime/attime.go Parse: digits only → an 8-digit date, or epoch
//   seconds, 13 digits milliseconds, 16 microseconds, 19 nanoseconds; anything else → now + offset (the
//   reference before the offset is ignored), e.g. `now-12h`.
import { parser } from './promql-selector.js';

export interface PyroscopeUiLink {
  profileType: string;
  matchers: Record<string, string>;
  fromMs: number;
  untilMs: number;
}

const UNIT_SECONDS: [RegExp, number][] = [
  [/^s/, 1],
  [/^(mon|M)/, 30 * 24 * 3600],
  [/^(min|m)/, 60],
  [/^h/, 3600],
  [/^d/, 24 * 3600],
  [/^w/, 7 * 24 * 3600],
  [/^y/, 365 * 24 * 3600],
];

/** attime.Parse, in epoch milliseconds. */
export function parsePyroscopeTime(raw: string, nowMs: number): number {
  const s = raw.trim().replace(/[_, ]/g, '');
  if (/^\d+$/.test(s)) {
    if (s.length === 8) {
      const date = Date.UTC(Number(s.slice(0, 4)), Number(s.slice(4, 6)) - 1, Number(s.slice(6, 8)));
      if (Number(s.slice(0, 4)) > 1900) return date;
    }
    const v = Number(s);
    switch (s.length) {
      case 13:
        return v;
      case 16:
        return Math.floor(v / 1000);
      case 19:
        return Math.floor(v / 1_000_000);
      default:
        return v * 1000;
    }
  }
  const plus = s.indexOf('+');
  const at = plus !== -1 ? plus : s.indexOf('-');
  let offset = at === -1 ? '' : s.slice(at);
  if (offset === '') return nowMs;
  const sign = offset.startsWith('-') ? -1 : 1;
  offset = offset.slice(1);
  let seconds = 0;
  for (const [, num, unit] of offset.matchAll(/(\d*)(\D*)/g)) {
    if (num === '' && unit === '') continue;
    const multiplier = UNIT_SECONDS.find(([re]) => re.test(unit ?? ''))?.[1] ?? 0;
    seconds += Number(num || 0) * sign * multiplier;
  }
  return nowMs + seconds * 1000;
}

export function parsePyroscopeUiUrl(url: string, nowMs: number): { url: URL; link: PyroscopeUiLink } {
  const parsed = new URL(url);
  if (parsed.pathname !== '/') throw new Error(`not the Pyroscope UI's single view (path /): ${url}`);
  const query = parsed.searchParams.get('query');
  if (query === null) throw new Error(`no query parameter: ${url}`);
  const { name, matchers } = parser(query);
  if (name === undefined) throw new Error(`query without a profile type: ${query}`);
  const from = parsed.searchParams.get('from') ?? 'now-1h'; // useReduxQuerySync defaults
  const until = parsed.searchParams.get('until') ?? 'now';
  return {
    url: parsed,
    link: {
      profileType: name,
      matchers,
      fromMs: parsePyroscopeTime(from, nowMs),
      untilMs: parsePyroscopeTime(until, nowMs),
    },
  };
}
