import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../src/config.js';

test('defaults: port 5000, us-east, never slow outside eu-north', () => {
  assert.deepEqual(loadConfig({}), {
    port: 5000,
    region: 'us-east',
    slowMode: 'never',
    slowPeriodSeconds: 60,
    slowOrderMs: 100,
    fleetSize: 10_000,
  });
});

test('eu-north is periodically slow by default; SLOW_MODE overrides it', () => {
  assert.equal(loadConfig({ REGION: 'eu-north' }).slowMode, 'periodic');
  assert.equal(loadConfig({ REGION: 'eu-north', SLOW_MODE: 'never' }).slowMode, 'never');
  assert.equal(loadConfig({ REGION: 'ap-south', SLOW_MODE: 'always' }).slowMode, 'always');
});

test('values are trimmed; empty means unset', () => {
  assert.equal(loadConfig({ PORT: ' 5001 ', REGION: '' }).port, 5001);
  assert.equal(loadConfig({ REGION: '' }).region, 'us-east');
});

test('a bad value is one line naming the variable and the value', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'invalid configuration: PORT="abc" is not a whole number'],
    [{ PORT: '70000' }, 'invalid configuration: PORT="70000" is out of range (0..65535)'],
    [{ PORT: '-1' }, 'invalid configuration: PORT="-1" is out of range (0..65535)'],
    [{ REGION: 'mars' }, 'invalid configuration: REGION="mars" is not one of us-east, eu-north, ap-south'],
    [
      { SLOW_MODE: 'sometimes' },
      'invalid configuration: SLOW_MODE="sometimes" is not one of periodic, always, never',
    ],
    [
      { SLOW_PERIOD_SECONDS: '0' },
      'invalid configuration: SLOW_PERIOD_SECONDS="0" is out of range (1..86400)',
    ],
    [{ SLOW_ORDER_MS: '1.5' }, 'invalid configuration: SLOW_ORDER_MS="1.5" is not a whole number'],
    [{ FLEET_SIZE: '10' }, 'invalid configuration: FLEET_SIZE="10" is out of range (100..1000000)'],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), { message }, JSON.stringify(env));
  }
});
