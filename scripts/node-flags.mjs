/**
 * How the demo's four processes run Node, shared by `npm run demo` (scripts/demo.mjs) and the bench
 * (bench/src/app-process.ts), so that the overhead is measured on the processes the demo runs. The
 * Dockerfile's CMD and ENV carry the same. Each setting's measured effect is in bench/results.json
 * (`footprint.tuning`) and the README's Performance section.
 *
 * - `--optimize-for-size`: V8 keeps its heaps tight instead of growing them for speed (a region's RSS
 *   ~220–300 MB → ~175 MB). It cannot be given in NODE_OPTIONS, hence a flag.
 * - MALLOC_ARENA_MAX=2: glibc keeps at most two malloc arenas instead of up to 8 per core for the
 *   process's threads (V8 platform workers, libuv pool, the log worker), which otherwise each hold
 *   freed memory (−8 MB per process). Ignored by other C libraries.
 */
export const NODE_FLAGS = ['--optimize-for-size'];

/** Environment defaults of the four processes (a value already set in the environment wins). */
export const NODE_ENV_DEFAULTS = { MALLOC_ARENA_MAX: '2' };
