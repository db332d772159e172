// Starts the three receivers together and gives the environment an app needs to send to them.
import { startJaegerReceiver, type JaegerReceiver } from './jaeger-thrift-receiver.js';
import { startLokiReceiver, type LokiReceiver, type LokiReceiverOptions } from './loki-push-receiver.js';
import {
  startPyroscopeReceiver,
  type PyroscopeReceiver,
  type PyroscopeReceiverOptions,
} from './pyroscope-ingest-receiver.js';
import type { ReceiverOptions } from './receiver-server.js';

export interface AllReceivers {
  jaeger: JaegerReceiver;
  pyroscope: PyroscopeReceiver;
  loki: LokiReceiver;
  /** OTEL_EXPORTER_JAEGER_ENDPOINT, OTEL_TRACES_EXPORTER, PYROSCOPE_SERVER_ADDRESS, LOKI_URL. */
  env: Record<string, string>;
  /** clear() on all three. */
  clear(): void;
  close(): Promise<void>;
}

export interface AllReceiversOptions {
  jaeger?: ReceiverOptions;
  pyroscope?: PyroscopeReceiverOptions;
  loki?: LokiReceiverOptions;
}

export function receiverEnv(r: { jaeger: JaegerReceiver; pyroscope: PyroscopeReceiver; loki: LokiReceiver }) {
  return {
    OTEL_EXPORTER_JAEGER_ENDPOINT: `${r.jaeger.url}/api/traces`,
    OTEL_TRACES_EXPORTER: 'jaeger',
    PYROSCOPE_SERVER_ADDRESS: r.pyroscope.url,
    LOKI_URL: r.loki.url,
  };
}

export async function startAllReceivers(opts: AllReceiversOptions = {}): Promise<AllReceivers> {
  const started = await Promise.allSettled([
    startJaegerReceiver(opts.jaeger),
    startPyroscopeReceiver(opts.pyroscope),
    startLokiReceiver(opts.loki),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [jaeger, pyroscope, loki] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    JaegerReceiver,
    PyroscopeReceiver,
    LokiReceiver,
  ];
  return {
    jaeger,
    pyroscope,
    loki,
    env: receiverEnv({ jaeger, pyroscope, loki }),
    clear() {
      jaeger.clear();
      pyroscope.clear();
      loki.clear();
    },
    async close() {
      await Promise.all([jaeger.close(), pyroscope.close(), loki.close()]);
    },
  };
}
