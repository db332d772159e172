/**
 * Lets OpenTelemetry patch modules that an ESM app imports after `startTelemetry` (express, pino): the
 * instrumentations register import-in-the-middle `Hook`s, and these loader hooks make the imports pass
 * through them.
 *
 * In the app's own thread where Node allows it (`module.registerHooks`, through import-in-the-middle's
 * register-hooks.mjs; Node ≥ 24.11.1, ≥ 22.22.3). `module.register`, what OpenTelemetry's docs show
 * (`@opentelemetry/instrumentation/hook.mjs`), runs the hooks on a loader thread of their own: a second
 * V8 isolate that idles for the life of the process after start-up and held about 14 MB of RSS per process
 * here (10 MB anonymous; 60 → 74 MB for a bare script, Node 24.21, 2026-12-03). Older Node versions fall
 * back to it.
 */
import { register } from 'node:module';
import { register as registerInThread, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';

export type EsmHooks = 'in-thread' | 'loader-thread';

/** Installs the hooks for `include` (bare package names); says where they run. */
export function installEsmHooks(include: string[]): EsmHooks {
  if (supportsSyncHooks()) {
    registerInThread({ include });
    return 'in-thread';
  }
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include } });
  return 'loader-thread';
}
