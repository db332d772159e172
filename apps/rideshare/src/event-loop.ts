import { setImmediate } from 'node:timers/promises';

/**
 * Lets other requests run between chunks of work, the way a real service waits on its database:
 * concurrent orders interleave, and each one's profile samples still belong to it.
 */
export async function yieldToEventLoop(): Promise<void> {
  await setImmediate();
}
