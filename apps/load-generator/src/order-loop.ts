/**
 * CONCURRENCY workers, each placing an order, pausing ORDER_PAUSE_MS, and again — until stopped. A
 * failed order (a region that is down, a timeout) is counted and logged, and the loop goes on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@rideshare/profiling-tracing';
import type { LoadGeneratorConfig } from './config.js';
import { placeOrder } from './place-order.js';

export interface OrderLoop {
  /** Stops starting orders, waits for the ones in flight, logs the totals. */
  stop(): Promise<void>;
}

export function startOrderLoop(config: LoadGeneratorConfig, logger: Logger): OrderLoop {
  const stopping = new AbortController();
  const totals = { ok: 0, failed: 0 };

  async function worker(): Promise<void> {
    while (!stopping.signal.aborted) {
      const outcome = await placeOrder(config, logger);
      totals[outcome]++;
      await sleep(config.orderPauseMs, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  }

  logger.info(
    {
      rideshare_urls: config.rideshareUrls,
      concurrency: config.concurrency,
      order_cpu_ms: config.orderCpuMs,
      order_pause_ms: config.orderPauseMs,
      run_seconds: config.runSeconds,
    },
    'load generator started',
  );
  const workers = Array.from({ length: config.concurrency }, () => worker());

  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        await Promise.all(workers);
        logger.info({ orders: totals.ok + totals.failed, ...totals }, 'load generator stopped');
      })()),
  };
}
