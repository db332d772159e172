/**
 * The build cache and its lock, without Go: builds take turns, a dead owner's lock is taken over, the cache
 * key follows go.sum. (That a failed build rejects with Go's message is in jaeger.test.ts: it needs Go.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { withBuildLock } from '../src/build-lock.js';
import { cachedBinaryPath, JAEGER_BUILD } from '../src/jaeger-binary.js';

test('two holders of the lock take turns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
  const events: string[] = [];
  const hold = (name: string) =>
    withBuildLock(
      join(dir, 'lock'),
      async () => {
        events.push(`${name} in`);
        await sleep(50);
        events.push(`${name} out`);
      },
      () => undefined,
      10,
    );
  await Promise.all([hold('a'), hold('b')]);
  assert.deepEqual(events, ['a in', 'a out', 'b in', 'b out']);
  assert.equal(existsSync(join(dir, 'lock')), false);
  rmSync(dir, { recursive: true });
});

test('a lock left by a process that is gone is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-test-'));
  const lock = join(dir, 'lock');
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  mkdirSync(lock);
  writeFileSync(join(lock, 'pid'), gone.stdout);
  assert.equal(
    await withBuildLock(
      lock,
      async () => 'ran',
      () => assert.fail('waited for a dead owner'),
      10,
    ),
    'ran',
  );
  rmSync(dir, { recursive: true });
});

test('the cache key changes with go.sum and lives under XDG_CACHE_HOME', () => {
  const path = cachedBinaryPath(JAEGER_BUILD, '/cache/rideshare-demo');
  assert.match(path, /^\/cache\/rideshare-demo\/jaeger-v1\.76\.0-[0-9a-f]{12}\/jaeger$/);
  const other = cachedBinaryPath({ ...JAEGER_BUILD, dir: tmpdir() }, '/cache/rideshare-demo');
  assert.notEqual(other, path);
});
