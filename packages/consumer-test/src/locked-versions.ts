/**
 * The exact versions the monorepo's lockfile has installed, so that the app outside the monorepo gets the
 * same packages (and the npm cache already holds them).
 */
import { readFileSync } from 'node:fs';

interface Lockfile {
  packages: Record<string, { version?: string; link?: boolean }>;
}

/** `name → version` of the top-level `node_modules/<name>` entries; throws for a name the lockfile lacks. */
export function lockedVersions(lockfilePath: string, names: readonly string[]): Record<string, string> {
  const lockfile = JSON.parse(readFileSync(lockfilePath, 'utf8')) as Lockfile;
  return Object.fromEntries(
    names.map((name) => {
      const version = lockfile.packages[`node_modules/${name}`]?.version;
      if (version === undefined) throw new Error(`${lockfilePath} has no node_modules/${name}`);
      return [name, version];
    }),
  );
}
