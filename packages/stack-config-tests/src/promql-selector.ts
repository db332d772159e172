// A Prometheus-style series selector, `name{label="value", other=~"re"}`, as Pyroscope reads its queries
// (Prometheus' parser.ParseMetricSelector): an optional metric name (here a profile type), then matchers
// with =, !=, =~ or !~ and double-quoted values.

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export function parseSelector(text: string): { name: string | undefined; matchers: Matcher[] } {
  const match = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{(.*)\}\s*$/s.exec(text);
  if (!match) throw new Error(`not a series selector: ${text}`);
  const body = match[2] ?? '';
  const matchers: Matcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) {
      if (body.slice(at).trim() === '') break;
      throw new Error(`cannot read matcher at "${body.slice(at)}" in ${text}`);
    }
    matchers.push({
      label: m[1] ?? '',
      op: (m[2] ?? '=') as Matcher['op'],
      value: JSON.parse(`"${m[3] ?? ''}"`) as string,
    });
    at = re.lastIndex;
  }
  return { name: match[1], matchers };
}

/** The equality matchers as a record (label → value). */
export function parser(text: string): { name: string | undefined; matchers: Record<string, string> } {
  const { name, matchers } = parseSelector(text);
  const equal: Record<string, string> = {};
  for (const m of matchers) {
    if (m.op !== '=') throw new Error(`${text}: only = matchers expected, got ${m.label}${m.op}`);
    equal[m.label] = m.value;
  }
  return { name, matchers: equal };
}
