// The README section this package owns (between the stack markers) and its ports table.
import { readText } from './repo.js';

export const BEGIN = '<!-- stack:begin -->';
export const END = '<!-- stack:end -->';

export function stackSection(): string {
  const text = readText('README.md');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return text.slice(begin + BEGIN.length, end);
}

export interface PortRow {
  service: string;
  port: number;
  protocol: string;
  cells: string[];
}

/**
 * Rows of the first markdown table whose header has a "Port" column: one row per published host port,
 * e.g. `| jaeger | 4000 | http://localhost:4000 | Jaeger UI |` (a `/udp` suffix marks UDP).
 */
export function portsTable(section: string): PortRow[] {
  const lines = section.split('\n').map((l) => l.trim());
  const headerIndex = lines.findIndex((l) => l.startsWith('|') && /\|\s*port\s*\|/i.test(l));
  if (headerIndex < 0) throw new Error('no ports table (a markdown table with a "Port" column)');
  const header = splitRow(lines[headerIndex] ?? '').map((c) => c.toLowerCase());
  const serviceCol = header.indexOf('service');
  const portCol = header.indexOf('port');
  const rows: PortRow[] = [];
  for (const line of lines.slice(headerIndex + 2)) {
    if (!line.startsWith('|')) break;
    const cells = splitRow(line);
    const portCell = (cells[portCol] ?? '').replace(/`/g, '');
    const match = /^(\d+)(?:\/(tcp|udp))?$/.exec(portCell);
    if (!match) throw new Error(`ports table: cannot read port "${portCell}" in: ${line}`);
    rows.push({
      service: (cells[serviceCol] ?? '').replace(/`/g, ''),
      port: Number(match[1]),
      protocol: match[2] ?? 'tcp',
      cells,
    });
  }
  return rows;
}

function splitRow(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}
