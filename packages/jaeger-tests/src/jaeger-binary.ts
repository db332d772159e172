/**
 * The Jaeger v2 binary, built once from the Go module proxy and cached outside the clone.
 *
 * `jaeger-build/go.mod` pins `github.com/jaegertracing/jaeger` v1.76.0 as a Go 1.24 `tool`; that module
 * version is the same commit as Jaeger v2.13.0, and its `cmd/jaeger` is the v2 binary. The binary lands in
 * `${XDG_CACHE_HOME:-$HOME/.cache}/rideshare-demo/jaeger-v1.76.0-<hash>/jaeger` (the hash of go.mod, go.sum
 * and the linker flags), so a second run, or a fresh clone on the same machine, finds it. Two processes building at once take turns
 * (build-lock.ts); the build writes a temporary file and renames it, so a half-written binary is never used.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withBuildLock } from './build-lock.js';

export const JAEGER_MODULE = 'github.com/jaegertracing/jaeger';
export const JAEGER_MODULE_VERSION = 'v1.76.0';
export const JAEGER_VERSION = 'v2.13.0';
const JAEGER_PACKAGE = `${JAEGER_MODULE}/cmd/jaeger`;
/** How long a cold build took here (README), for its progress line. */
const COLD_BUILD_MINUTES = '5–10';

/** What to build: a Go module directory, the package in it, and the linker flags. */
export interface BuildSpec {
  /** The module directory (go.mod + go.sum); its files' hash keys the cache. */
  dir: string;
  pkg: string;
  ldflags: string;
  /** The cache directory's name before the hash, e.g. `jaeger-v1.76.0`. */
  name: string;
}

/** Jaeger v2.13.0 from jaeger-build/ (resolved from dist/src or src), stamped as Jaeger's Makefile does. */
export const JAEGER_BUILD: BuildSpec = {
  dir: join(
    dirname(fileURLToPath(import.meta.url)),
    ...(import.meta.url.includes('/dist/') ? ['..', '..'] : ['..']),
    'jaeger-build',
  ),
  pkg: JAEGER_PACKAGE,
  // scripts/makefiles/BuildInfo.mk and BuildBinaries.mk (`build-jaeger` uses BUILD_INFO_V2)
  ldflags: `-X ${JAEGER_MODULE}/internal/version.latestVersion=${JAEGER_VERSION}`,
  name: `jaeger-${JAEGER_MODULE_VERSION}`,
};

/** `go version` output, or undefined when no `go` is on PATH. */
export function goVersion(): string | undefined {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return result.stdout.trim();
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME']?.trim();
  return join(xdg ? xdg : join(env['HOME'] || homedir(), '.cache'), 'rideshare-demo');
}

/** Where the binary of this build is cached: keyed by its name and the hash of go.mod + go.sum. */
export function cachedBinaryPath(spec: BuildSpec = JAEGER_BUILD, root: string = cacheRoot()): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum']) {
    const path = join(spec.dir, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  hash.update(spec.ldflags);
  return join(root, `${spec.name}-${hash.digest('hex').slice(0, 12)}`, basename(spec.pkg));
}

export interface JaegerBinary {
  path: string;
  /** True when this call built it; false when it was already cached. */
  built: boolean;
  /** Time spent getting it: the build (cold) or the cache look-up (warm), ms. */
  tookMs: number;
}

export interface EnsureOptions {
  /** Progress and Go's own output (default: process.stderr). */
  log?: (text: string) => void;
  /** A rough duration for the progress line of a cold build, e.g. `5–10`. */
  expectedColdMinutes?: string;
  /** For the package's own tests: another module to build, another cache. */
  build?: BuildSpec;
  cacheRoot?: string;
}

/**
 * The cached binary, building it first when it is not there. Needs `go` (1.24.6 or later, the go line of
 * jaeger-build/go.mod) on PATH; a failed build rejects with Go's exit status and the end of its output.
 */
export async function ensureJaegerBinary(options: EnsureOptions = {}): Promise<JaegerBinary> {
  const log = options.log ?? ((text: string) => void process.stderr.write(text));
  const spec = options.build ?? JAEGER_BUILD;
  const started = performance.now();
  const binary = cachedBinaryPath(spec, options.cacheRoot ?? cacheRoot());
  if (existsSync(binary)) return { path: binary, built: false, tookMs: performance.now() - started };
  const dir = dirname(binary);
  mkdirSync(dir, { recursive: true });
  return withBuildLock(
    `${dir}.lock`,
    async () => {
      // another process may have built it while we waited for the lock
      if (existsSync(binary)) return { path: binary, built: false, tookMs: performance.now() - started };
      log(
        spec === JAEGER_BUILD
          ? `building Jaeger ${JAEGER_MODULE_VERSION} (= ${JAEGER_VERSION}) from the Go module proxy, first run only, ` +
              `~${options.expectedColdMinutes ?? COLD_BUILD_MINUTES} min; cached at ${binary}\n`
          : `building ${spec.pkg} into ${binary}\n`,
      );
      const temporary = `${binary}.tmp-${process.pid}`;
      try {
        await goBuild(spec, temporary, log);
        renameSync(temporary, binary);
      } finally {
        rmSync(temporary, { force: true });
      }
      const tookMs = performance.now() - started;
      log(`built ${basename(spec.pkg)} in ${(tookMs / 60_000).toFixed(1)} min\n`);
      return { path: binary, built: true, tookMs };
    },
    (owner) => log(`waiting for the build of process ${owner ?? '?'} (lock ${dir}.lock)\n`),
  );
}

/**
 * `go build` as Jaeger's Makefile builds the binary: no cgo, version stamped by the linker. `-v` prints
 * each package as it is compiled: the progress of a cold build.
 */
function goBuild(spec: BuildSpec, output: string, log: (text: string) => void): Promise<void> {
  const args = ['build', '-v', '-trimpath', '-ldflags', spec.ldflags, '-o', output, spec.pkg];
  return new Promise<void>((resolve, reject) => {
    const child = spawn('go', args, {
      cwd: spec.dir,
      env: { ...process.env, CGO_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const forward = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      log(text);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `go ${args.join(' ')} (in ${spec.dir}) failed with ${signal ?? `exit code ${code}`}:\n${tail}`,
          ),
        );
    });
  });
}
/** The module versions Go recorded in the binary (`go version -m`): the proof of what was built. */
export function embeddedModules(binary: string): Map<string, string> {
  const result = spawnSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`go version -m ${binary}: ${result.stderr || result.error}`);
  const modules = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const [kind, path, version] = line.trim().split(/\s+/);
    if ((kind === 'mod' || kind === 'dep') && path !== undefined && version !== undefined)
      modules.set(path, version);
  }
  return modules;
}
