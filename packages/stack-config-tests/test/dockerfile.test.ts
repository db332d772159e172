// The app Dockerfile and .dockerignore: pinned Node 24 base, turbo prune, cached npm ci, non-root runtime.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { dict, readJson, readText, repoPath } from '../src/repo.js';

// how `npm run demo` runs the four processes; the containers must run them the same way
const { NODE_FLAGS, NODE_ENV_DEFAULTS } = (await import(
  pathToFileURL(repoPath('scripts', 'node-flags.mjs')).href
)) as { NODE_FLAGS: string[]; NODE_ENV_DEFAULTS: Record<string, string> };

const dockerfile = readText('Dockerfile');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

test('the base image is node:24 slim, pinned to the Node version the repo develops against', () => {
  const arg = instructions.find((l) => l.startsWith('ARG NODE_IMAGE='));
  assert.ok(arg, 'ARG NODE_IMAGE=<image> before the first FROM');
  const image = arg.slice('ARG NODE_IMAGE='.length);
  const match = /^node:(24\.\d+\.\d+)-[a-z]+-slim$/.exec(image);
  assert.ok(match, `${image}: expected node:24.x.y-<debian>-slim`);
  const rootPackage = dict(readJson('package.json'), 'package.json');
  assert.equal(
    match[1],
    dict(rootPackage.devDependencies, 'devDependencies').node,
    'same Node as the devDependency',
  );
  for (const from of instructions.filter((l) => l.startsWith('FROM ')))
    assert.match(from, /^FROM \$\{NODE_IMAGE\} AS /);
});

test('multi-stage: turbo prune --docker, npm ci on the pruned package.jsons before the sources', () => {
  assert.ok(
    instructions.some((l) => /turbo prune "?@rideshare\/\$\{APP\}"? --docker/.test(l)),
    'turbo prune',
  );
  const jsonCopy = instructions.findIndex((l) => /^COPY --from=pruner \/repo\/out\/json\/ /.test(l));
  const ci = instructions.findIndex((l, i) => i > jsonCopy && /^RUN npm ci\b/.test(l));
  const fullCopy = instructions.findIndex((l) => /^COPY --from=pruner \/repo\/out\/full\/ /.test(l));
  assert.ok(jsonCopy >= 0 && ci > jsonCopy && fullCopy > ci, 'out/json → npm ci → out/full');
  assert.ok(
    instructions.some((l) => /^RUN npm ci --omit=dev\b/.test(l)),
    'runtime installs production deps only',
  );
});

test('classic builder compatible: no BuildKit-only syntax', () => {
  assert.doesNotMatch(dockerfile, /--mount=|^# syntax=|<<EOF/m);
});

test('the runtime stage runs the compiled JavaScript as the non-root node user', () => {
  const lastFrom = instructions.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  const runtime = instructions.slice(lastFrom);
  assert.deepEqual(
    runtime.filter((l) => l.startsWith('USER ')),
    ['USER node'],
  );
  assert.equal(
    runtime.at(-1),
    `CMD ${JSON.stringify(['node', ...NODE_FLAGS, 'dist/src/main.js'])}`.replace(/","/g, '", "'),
  );
  assert.ok(runtime.includes('WORKDIR /app/apps/${APP}'));
  const env = runtime.filter((l) => l.startsWith('ENV ')).join(' ');
  for (const [name, value] of Object.entries(NODE_ENV_DEFAULTS)) {
    assert.ok(env.includes(`${name}=${value}`), `ENV ${name}=${value} as in scripts/node-flags.mjs`);
  }
});

test('.dockerignore keeps host builds and dependencies out of the context', () => {
  const ignored = readText('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const entry of ['**/node_modules', '**/dist', '**/.turbo', '.git']) {
    assert.ok(ignored.includes(entry), `.dockerignore should list ${entry}`);
  }
});
