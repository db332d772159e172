/**
 * `startTelemetry` — the one call an app makes, first thing, before importing its own modules:
 *
 *   const telemetry = await startTelemetry({ serviceName: 'rideshare', region: 'eu-north' });
 *   const { startServer } = await import('./server.js'); // loaded after, so express/pino get instrumented
 *
 * It validates the configuration (a bad variable rejects with a `ConfigError`), starts span profiles
 * (pyroscope-span-profiles), the OpenTelemetry trace SDK (trace-sdk.ts: span exporters, HTTP/Express/pino
 * instrumentation) and the logger. It installs no signal handler and never exits: the app's main owns its lifecycle and calls
 * `shutdown()`.
 */
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { installEsmHooks } from './esm-hooks.js';
import { loadConfig, type SpanLabelMode, type TelemetryConfig } from './config.js';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { LocalRootSpanProcessor } from 'pyroscope-span-profiles';
import { startProfiling, type Profiling } from './pyroscope-profiler.js';
import { spanDestinations, traceExportProcessors } from './trace-exporters.js';
import { PreciseStartTimeProcessor } from './sdk-trace-internals.js';
import { RootServiceNameProcessor } from './root-service-name.js';
import { startTraceSdk, type TraceSdk } from './trace-sdk.js';
import { unknownVariableWarnings } from './unknown-variables.js';
import { startLogs, type Logger } from './logger.js';
import { shutdownOnce, type ShutdownOutcome, type ShutdownStep } from './shutdown.js';
import { RateLimitedErrors, stdoutReport, type Report } from './backend-health.js';
import { wasReported } from './span-delivery.js';
import { within } from './deadline.js';

export interface TelemetryOptions {
  /** `service.name` and the Pyroscope application name (OTEL_SERVICE_NAME overrides it). */
  serviceName: string;
  /** Resource attribute, profile tag and Loki label `region`. */
  region?: string;
  env?: Record<string, string | undefined>;
}

export interface Telemetry {
  config: TelemetryConfig;
  logger: Logger;
  /** The span-label mode in force: `off` when profiling is disabled or the runtime cannot label correctly. */
  spanLabels: SpanLabelMode;
  /**
   * Runs `first` (the app's own work: close the HTTP server so in-flight requests finish, stop a loop), then
   * flushes spans, the last profile and buffered logs; SHUTDOWN_TIMEOUT_MS bounds it all. Runs once: later
   * calls get the same outcome. Does not exit.
   */
  shutdown(reason?: string, first?: ShutdownStep): Promise<ShutdownOutcome>;
}

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  const config = loadConfig({ serviceName: options.serviceName }, options.env);
  const region = options.region;
  // warnings and backend reports: held until the logger exists, then logged; after the logs are closed, to stdout
  const held: Parameters<Report>[] = [];
  let sink: Report = (...args) => void held.push(args);
  const report: Report = (level, message, fields) => sink(level, message, fields);
  for (const warning of unknownVariableWarnings(options.env ?? process.env)) report('warn', warning, {});
  if (!config.sdkDisabled) for (const line of spanDestinations(config)) report('info', line, {});

  let profiling: Profiling | undefined;
  let sdk: TraceSdk | undefined;
  if (!config.sdkDisabled) {
    // ESM apps: let OpenTelemetry patch express and pino when they are imported after this call
    installEsmHooks(['express', 'pino']);
    if (config.pyroscope.enabled) {
      profiling = await startProfiling({
        config: config.pyroscope,
        tags: { ...(region !== undefined && { region }) },
        reportIntervalMs: config.backendReportIntervalMs,
        report,
      });
    }
    sdk = await startTraceSdk({
      attributes: {
        [ATTR_SERVICE_NAME]: config.serviceName,
        ...(region !== undefined && { region }),
      },
      // span profiles (pyroscope-span-profiles); without profiling, local roots are still found and named
      contextManager: profiling?.contextManager ?? new AsyncLocalStorageContextManager(),
      spanProcessors: [
        // first: a precise start, before any other processor reads the span
        new PreciseStartTimeProcessor(),
        profiling?.spanProcessor ?? new LocalRootSpanProcessor(),
        new RootServiceNameProcessor(),
        ...traceExportProcessors(config, undefined, report),
      ],
      instrumentations: [
        new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/health' }),
        // Express still names the route (http.route); its per-layer spans (`request handler`, `router`,
        // middleware) would add a quarter of all spans and nothing the handler spans don't already show
        new ExpressInstrumentation({
          ignoreLayersType: [
            ExpressLayerType.MIDDLEWARE,
            ExpressLayerType.ROUTER,
            ExpressLayerType.REQUEST_HANDLER,
          ],
        }),
        // logs go pino → Loki: no OpenTelemetry log records (nor metrics) in this demo
        new PinoInstrumentation({ disableLogSending: true }),
      ],
      report,
    });
    // failed exports are reported by their exporter (span-delivery.ts); anything else, rate-limited
    const otherErrors = new RateLimitedErrors({
      source: 'opentelemetry',
      reportIntervalMs: config.backendReportIntervalMs,
      report,
    });
    setGlobalErrorHandler((error) => {
      if (!wasReported(error)) otherErrors.error(error);
    });
  }

  const logs = await startLogs({
    config: config.logs,
    serviceName: config.serviceName,
    region,
    reportIntervalMs: config.backendReportIntervalMs,
  });
  let logsOpen = true;
  // after the logs are closed, the last lines (shutdown complete) still go to stdout, in pino's format
  const toStdout = stdoutReport(
    { service: config.serviceName, ...(region !== undefined && { region }) },
    config.logs.level,
  );
  // outside any span: a report made while a request's context is active (an export armed by its span)
  // would otherwise carry that request's trace_id and turn up among its logs
  sink = (level, message, fields) =>
    context.with(ROOT_CONTEXT, () =>
      logsOpen ? logs.logger[level](fields, message) : toStdout(level, message, fields),
    );
  for (const args of held.splice(0)) sink(...args);

  const shutdown = shutdownOnce({
    timeoutMs: config.shutdownTimeoutMs,
    report: (level, message, fields = {}) => sink(level, message, fields),
    flushTelemetry: async (deadline) => {
      // spans and the last profile first, in parallel; a backend that hangs may not eat the time the
      // logs need to be pushed, so those get the last part of the deadline whatever happens
      const logsReserve =
        config.logs.lokiUrl === undefined
          ? 0
          : Math.min(config.logs.lokiPushTimeoutMs, config.shutdownTimeoutMs / 3);
      await within(
        Promise.allSettled([sdk?.shutdown(), profiling?.stop()]),
        deadline - logsReserve - Date.now(),
      );
      logsOpen = false;
      await logs.close(Math.max(0, deadline - Date.now()));
    },
  });

  return {
    config,
    logger: logs.logger,
    spanLabels: profiling?.spanLabels ?? 'off',
    shutdown: (reason = 'shutdown()', first) => shutdown(reason, first),
  };
}
