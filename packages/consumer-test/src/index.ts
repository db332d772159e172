// The consumer test's parts; the OTLP trace receiver it runs against is in @rideshare/test-receivers.
export { installConsumerApp, type ConsumerApp, type InstallOptions } from './consumer-app.js';
export { linkage, burnerOf, PROFILE_ID_ATTRIBUTE, type Linkage, type LinkSpan } from './linkage.js';
export { lockedVersions } from './locked-versions.js';
export { readSetupSnippet, replaceOnce } from './setup-snippet.js';
