/**
 * Container and repository hygiene: the apps' image runs as a non-root user, Grafana's anonymous Admin is
 * marked demo-only where it is configured and where it is documented, and nothing that looks like a
 * private key or an access token is in the repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

test('the apps image runs as the non-root user node', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM\s/m);
  const runtime = stages.at(-1)!;
  const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(users.length >= 1, 'the final stage sets USER');
  assert.equal(users.at(-1), 'node', 'the last USER of the final stage is node');
  assert.doesNotMatch(runtime.slice(runtime.lastIndexOf('USER')), /^USER\s+(root|0)\b/m);
  // nothing after USER switches back to root for the command
  assert.match(runtime.slice(runtime.lastIndexOf('USER')), /^CMD\s/m);
});

test("Grafana's anonymous Admin is marked demo-only in the compose file and the README", () => {
  const compose = read('docker-compose.yml');
  const lines = compose.split('\n');
  const role = lines.findIndex((l) => /GF_AUTH_ANONYMOUS_ORG_ROLE:\s*'?Admin'?/.test(l));
  assert.ok(role >= 0, 'compose gives anonymous users the Admin role (the demo setting this test guards)');
  const nearby = lines.slice(Math.max(0, role - 4), role + 1).join('\n');
  assert.match(nearby, /#.*demo[ -]only/i, 'a comment right above says it is for the demo only');
  assert.match(nearby, /#.*(never|not).*production/i, 'and that it is not for production');
  const readme = read('README.md');
  assert.match(readme, /anonymous[^\n]*Admin[^\n]*demo[ -]only|demo[ -]only[^\n]*anonymous[^\n]*Admin/i);
});

/** Patterns for credentials (built from parts, so that this file does not match itself). */
const SECRET_PATTERNS: [string, RegExp][] = [
  [
    'private key',
    new RegExp(['-----BEGIN ', '(RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?', 'PRIVATE KEY', '-----'].join('')),
  ],
  ['AWS access key id', new RegExp(['\\b(AKIA|ASIA)', '[0-9A-Z]{16}\\b'].join(''))],
  ['GitHub token', new RegExp(['\\bgh[pousr]_', '[A-Za-z0-9]{36,}\\b'].join(''))],
  ['GitHub fine-grained token', new RegExp(['\\bgithub_pat_', '[A-Za-z0-9_]{40,}'].join(''))],
  ['Slack token', new RegExp(['\\bxox[abposr]-', '[A-Za-z0-9-]{10,}'].join(''))],
  ['Grafana service account token', new RegExp(['\\bglsa_', '[A-Za-z0-9_]{20,}'].join(''))],
  ['npm token', new RegExp(['\\bnpm_', '[A-Za-z0-9]{36}\\b'].join(''))],
  ['Google API key', new RegExp(['\\bAIza', '[0-9A-Za-z_-]{35}\\b'].join(''))],
  ['JWT', new RegExp(['\\beyJ[A-Za-z0-9_-]{10,}', '\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}'].join(''))],
  [
    'hard-coded password or token',
    new RegExp(
      [
        '(password|passwd|secret|api[_-]?key|auth[_-]?token)',
        '["\']?\\s*[:=]\\s*["\'][^"\'\\s$]{8,}["\']',
      ].join(''),
      'i',
    ),
  ],
];

test('no private keys or access tokens in the repository', () => {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== '' && !f.endsWith('package-lock.json') && !f.includes('node_modules/'));
  assert.ok(files.length > 50, `files scanned: ${files.length}`);
  const findings: string[] = [];
  let scanned = 0;
  for (const file of files) {
    const path = join(ROOT, file);
    let text: string;
    try {
      if (statSync(path).size > 2_000_000) continue;
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // deleted in the work tree
    }
    if (text.includes('\u0000')) continue; // binary
    scanned++;
    for (const [name, pattern] of SECRET_PATTERNS) {
      const match = pattern.exec(text);
      if (match) findings.push(`${file}: ${name}: ${match[0].slice(0, 24)}…`);
    }
  }
  assert.deepEqual(findings, [], 'credentials found');
  assert.ok(scanned > 50);
});

test('the secret patterns do find what they are meant to find', () => {
  const samples = [
    ['-----BEGIN ', 'OPENSSH PRIVATE KEY-----'].join(''),
    ['AKIA', 'ABCDEFGHIJKLMNOP'].join(''),
    ['ghp_', 'a'.repeat(36)].join(''),
    ['xoxb-', '1234567890-abc'].join(''),
    ['password', ': "hunter2hunter2"'].join(''),
  ];
  for (const sample of samples) {
    assert.ok(
      SECRET_PATTERNS.some(([, p]) => p.test(sample)),
      `a pattern matches ${sample.slice(0, 8)}…`,
    );
  }
  assert.ok(
    !SECRET_PATTERNS.some(([, p]) => p.test('password: ${GF_ADMIN_PASSWORD}')),
    'a variable reference is fine',
  );
});
