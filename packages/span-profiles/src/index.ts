export {
  startSpanProfiles,
  type SpanLabels,
  type SpanProfiles,
  type SpanProfilesOptions,
} from './start-span-profiles.js';
export type { ProfileKind, UploadOutcome } from './profile-uploads.js';
export { nameLocalRoot } from './name-local-root.js';
export {
  LocalRootSpanProcessor,
  localRootLabels,
  PROFILE_ID_ATTRIBUTE,
  SPAN_ID_LABEL,
  SPAN_NAME_LABEL,
  type SpanProfileLabels,
} from './local-roots.js';
