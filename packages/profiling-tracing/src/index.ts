export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.js';
export { nameLocalRoot, PROFILE_ID_ATTRIBUTE } from 'pyroscope-span-profiles';
export { ConfigError, type TelemetryConfig } from './config.js';
export type { Logger } from './logger.js';
export { stepSpan } from './step-span.js';
