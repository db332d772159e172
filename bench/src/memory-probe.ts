/**
 * A preload for the footprint run (`NODE_OPTIONS=--import=<this file>`): in the main thread of an app's
 * `dist/src/main.js`, writes `process.memoryUsage()` to `<FOOTPRINT_PROBE_DIR>/<pid>.json` every
 * FOOTPRINT_PROBE_INTERVAL_MS, so the footprint can read each process's heap from outside. Any other
 * process that inherits NODE_OPTIONS (npm, turbo's tsc, `scripts/demo.mjs` itself) is left alone.
 *
 * It costs one `memoryUsage()` and one small file write per interval, on an unref'd timer.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

export interface ProbeRecord {
  pid: number;
  /** `rideshare` or `load-generator`, from the script's path. */
  app: string;
  /** REGION of a rideshare process. */
  region: string | undefined;
  /** Node's flags for this process (execArgv and NODE_OPTIONS), to show what ran. */
  execArgv: string[];
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const APP_MAIN = /[/\\]apps[/\\]([a-z-]+)[/\\]dist[/\\]src[/\\]main\.js$/;

const dir = process.env.FOOTPRINT_PROBE_DIR;
const app = APP_MAIN.exec(process.argv[1] ?? '')?.[1];
if (dir !== undefined && dir !== '' && app !== undefined && isMainThread) {
  const path = join(dir, `${process.pid}.json`);
  const write = () => {
    const record: ProbeRecord = {
      pid: process.pid,
      app,
      region: process.env.REGION,
      execArgv: process.execArgv,
      at: Date.now(),
      ...process.memoryUsage(),
    };
    writeFileSync(`${path}.tmp`, JSON.stringify(record));
    renameSync(`${path}.tmp`, path);
  };
  write();
  setInterval(write, Number(process.env.FOOTPRINT_PROBE_INTERVAL_MS ?? 5000)).unref();
}
