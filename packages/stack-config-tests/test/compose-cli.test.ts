// If Docker Compose is installed, it must accept docker-compose.yml (`config -q`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { repoRoot } from '../src/repo.js';

function findCompose(): string[] | undefined {
  const candidates = [['docker', 'compose'], ['docker-compose']];
  return candidates.find(
    ([cmd = '', ...args]) => spawnSync(cmd, [...args, 'version'], { encoding: 'utf8' }).status === 0,
  );
}

const compose = findCompose();

test(
  'docker compose config -q accepts docker-compose.yml',
  { skip: compose ? false : 'neither `docker compose` nor `docker-compose` is on PATH' },
  () => {
    const [cmd = '', ...args] = compose ?? [];
    const result = spawnSync(cmd, [...args, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, DEBUG_TRACER: '' },
    });
    assert.equal(result.status, 0, `${cmd} ${args.join(' ')} config -q failed:\n${result.stderr}`);
  },
);
