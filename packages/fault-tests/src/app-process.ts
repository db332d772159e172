/**
 * The two apps as real child processes (`startAppProcess` from @rideshare/test-receivers), by name.
 */
import { fileURLToPath } from 'node:url';
import { startAppProcess, type AppProcess } from '@rideshare/test-receivers';

export type { AppProcess, LogRecord } from '@rideshare/test-receivers';

export type AppName = 'rideshare' | 'load-generator';

/** The compiled entry point of an app (resolved, never imported: importing would start it). */
export function appMain(app: AppName): string {
  return fileURLToPath(import.meta.resolve(`@rideshare/${app}`));
}

export function startApp(app: AppName, env: Record<string, string>): AppProcess {
  return startAppProcess(app, appMain(app), env);
}

/** Starts a rideshare region on a free port and resolves once it listens. */
export async function startRideshare(
  env: Record<string, string>,
): Promise<{ app: AppProcess; url: string; port: number }> {
  const app = startApp('rideshare', { PORT: '0', REGION: 'us-east', SLOW_MODE: 'never', ...env });
  const listening = await app.waitForRecord(
    (r) => r.msg === 'rideshare listening',
    20_000,
    'listening record',
  );
  const port = Number(listening['port']);
  return { app, url: `http://127.0.0.1:${port}`, port };
}
