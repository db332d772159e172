/**
 * Whether this runtime stores async context in AsyncContextFrame (Node 24 by default; Node 22 with
 * `--experimental-async-context-frame`). Only then can the profiler read a per-continuation context
 * at sample time (`@datadog/pprof` `useCPED`), which is what makes span labels correct across `await`.
 */
export function hasAsyncContextFrame(
  version: string = process.versions.node,
  flags: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): boolean {
  const major = Number(version.split('.')[0]);
  if (flags.includes('--no-async-context-frame')) return false;
  if (major >= 24) return true;
  return major >= 22 && flags.includes('--experimental-async-context-frame');
}
