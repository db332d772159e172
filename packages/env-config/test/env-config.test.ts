import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, checkHttpUrl, parseBoolean, parseInteger, parseOneOf, parseUrl } from '../src/index.js';

const fails = (fn: () => unknown, message: string) =>
  assert.throws(fn, (error: unknown) => error instanceof ConfigError && error.message === message);

test('unset and blank variables take the default', () => {
  assert.equal(parseInteger({}, 'N', 7), 7);
  assert.equal(parseInteger({ N: '  ' }, 'N', 7), 7);
  assert.equal(parseBoolean({}, 'B', true), true);
  assert.equal(parseOneOf({}, 'M', ['a', 'b'], 'b'), 'b');
  assert.equal(parseUrl({}, 'U'), undefined);
});

test('values are parsed', () => {
  assert.equal(parseInteger({ N: ' 42 ' }, 'N', 7), 42);
  assert.equal(parseBoolean({ B: 'FALSE' }, 'B', true), false);
  assert.equal(parseBoolean({ B: '1' }, 'B', false), true);
  assert.equal(parseOneOf({ M: 'a' }, 'M', ['a', 'b'], 'b'), 'a');
  assert.equal(parseUrl({ U: 'http://loki:3100/' }, 'U'), 'http://loki:3100');
});

test('a bad value names the variable, the value and the reason', () => {
  fails(() => parseInteger({ N: '1.5' }, 'N', 7), 'invalid configuration: N="1.5" is not a whole number');
  fails(
    () => parseInteger({ N: '-1' }, 'N', 7),
    'invalid configuration: N="-1" is out of range (0..9007199254740991)',
  );
  fails(
    () => parseInteger({ N: '9' }, 'N', 7, { min: 1, max: 8 }),
    'invalid configuration: N="9" is out of range (1..8)',
  );
  fails(
    () => parseBoolean({ B: 'maybe' }, 'B', true),
    'invalid configuration: B="maybe" is not a boolean (use true/false or 1/0)',
  );
  fails(
    () => parseOneOf({ M: 'c' }, 'M', ['a', 'b'], 'a'),
    'invalid configuration: M="c" is not one of a, b',
  );
  fails(
    () => parseUrl({ U: 'loki' }, 'U'),
    'invalid configuration: U="loki" is not a URL (expected e.g. http://host:port)',
  );
  fails(() => parseUrl({ U: 'ftp://x' }, 'U'), 'invalid configuration: U="ftp://x" is not an http(s) URL');
  fails(
    () => checkHttpUrl('L', 'http://a,b', 'b', (reason) => `has "b", which is ${reason}`),
    'invalid configuration: L="http://a,b" has "b", which is not a URL (expected e.g. http://host:port)',
  );
});
