/**
 * An app as a real child process, as a container runs it: `process.execPath <main.js>` (the Node that runs
 * the tests) with only the given environment (plus PATH and HOME), its stdout JSON log lines collected (one
 * pino record per line), RSS read from /proc, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type LogRecord = Record<string, unknown> & { msg?: string; level?: number | string; time?: number };

export interface AppProcess {
  /** What the test calls it, e.g. `eu-north`; used in messages. */
  readonly name: string;
  readonly pid: number;
  /** stdout lines that are JSON objects, in order, with the time each arrived (`receivedAt`). */
  readonly records: (LogRecord & { receivedAt: number })[];
  /** Every stdout line (JSON or not). */
  readonly lines: string[];
  stderr(): string;
  /** The last 20 kB of stdout and stderr, for assertion messages. */
  output(): string;
  waitForRecord(
    predicate: (record: LogRecord) => boolean,
    timeoutMs: number,
    what?: string,
  ): Promise<LogRecord>;
  /** Resident set size now, in bytes (VmRSS from /proc/<pid>/status). */
  rssBytes(): number;
  /** Sends a signal (default SIGTERM); returns when it was sent (ms since epoch). */
  signal(signal?: NodeJS.Signals): number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** SIGTERM, then the exit; SIGKILL and a rejection after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

export function startAppProcess(name: string, main: string, env: Record<string, string>): AppProcess {
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: (LogRecord & { receivedAt: number })[] = [];
  const lines: string[] = [];
  let output = '';
  let stderr = '';
  let pending = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-20_000);
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    const now = Date.now();
    for (const line of parts) {
      lines.push(line);
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null)
          records.push({ ...(parsed as LogRecord), receivedAt: now });
      } catch {
        // not a log record
      }
    }
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output = (output + chunk).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );

  return {
    name,
    pid: child.pid!,
    records,
    lines,
    exited,
    stderr: () => stderr,
    output: () => output,
    waitForRecord(predicate, timeoutMs, what = 'a matching log record') {
      return new Promise<LogRecord>((resolve, reject) => {
        const check = (): void => {
          const found = records.find(predicate);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: no ${what} within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        void exited.then(() => {
          if (records.find(predicate) === undefined) {
            cleanup();
            reject(new Error(`${name} exited before ${what}; output:\n${output}`));
          }
        });
        listeners.add(check);
        check();
      });
    },
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (!match) throw new Error(`no VmRSS in /proc/${child.pid}/status`);
      return Number(match[1]) * 1024;
    },
    signal(signal = 'SIGTERM') {
      child.kill(signal);
      return Date.now();
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${name} did not exit within ${timeoutMs} ms of SIGTERM; output:\n${output}`));
        }, timeoutMs);
      });
      try {
        return (await Promise.race([exited, timeout])).code;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
