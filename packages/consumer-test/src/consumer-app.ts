/**
 * A user's app outside the monorepo: `npm pack` of the package, installed from the tarball with its peer
 * dependencies and the app's own (versions as the monorepo's lockfile has them) into a fresh directory under
 * the system temp dir, with its own package.json, by a plain `npm install`. The app's telemetry files are
 * written by the caller (the README snippet); its Express server is app/server.mjs.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startAppProcess, type AppProcess } from '@rideshare/test-receivers';
import { lockedVersions } from './locked-versions.js';

const run = promisify(execFile);

export const SERVER_SOURCE = fileURLToPath(new URL('../../app/server.mjs', import.meta.url));

export interface InstallOptions {
  /** The package's workspace directory (built). */
  packageDir: string;
  /** The monorepo's package-lock.json, for the versions. */
  lockfile: string;
  /** What the app depends on besides the package and its peers. */
  appDependencies: readonly string[];
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ConsumerApp {
  dir: string;
  /** File name of the packed tarball, and the files it holds. */
  tarball: string;
  packedFiles: string[];
  /** What package.json of the app lists. */
  dependencies: Record<string, string>;
  installSeconds: number;
  writeFile(name: string, contents: string): void;
  start(env: Record<string, string>): AppProcess;
  remove(): void;
}

/** npm's own variables that a user's shell has too; the other `npm_*` ones tie npm to the monorepo. */
const KEPT_NPM_VARIABLES = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);

/**
 * npm run by the Node that runs the tests (`npm_execpath` is set under `npm test`), in the environment of
 * the tests minus what `npm test` added about the monorepo (workspace, prefix, package).
 */
function npm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_/i.test(key) || KEPT_NPM_VARIABLES.has(key.toLowerCase()),
    ),
  );
  const cli = process.env['npm_execpath'];
  const [file, argv] = cli?.endsWith('.js') ? [process.execPath, [cli, ...args]] : ['npm', args];
  return run(file, argv, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * `npm install` in the app's directory: first from the cache where it can (`--prefer-offline`), then twice
 * more revalidating every packument (`--prefer-online`), so that a registry hiccup does not fail the suite.
 * `--loglevel=http` puts each failed fetch and its reason on stderr: npm's own message can hide it, since a
 * dependency it could not fetch, when a peer also asks for it, is reported as `ERESOLVE … Found:
 * <package>@undefined` (npm/cli#9979). That is how a fresh CI machine failed once: behind a TLS-inspecting
 * proxy, turbo's strict environment had dropped NODE_EXTRA_CA_CERTS (turbo.json now passes it through), and
 * every fetch failed with SELF_SIGNED_CERT_IN_CHAIN. The last failure is thrown with every attempt's reasons.
 */
async function installWithRetries(dir: string, log: (line: string) => void): Promise<void> {
  const attempts = ['--prefer-offline', '--prefer-online', '--prefer-online'];
  const failures: string[] = [];
  for (const [index, freshness] of attempts.entries()) {
    try {
      await npm(['install', '--no-audit', '--no-fund', '--loglevel=http', freshness], dir);
      return;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      const reasons = [
        ...new Set(
          stderr
            .split('\n')
            .filter((line) =>
              /attempt \d+ failed|npm error (code|ERESOLVE|Found|notarget|network)/i.test(line),
            )
            .map((line) => line.replace(/attempt \d+ failed/, 'failed')),
        ),
      ].slice(0, 10);
      const summary = reasons.length > 0 ? reasons.join('\n') : stderr.slice(-2000);
      failures.push(`attempt ${index + 1} (${freshness}):\n${summary}`);
      log(`npm install failed (attempt ${index + 1} of ${attempts.length}, ${freshness}):\n${summary}`);
      if (index < attempts.length - 1)
        await new Promise((resolve) => setTimeout(resolve, 3000 * (index + 1)));
    }
  }
  const certificateHint = failures.some((f) => /CERT/.test(f))
    ? ' (a certificate error: the CA of a TLS-inspecting proxy is not reaching npm; NODE_EXTRA_CA_CERTS?)'
    : '';
  throw new Error(
    `npm install of the consumer app failed ${attempts.length} times in ${dir}${certificateHint}:\n` +
      failures.join('\n'),
  );
}

export async function installConsumerApp(options: InstallOptions): Promise<ConsumerApp> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'span-profiles-consumer-'));
  try {
    const packed = JSON.parse(
      (await npm(['pack', '--json', '--pack-destination', dir], options.packageDir)).stdout,
    ) as {
      filename: string;
      files: { path: string }[];
    }[];
    const { filename, files } = packed[0]!;
    const manifest = JSON.parse(readFileSync(join(options.packageDir, 'package.json'), 'utf8')) as {
      name: string;
      peerDependencies?: Record<string, string>;
    };
    const peers = Object.keys(manifest.peerDependencies ?? {});
    const dependencies = {
      [manifest.name]: `file:./${filename}`,
      ...lockedVersions(options.lockfile, [...new Set([...peers, ...options.appDependencies])].sort()),
    };
    writeFileSync(
      join(dir, 'package.json'),
      `${JSON.stringify(
        {
          name: 'span-profiles-consumer',
          private: true,
          type: 'module',
          dependencies,
          // install scripts of native or generated code, as the monorepo allows them
          allowScripts: { '@datadog/pprof': true, protobufjs: true },
        },
        null,
        2,
      )}\n`,
    );
    copyFileSync(SERVER_SOURCE, join(dir, 'server.mjs'));
    log(`installing ${filename} and ${Object.keys(dependencies).length - 1} packages into ${dir} …`);
    const started = performance.now();
    await installWithRetries(dir, log);
    const installSeconds = (performance.now() - started) / 1000;
    log(`installed in ${installSeconds.toFixed(1)} s`);
    return {
      dir,
      tarball: filename,
      packedFiles: files.map((f) => f.path).sort(),
      dependencies,
      installSeconds,
      writeFile: (name, contents) => writeFileSync(join(dir, name), contents),
      start: (env) => startAppProcess('consumer-app', join(dir, 'server.mjs'), env),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
