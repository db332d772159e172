/**
 * The rideshare app as a child process: started with `process.execPath apps/rideshare/dist/src/main.js`
 * and an environment chosen by the bench, ready once `/health` answers, stopped with SIGTERM (so the
 * package flushes its last spans, profile and logs), and measured through /proc/<pid>/stat.
 *
 * Plain `node` at V8's defaults, as a service that takes the package home runs it, and the bench's
 * environment only. The demo's Node flags (scripts/node-flags.mjs, a laptop-footprint choice) are given
 * by the setups that measure them (`DEMO_NODE_SETTINGS`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { NODE_FLAGS, NODE_ENV_DEFAULTS } = (await import(
  pathToFileURL(join(REPO_ROOT, 'scripts', 'node-flags.mjs')).href
)) as { NODE_FLAGS: string[]; NODE_ENV_DEFAULTS: Record<string, string> };
/** What `npm run demo` and the Dockerfile run Node with: `$FLAGS` (overhead-run.ts) and environment. */
export const DEMO_NODE_SETTINGS: Record<string, string> = {
  ...NODE_ENV_DEFAULTS,
  $FLAGS: NODE_FLAGS.join(' '),
};
export const RIDESHARE_MAIN = join(REPO_ROOT, 'apps', 'rideshare', 'dist', 'src', 'main.js');

export class MissingBuildError extends Error {
  constructor(path: string) {
    super(
      `the bench needs a build that is missing: ${path}\n` +
        '  run it with `npm run bench` from the repository root (it builds the bench and everything it uses),\n' +
        '  or build first: `npx turbo run build --filter=@rideshare/bench...`',
    );
    this.name = 'MissingBuildError';
  }
}

export function requireBuilt(path: string): void {
  if (!existsSync(path)) throw new MissingBuildError(path);
}

export interface AppProcess {
  readonly port: number;
  readonly pid: number;
  readonly url: string;
  /** utime + stime of the whole process (all threads), in microseconds. */
  cpuMicros(): number;
  /** Last lines of stdout/stderr, for error messages. */
  output(): string;
  /** SIGTERM, then wait for exit (SIGKILL after `timeoutMs`). Resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process from /proc/<pid>/stat, in microseconds (10 ms resolution). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may contain spaces and parentheses: fields after the last ')' are fixed
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export async function startApp(options: {
  port: number;
  env: Record<string, string>;
  label: string;
  readyTimeoutMs?: number;
  /** 'ignore' sends the app's JSON log lines to /dev/null (the cheapest stdout); default 'pipe'. */
  stdout?: 'pipe' | 'ignore';
  /** Another build of the app (e.g. a worktree of an earlier commit), for before/after comparisons. */
  main?: string;
  /** Node flags for the app (default none). */
  nodeFlags?: readonly string[];
}): Promise<AppProcess> {
  const main = options.main ?? RIDESHARE_MAIN;
  requireBuilt(main);
  const { port, env, label } = options;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeFlags ?? []), main], {
    cwd: dirname(dirname(dirname(main))),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exitCode !== undefined) {
      throw new Error(`rideshare (${label}) exited with code ${exitCode} before it was ready:\n${tail}`);
    }
    if (await healthy(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rideshare (${label}) not ready on port ${port} in time:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const pid = child.pid!;
  return {
    port,
    pid,
    url: `http://127.0.0.1:${port}`,
    cpuMicros: () => processCpuMicros(pid),
    output: () => tail,
    async stop(timeoutMs = 15_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}
