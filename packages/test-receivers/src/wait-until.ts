/** Polls `done` every 50 ms; throws with `describe()` (what was seen) when it is not true within `timeoutMs`. */
export async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > giveUpAt) throw new Error(`not reached within ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
