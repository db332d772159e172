/**
 * An app as a real child process for end-to-end tests: `process.execPath <main.js>` (the Node that runs
 * the tests), its stdout JSON log lines collected, stopped with SIGTERM like a container.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface AppProcess {
  readonly name: string;
  /** stdout lines parsed as JSON (pino records); other lines are kept in `output`. */
  readonly records: Record<string, unknown>[];
  output(): string;
  waitForRecord(predicate: (record: Record<string, unknown>) => boolean, timeoutMs: number): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL and a rejection after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export function startApp(name: string, main: string, env: Record<string, string>): AppProcess {
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: Record<string, unknown>[] = [];
  let output = '';
  let pending = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-20_000);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log record
      }
    }
    for (const listener of listeners) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return {
    name,
    records,
    exited,
    output: () => output,
    waitForRecord(predicate, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!records.some(predicate)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: no matching log record within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        void exited.then(() => {
          if (!records.some(predicate)) {
            cleanup();
            reject(new Error(`${name} exited; output:\n${output}`));
          }
        });
        listeners.add(check);
        check();
      });
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
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
