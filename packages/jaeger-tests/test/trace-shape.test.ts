/**
 * The trace checks of jaeger.test.ts on made-up traces: a right one passes, and each kind of wrong one is
 * caught. These run without Go.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  joinProblems,
  PROFILE_ID,
  profileIdProblems,
  subMillisecondStarts,
  timingProblems,
  type ShapeSpan,
} from '../src/trace-shape.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(spanId: string, name: string, service: string, parentId?: string, profiled = false): ShapeSpan {
  return {
    traceId: TRACE,
    spanId,
    parentId,
    name,
    service,
    tags: new Map(profiled ? [[PROFILE_ID, spanId]] : []),
  };
}

/** OrderVehicle → (PlanRoute, RequestVehicle → CarHandler → FindNearestVehicle → CheckDriverAvailability). */
function goodTrace(): ShapeSpan[] {
  return [
    span('a000000000000001', 'OrderVehicle', 'load-generator', undefined, true),
    span('a000000000000002', 'PlanRoute', 'load-generator', 'a000000000000001'),
    span('a000000000000003', 'RequestVehicle', 'load-generator', 'a000000000000001'),
    span('b000000000000001', 'CarHandler', 'rideshare', 'a000000000000003', true),
    span('b000000000000002', 'FindNearestVehicle', 'rideshare', 'b000000000000001'),
    span('b000000000000003', 'CheckDriverAvailability', 'rideshare', 'b000000000000002'),
  ];
}

function withChange(change: (spans: ShapeSpan[]) => void): ShapeSpan[] {
  const spans = goodTrace();
  change(spans);
  return spans;
}

test('a right trace has no problems, whatever extra children it has', () => {
  assert.deepEqual(joinProblems(goodTrace()), []);
  assert.deepEqual(profileIdProblems(goodTrace()), []);
});

test('join: each kind of broken trace is named', () => {
  const cases: [string, ShapeSpan[], RegExp][] = [
    [
      'handler directly under OrderVehicle',
      withChange((s) => (s[3]!.parentId = 'a000000000000001')),
      /rideshare spans under RequestVehicle: none/,
    ],
    ['no RequestVehicle', withChange((s) => s.splice(2, 1)), /not in the trace|RequestVehicle: none/],
    ['a second root', withChange((s) => (s[4]!.parentId = undefined)), /roots: .*FindNearestVehicle/],
    [
      'root is not OrderVehicle',
      withChange((s) => (s[0]!.name = 'Other')),
      /expected one load-generator\/OrderVehicle/,
    ],
    [
      'dangling parent',
      withChange((s) => (s[5]!.parentId = 'ffffffffffffffff')),
      /parent ffffffffffffffff is not/,
    ],
    ['handler without children', withChange((s) => s.splice(4, 2)), /CarHandler .* has no children/],
    [
      'a rideshare span outside the handler',
      withChange((s) => (s[5]!.parentId = 'a000000000000001')),
      /CheckDriverAvailability .* does not descend from rideshare\/CarHandler/,
    ],
    [
      'handler not named *Handler',
      withChange((s) => (s[3]!.name = 'GET /car')),
      /under RequestVehicle: rideshare\/GET \/car/,
    ],
  ];
  for (const [what, spans, expected] of cases) assert.match(joinProblems(spans).join('\n'), expected, what);
});

test('profile ids: missing on a local root, wrong value, or on a span that is not a local root', () => {
  const missing = withChange((s) => (s[3]!.tags = new Map()));
  assert.match(profileIdProblems(missing).join(), /local root rideshare\/CarHandler .*= undefined/);
  const wrong = withChange((s) => (s[0]!.tags = new Map([[PROFILE_ID, 'b000000000000001']])));
  assert.match(profileIdProblems(wrong).join(), /OrderVehicle .*= b000000000000001/);
  const extra = withChange((s) => (s[4]!.tags = new Map([[PROFILE_ID, s[4]!.spanId]])));
  assert.match(profileIdProblems(extra).join(), /FindNearestVehicle .* is not a local root/);
});

test('timing: a child that starts before or ends after its parent is named; whole-ms starts are counted', () => {
  const timed = (spans: ShapeSpan[]) =>
    spans.map((span, i) => ({
      ...span,
      startMicros: 1_000_000 + i * 10 + 3,
      durationMicros: 1000 - i * 100,
    }));
  assert.deepEqual(timingProblems(timed(goodTrace())), { startsEarly: [], endsLate: [] });
  const late = timed(goodTrace());
  late[3]!.durationMicros = 2000; // CarHandler past RequestVehicle's end
  assert.match(
    timingProblems(late).endsLate.join(),
    /CarHandler .* ends \d+ µs after its parent load-generator\/RequestVehicle/,
  );
  const early = timed(goodTrace());
  early[3]!.startMicros = early[2]!.startMicros - 1015;
  assert.match(timingProblems(early).startsEarly.join(), /CarHandler .* starts 1015 µs before its parent/);
  assert.equal(subMillisecondStarts(timed(goodTrace())), 1);
  const whole = timed(goodTrace()).map((s) => ({ ...s, startMicros: 2_000_000 }));
  assert.equal(subMillisecondStarts(whole), 0);
});
