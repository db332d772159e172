/** Reading the setup snippet out of a README, and the checked replacements made to it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSetupSnippet, replaceOnce } from '../src/setup-snippet.js';

function withReadme(text: string, check: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'setup-snippet-'));
  try {
    writeFileSync(join(dir, 'README.md'), text);
    check(join(dir, 'README.md'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fence = (code: string) => '```ts\n' + code + '```\n';

test('the block between the markers, or the first one calling startSpanProfiles, with a note', () => {
  const other = fence('const x = startSpanProfiles({});\n');
  const setup = fence('const spanProfiles = await startSpanProfiles({ appName: "a" });\n');
  withReadme(`# p\n${other}\n<!-- setup:begin -->\n${setup}<!-- setup:end -->\n`, (path) => {
    assert.deepEqual(readSetupSnippet(path), {
      code: 'const spanProfiles = await startSpanProfiles({ appName: "a" });\n',
    });
  });
  withReadme(`# p\n${fence('npm i x\n')}\n${setup}\n${other}`, (path) => {
    const { code, note } = readSetupSnippet(path);
    assert.equal(code, 'const spanProfiles = await startSpanProfiles({ appName: "a" });\n');
    assert.match(note ?? '', /has no <!-- setup:begin -->/);
  });
  withReadme('# p\nno code\n', (path) => assert.throws(() => readSetupSnippet(path), /no setup snippet/));
  withReadme(`<!-- setup:begin -->\n${setup}${setup}<!-- setup:end -->\n`, (path) =>
    assert.throws(() => readSetupSnippet(path), /expected one fenced code block/),
  );
});

test('replaceOnce replaces a text that occurs once, and refuses otherwise', () => {
  assert.equal(replaceOnce('a(b) c', 'a(b)', 'x', 'a(b)'), 'x c');
  assert.equal(replaceOnce('new E( )', /new E\(\s*\)/, 'new J()', 'E'), 'new J()');
  assert.throws(() => replaceOnce('a a', 'a', 'b', 'a'), /expected a once, found it 2 times/);
  assert.throws(() => replaceOnce('b', 'a', 'b', 'a'), /found it 0 times/);
});
