export { startTelemetry, type Telemetry, type TelemetryOptions } from './start-telemetry.js';
export { nameLocalRoot } from './name-local-root.js';
export { PROFILE_ID_ATTRIBUTE } from './local-roots.js';
export { ConfigError, type TelemetryConfig } from './config.js';
export type { Logger } from './logger.js';
