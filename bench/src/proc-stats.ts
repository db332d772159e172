/** What Linux says about a process, from /proc/<pid>: resident memory and CPU time. */
import { readFileSync } from 'node:fs';

export { processCpuMicros } from './app-process.js';

/** VmRSS of a process, in bytes; undefined once it has exited. */
export function processRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kB = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return kB === undefined ? undefined : Number(kB) * 1024;
}

/**
 * Proportional set size of a process, in bytes (/proc/<pid>/smaps_rollup): its private pages plus its share
 * of pages mapped by several processes (the node binary's text, shared by all four). Summed over processes
 * it is the memory they really take; RSS counts shared pages once per process.
 */
export function processPssBytes(pid: number): number | undefined {
  let rollup: string;
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  const kB = /^Pss:\s+(\d+)\s+kB$/m.exec(rollup)?.[1];
  return kB === undefined ? undefined : Number(kB) * 1024;
}

/** The direct children of a process (from /proc/<pid>/task/<pid>/children). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}
