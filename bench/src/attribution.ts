/**
 * Deciding, for each profile sample taken in the bench's known work function, whether its `span_id`
 * label is right, wrong or missing.
 *
 * The load is built so that the answer is knowable from the stack (see README "Performance"): of the N
 * concurrent workers, exactly one orders cars, the others bikes and scooters. Car-only functions
 * (`checkDriverAvailability` and below: with SLOW_MODE=always most of it is `scanShiftTableForDriver`)
 * therefore run only for the one car request in flight, and car requests never overlap in time. A sample
 * in a car-only function is
 *   - right      when labelled with a `CarHandler` local-root span whose lifetime overlaps the time
 *                window of the profile the sample came in;
 *   - wrong      when labelled with any other span id: a bike/scooter request's root (another request
 *                in flight), a span id no exported span has (unknown), or a car request that was not
 *                running while that profile was taken (stale);
 *   - unlabelled when it has no `span_id` label.
 * Every sample counts with its `samples/count` weight.
 */
import type { DecodedSample } from '@rideshare/test-receivers';

/** The name of the function a pprof frame is in: `./dist/src/file.js:name:line` → `name`. */
export function frameFunction(frame: string): string {
  const parts = frame.split(':');
  return parts.length >= 3 ? (parts[1] ?? frame) : frame;
}

export interface RootSpan {
  spanId: string;
  /** Local-root name, e.g. `CarHandler`. */
  name: string;
  startMicros: number;
  durationMicros: number;
}

export interface ProfileWindow {
  /** When the profile's sampling started and stopped, in Unix microseconds. */
  startMicros: number;
  endMicros: number;
  samples: readonly DecodedSample[];
}

export interface AttributionOptions {
  /** Functions only the tracked request kind runs. A sample counts when any frame is in one of them. */
  workFunctions: readonly string[];
  /** Local-root name of the tracked request kind, e.g. `CarHandler`. */
  rootName: string;
  /** Slack on both sides of a profile window when checking a span was running then. */
  slackMicros?: number;
}

export interface Attribution {
  right: number;
  wrong: number;
  unlabelled: number;
  /** Weighted samples in the work functions (right + wrong + unlabelled). */
  samples: number;
  wrongBreakdown: {
    /** Labelled with the root of a request of another kind (in flight at the same time). */
    otherRequest: number;
    /** Labelled with a span id that no exported span has. */
    unknownSpan: number;
    /** Labelled with a request of the tracked kind that was not running during that profile. */
    stale: number;
  };
}

export interface AttributionShares {
  right: number;
  wrong: number;
  unlabelled: number;
}

export function isWorkSample(sample: DecodedSample, workFunctions: ReadonlySet<string>): boolean {
  return sample.stack.some((frame) => workFunctions.has(frameFunction(frame)));
}

export function classifyAttribution(
  windows: readonly ProfileWindow[],
  roots: readonly RootSpan[],
  knownSpanIds: ReadonlySet<string>,
  options: AttributionOptions,
): Attribution {
  const work = new Set(options.workFunctions);
  const slack = options.slackMicros ?? 50_000;
  const rootById = new Map(roots.map((root) => [root.spanId, root]));
  const result: Attribution = {
    right: 0,
    wrong: 0,
    unlabelled: 0,
    samples: 0,
    wrongBreakdown: { otherRequest: 0, unknownSpan: 0, stale: 0 },
  };
  for (const window of windows) {
    for (const sample of window.samples) {
      if (!isWorkSample(sample, work)) continue;
      const weight = sample.values['samples/count'] ?? 1;
      result.samples += weight;
      const label = sample.labels['span_id'];
      if (label === undefined || label === '') {
        result.unlabelled += weight;
        continue;
      }
      const root = rootById.get(label);
      if (root === undefined) {
        result.wrong += weight;
        if (knownSpanIds.has(label)) result.wrongBreakdown.otherRequest += weight;
        else result.wrongBreakdown.unknownSpan += weight;
      } else if (root.name !== options.rootName) {
        result.wrong += weight;
        result.wrongBreakdown.otherRequest += weight;
      } else if (
        root.startMicros > window.endMicros + slack ||
        root.startMicros + root.durationMicros < window.startMicros - slack
      ) {
        result.wrong += weight;
        result.wrongBreakdown.stale += weight;
      } else {
        result.right += weight;
      }
    }
  }
  return result;
}

export function shares(a: Attribution): AttributionShares {
  const total = a.samples || 1;
  return { right: a.right / total, wrong: a.wrong / total, unlabelled: a.unlabelled / total };
}
