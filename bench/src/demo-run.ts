/**
 * `scripts/demo.mjs` as a child of the footprint run, exactly as `npm run demo` starts it (it builds, then
 * starts the three regions and the load generator with their default settings), with only the
 * environment the footprint chooses. The four app processes are found through the memory probe
 * (memory-probe.ts), which each of them writes into a directory of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './app-process.js';
import type { ProbeRecord } from './memory-probe.js';

export const DEMO_SCRIPT = join(REPO_ROOT, 'scripts', 'demo.mjs');
const PROBE = join(REPO_ROOT, 'bench', 'dist', 'src', 'memory-probe.js');

export interface DemoProcess {
  pid: number;
  /** `us-east`, `eu-north`, `ap-south` or `load-generator`. */
  name: string;
}

export interface DemoRun {
  /** `scripts/demo.mjs` itself (it prefixes and forwards every line the four print). */
  demoPid: number;
  processes: DemoProcess[];
  /** The latest probe record of a process, if it wrote one. */
  probe(pid: number): ProbeRecord | undefined;
  /** Lines the demo printed per process name (each line is prefixed `name | `). */
  lineCounts: Map<string, number>;
  /** Each app's start-up line (`rideshare listening`, `load generator started`): the settings in force. */
  startLines: Map<string, Record<string, unknown>>;
  /** The last few kB of the demo's output, for error messages. */
  tail(): string;
  /** SIGTERM to the demo (it stops the load generator, then the regions); resolves with its exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export async function startDemo(options: {
  env: Record<string, string>;
  basePort: number;
  /** Further Node flags for every process (NODE_OPTIONS), after the probe. */
  nodeOptions?: string;
  readyTimeoutMs?: number;
}): Promise<DemoRun> {
  const probeDir = mkdtempSync(join(tmpdir(), 'footprint-probe-'));
  const child: ChildProcess = spawn(process.execPath, [DEMO_SCRIPT], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...options.env,
      DEMO_BASE_PORT: String(options.basePort),
      NODE_OPTIONS: `--import=${pathToFileURL(PROBE).href} ${options.nodeOptions ?? ''}`.trim(),
      FOOTPRINT_PROBE_DIR: probeDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const lineCounts = new Map<string, number>();
  const startLines = new Map<string, Record<string, unknown>>();
  let pending = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-6000);
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const bar = line.indexOf('| ');
      const name = line.slice(0, Math.max(0, bar)).trim();
      lineCounts.set(name, (lineCounts.get(name) ?? 0) + 1);
      const body = line.slice(bar + 2);
      if (/"msg":"(rideshare listening|load generator started)"/.test(body)) {
        try {
          startLines.set(name, JSON.parse(body) as Record<string, unknown>);
        } catch {
          // not one JSON line
        }
      }
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve((exitCode = code))),
  );

  const readProbe = (file: string): ProbeRecord | undefined => {
    try {
      return JSON.parse(readFileSync(join(probeDir, file), 'utf8')) as ProbeRecord;
    } catch {
      return undefined; // being replaced right now
    }
  };
  const probes = () =>
    readdirSync(probeDir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => readProbe(f) ?? []);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  let processes: DemoProcess[] = [];
  for (;;) {
    processes = probes().map((p) => ({
      pid: p.pid,
      name: p.app === 'rideshare' ? (p.region ?? 'us-east') : p.app,
    }));
    if (processes.length >= 4 && /running: /.test(tail)) break;
    if (exitCode !== undefined) {
      throw new Error(`the demo exited with code ${exitCode} before its four processes ran:\n${tail}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      for (const { pid } of processes) killQuietly(pid);
      throw new Error(`the demo's four processes did not all start in time:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  processes.sort((a, b) => order(a.name) - order(b.name));

  return {
    demoPid: child.pid!,
    processes,
    probe: (pid) => readProbe(`${pid}.json`),
    lineCounts,
    startLines,
    tail: () => tail,
    async stop(timeoutMs = 30_000) {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          // the demo's children run in their own process groups: they do not die with it
          for (const { pid } of processes) killQuietly(pid);
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      rmSync(probeDir, { recursive: true, force: true });
      return exitCode ?? null;
    },
  };
}

const ORDER = ['us-east', 'eu-north', 'ap-south', 'load-generator'];
const order = (name: string) => ORDER.indexOf(name);

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
