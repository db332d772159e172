import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TIMED_OUT, within } from '../src/deadline.js';

test('within gives the work its value when it settles first, TIMED_OUT when the deadline does', async () => {
  assert.equal(
    await within(
      sleep(5).then(() => 'done'),
      1000,
    ),
    'done',
  );
  assert.equal(
    await within(
      sleep(1000).then(() => 'done'),
      5,
    ),
    TIMED_OUT,
  );
  assert.equal(await within(new Promise(() => {}), -10), TIMED_OUT, 'a deadline already past ends the wait');
  await assert.rejects(within(Promise.reject(new Error('boom')), 1000), /boom/);
});
