/**
 * The one place this package reaches into `@pyroscope/nodejs` private code. Written for 0.6.4, which is
 * pinned exactly; test/pyroscope-sdk-internals.test.ts fails naming this module when an upgrade moves any of it.
 *
 * It stands in for two upstream fixes:
 *  - the wall upload's `sampleRate`: 0.6.4 derives it from the field it sets when *it* starts the profiler,
 *    and from the sampling duration rather than the interval (17 Hz for a 100 Hz profile); span labels need
 *    the profiler started by us, with `useCPED`, so that field is never set and the rate would be `NaN`.
 *    Fix: grafana/pyroscope-nodejs PR #232 (open). Until then our upload sets the rate (profile-uploads.ts);
 *  - uploads that report their outcome and have a deadline: 0.6.4's exporter swallows failures into `debug`.
 *    The upload itself is the SDK's own request, built by its exporter, so auth, tenant, URL and encoding
 *    stay the SDK's.
 *
 * What it reaches for: the profiler registry `dist/esm/utils/pyroscope-profiler.js` (not in the package's
 * `exports`, so it is loaded by file path), the `exporter` field of the wall and heap `ContinuousProfiler`
 * (one shared object; each gets its own upload here), and the exporter's `buildEndpointUrl`,
 * `buildRequestHeaders` and `buildUploadProfileBody`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `ProfileExport` of @pyroscope/nodejs (dist/esm/profile-exporter.d.ts). */
export interface ProfileExport {
  profile: unknown;
  sampleRate?: number | undefined;
  startedAt: Date;
  stoppedAt: Date;
}

export interface ProfileExporter {
  export(profileExport: ProfileExport): Promise<void>;
}

/** The builders of the SDK's `PyroscopeApiExporter` (dist/esm/pyroscope-api-exporter.js). */
export interface SdkExporter {
  buildEndpointUrl(profileExport: ProfileExport): URL;
  buildRequestHeaders(): Headers;
  buildUploadProfileBody(profile: unknown): Promise<Uint8Array>;
}

export interface SdkInternals {
  /** The exporter `Pyroscope.init` built; `setExporter` makes a profiler upload through another one. */
  exporter: SdkExporter;
  setExporter(kind: 'wall' | 'heap', exporter: ProfileExporter): void;
}

const BUILDERS = ['buildEndpointUrl', 'buildRequestHeaders', 'buildUploadProfileBody'] as const;

/** Call after `Pyroscope.init()` and before `Pyroscope.start()`. */
export async function pyroscopeSdkInternals(): Promise<SdkInternals> {
  const root = join(dirname(createRequire(import.meta.url).resolve('@pyroscope/nodejs')), '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const registryFile = pathToFileURL(join(root, 'dist', 'esm', 'utils', 'pyroscope-profiler.js')).href;
  const registry = (await import(registryFile).catch(() => ({}))) as { getProfiler?: () => unknown };
  if (typeof registry.getProfiler !== 'function')
    throw moved(version, 'dist/esm/utils/pyroscope-profiler.js');
  return checkSdkInternals(registry.getProfiler(), version);
}

/** Checks the SDK profiler's shape; throws naming what moved. Exported for its test. */
export function checkSdkInternals(profiler: unknown, version: string): SdkInternals {
  type Continuous = { exporter?: Partial<SdkExporter & ProfileExporter> };
  const sdk = profiler as { wallProfiler?: Continuous; heapProfiler?: Continuous } | undefined;
  for (const name of ['wallProfiler', 'heapProfiler'] as const) {
    if (typeof sdk?.[name]?.exporter?.export !== 'function') throw moved(version, `${name}.exporter`);
  }
  const exporter = sdk!.wallProfiler!.exporter!;
  for (const builder of BUILDERS) {
    if (typeof exporter[builder] !== 'function') throw moved(version, `the exporter's ${builder}()`);
  }
  return {
    exporter: {
      buildEndpointUrl: exporter.buildEndpointUrl!.bind(exporter),
      buildRequestHeaders: exporter.buildRequestHeaders!.bind(exporter),
      buildUploadProfileBody: exporter.buildUploadProfileBody!.bind(exporter),
    },
    setExporter(kind, replacement) {
      sdk![kind === 'wall' ? 'wallProfiler' : 'heapProfiler']!.exporter = replacement;
    },
  };
}

function moved(version: string, what: string): Error {
  return new Error(
    `pyroscope-span-profiles: @pyroscope/nodejs ${version} no longer has ${what}, which ` +
      'pyroscope-sdk-internals.ts reaches for (written for 0.6.4). Install @pyroscope/nodejs 0.6.4, or a ' +
      'pyroscope-span-profiles release made for this version.',
  );
}
