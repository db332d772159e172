// Parsing of Pyroscope's `name` query parameter: `app{k=v,k2=v2}`.

export interface PyroscopeName {
  /** Part before `{` (e.g. 'rideshare'); Pyroscope stores it as service_name unless a tag says otherwise. */
  appName: string;
  tags: Record<string, string>;
}

export function parsePyroscopeName(name: string): PyroscopeName {
  const open = name.indexOf('{');
  if (open < 0) return { appName: name.trim(), tags: {} };
  const close = name.lastIndexOf('}');
  const inner = name.slice(open + 1, close > open ? close : undefined);
  const tags: Record<string, string> = {};
  for (const pair of inner.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) tags[pair.trim()] = '';
    else tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { appName: name.slice(0, open).trim(), tags };
}
