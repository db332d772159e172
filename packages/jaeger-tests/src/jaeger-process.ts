/**
 * A real Jaeger v2 process, started with `--config <file>` as compose starts it, ready once its health check
 * (the config's `healthcheckv2` extension) answers 200 and the query API answers `/api/services`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestConfig } from './jaeger-config.js';

export interface JaegerProcess {
  readonly pid: number;
  readonly config: TestConfig;
  /** Base URL of the query API and UI (`extensions.jaeger_query.http`). */
  readonly queryUrl: string;
  /** Base URL of the health check (`extensions.healthcheckv2.http`). */
  readonly healthUrl: string;
  /** Jaeger's own log output (stdout and stderr), last 100 kB. */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit (SIGKILL after `timeoutMs`); removes the config file. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startJaeger(
  binary: string,
  config: TestConfig,
  readyMs = 60_000,
): Promise<JaegerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'jaeger-test-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, config.yaml);
  const child = spawn(binary, ['--config', configFile], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      // jaeger_query traces itself (v2 default enable_tracing: true, cmd/jaeger/internal/extension/jaegerquery
      // factory.go) over OTLP gRPC to this endpoint, localhost:4317 when unset (internal/jtracer): in compose
      // that is its own receiver. Here its own receiver has moved, so say where. At shutdown the receiver
      // closes before the last of these exports, which then waits out the exporter's timeout (10 s default).
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${config.port('receivers.otlp.protocols.grpc')}`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-100_000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));

  const queryUrl = `http://127.0.0.1:${config.port('extensions.jaeger_query.http')}`;
  const healthUrl = `http://127.0.0.1:${config.port('extensions.healthcheckv2.http')}`;
  const jaeger: JaegerProcess = {
    pid: child.pid!,
    config,
    queryUrl,
    healthUrl,
    output: () => output,
    exited,
    async stop(timeoutMs = 15_000) {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };

  const deadline = Date.now() + readyMs;
  for (;;) {
    if (gone) {
      const { code, signal } = await exited;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`jaeger exited before it was ready (${signal ?? `exit code ${code}`}):\n${output}`);
    }
    if ((await status(`${healthUrl}/status`)) === 200 && (await status(`${queryUrl}/api/services`)) === 200)
      return jaeger;
    if (Date.now() > deadline) {
      await jaeger.stop();
      throw new Error(`jaeger not healthy within ${readyMs} ms:\n${output}`);
    }
    await sleep(200);
  }
}

async function status(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
