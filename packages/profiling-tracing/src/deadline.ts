/** Returned by `within` when the deadline came first. */
export const TIMED_OUT = Symbol('timed out');

/**
 * Waits for `work`, but no longer than `ms`: its value, or `TIMED_OUT`. The work itself goes on; only the
 * wait ends. The timer does not keep the process alive unless `keepAlive` is set (a shutdown must reach its
 * deadline even when nothing else is pending).
 */
export async function within<T>(
  work: Promise<T>,
  ms: number,
  { keepAlive = false }: { keepAlive?: boolean } = {},
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
    if (!keepAlive) timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
