import type { ReportLevel } from '../src/backend-health.js';

/** A `Report` sink that keeps every report, for asserting what a component said and how often. */
export function recorder() {
  const lines: { level: ReportLevel; message: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    report: (level: ReportLevel, message: string, fields: Record<string, unknown>) =>
      void lines.push({ level, message, fields }),
  };
}
