// Locating and reading the stack's configuration files from the repository root.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The monorepo root: the nearest ancestor of this file that holds turbo.json. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'turbo.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (turbo.json) not found');
    dir = parent;
  }
})();

export const repoPath = (...parts: string[]): string => resolve(repoRoot, ...parts);

export const readText = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

/** Parse YAML with merge keys (`<<: *anchor`) resolved, as Docker Compose does. */
export const readYaml = (...parts: string[]): unknown => parse(readText(...parts), { merge: true });

export const readJson = (...parts: string[]): unknown => JSON.parse(readText(...parts)) as unknown;

export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object, or a thrown error naming `what`. */
export function dict(value: unknown, what: string): Dict {
  if (!isDict(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

export function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}
