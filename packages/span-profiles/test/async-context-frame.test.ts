import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasAsyncContextFrame } from '../src/async-context-frame.js';

test('AsyncContextFrame: on by default from Node 24, opt-in on 22, absent on 20', () => {
  assert.equal(hasAsyncContextFrame('24.21.0', []), true);
  assert.equal(hasAsyncContextFrame('24.21.0', ['--no-async-context-frame']), false);
  assert.equal(hasAsyncContextFrame('22.12.0', []), false);
  assert.equal(hasAsyncContextFrame('22.12.0', ['--experimental-async-context-frame']), true);
  assert.equal(hasAsyncContextFrame('20.20.2', ['--experimental-async-context-frame']), false);
});

test('this test runs on the product runtime, where span labels are correct', () => {
  assert.equal(process.versions.node.split('.')[0], '24');
  assert.equal(hasAsyncContextFrame(), true);
});
