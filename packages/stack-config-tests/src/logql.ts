// The parts of a LogQL query that name labels and fields, for the subset the dashboard uses:
//   [metric fn(] {stream selector} [|= "text"] | json | <label filters> | unwrap <field> [range]) [by (labels)]
// Label filters are `name op value`, chained with `|`, `,`, `and`, `or` (Loki's log-queries docs).
import { parseSelector, type Matcher } from './promql-selector.js';

export interface LogQuery {
  stream: Matcher[];
  /** Fields compared in label filters after `| json` (with the value they are compared with). */
  filters: { field: string; op: string; value: string }[];
  unwrap: string | undefined;
  groupBy: string[];
  json: boolean;
}

/** Splits on `|` outside double quotes and backticks; the pieces keep their `=`/`~` of `|=` / `|~`. */
function stages(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === '\\' && quote === '"') {
        current += c + (text[++i] ?? '');
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '|') {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current.trim());
  return out;
}

export function parseLogQuery(expr: string): LogQuery {
  const selector = /\{[^{}]*\}/.exec(expr);
  if (!selector) throw new Error(`no stream selector: ${expr}`);
  const stream = parseSelector(selector[0]).matchers;
  const groupBy = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  // the log pipeline: from the selector to the range `[…]`, or to the end
  const rest = expr.slice(selector.index + selector[0].length);
  const pipeline = rest.split(/\[\s*(?:\$\w+|\d+[smhd])\s*\]/)[0] ?? '';
  const filters: LogQuery['filters'] = [];
  let unwrap: string | undefined;
  let json = false;
  for (const stage of stages(pipeline).slice(1)) {
    if (stage === '' || stage.startsWith('=') || stage.startsWith('~')) continue; // line filters
    if (stage === 'json') {
      json = true;
      continue;
    }
    const unwrapped = /^unwrap\s+(\w+)$/.exec(stage);
    if (unwrapped) {
      unwrap = unwrapped[1];
      continue;
    }
    for (const predicate of stage.split(/\s+(?:and|or)\s+|,/)) {
      const m = /^\s*(\w+)\s*(=~|!~|!=|>=|<=|==|=|>|<)\s*("(?:[^"\\]|\\.)*"|\S+)\s*$/.exec(predicate);
      if (!m) throw new Error(`cannot read the label filter "${predicate}" in ${expr}`);
      const raw = m[3] ?? '';
      filters.push({
        field: m[1] ?? '',
        op: m[2] ?? '',
        value: raw.startsWith('"') ? (JSON.parse(raw) as string) : raw,
      });
    }
  }
  return { stream, filters, unwrap, groupBy, json };
}
