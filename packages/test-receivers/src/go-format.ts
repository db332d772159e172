// How the Go servers (Pyroscope, Loki) print the values that end up in their error messages, so the
// stand-ins answer the same text: strconv.Quote, time.Time.String / RFC 3339, go-humanize byte sizes, and
// encoding/json's HTML-safe escaping.

/** Go's `strconv.Quote` for the strings met here: printable text kept, control characters escaped. */
export function goQuote(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (char === '\u0007') out += '\\a';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** `{a="1", b="2"}`: Prometheus `labels.Labels.String()`, Pyroscope `LabelPairsString`, Loki `LabelSet.String()`. */
export function labelsString(pairs: readonly (readonly [string, string])[]): string {
  return `{${pairs.map(([name, value]) => `${name}=${goQuote(value)}`).join(', ')}}`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Go `time.Time.String()` of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC` (fraction trimmed). */
export function goTimeString(unixMs: number): string {
  const d = new Date(unixMs);
  const ms = d.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction} +0000 UTC`
  );
}

/** Go `t.Format(time.RFC3339)` of a UTC time: `2006-01-02T15:04:05Z` (whole seconds). */
export function goRfc3339(unixMs: number): string {
  return `${new Date(Math.floor(unixMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

function humanate(bytes: number, base: number, sizes: readonly string[]): string {
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(base));
  const value = Math.floor((bytes / base ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${sizes[e]}`;
}

/** go-humanize `IBytes` (1024-based): `4.0 MiB`, `512 B`, `12 KiB`. */
export function humanizeIBytes(bytes: number): string {
  return humanate(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']);
}

/** go-humanize `Bytes` (1000-based): `4.2 MB`. */
export function humanizeBytes(bytes: number): string {
  return humanate(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']);
}

/** `json.NewEncoder(w).Encode(v)`: JSON with `<`, `>`, `&`, U+2028 and U+2029 escaped, then a newline. */
export function goJsonLine(value: unknown): string {
  const escapes: Record<string, string> = {
    '<': '\\u003c',
    '>': '\\u003e',
    '&': '\\u0026',
    '\u2028': '\\u2028',
    '\u2029': '\\u2029',
  };
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c]!)}\n`;
}
