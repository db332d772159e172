/**
 * How the demo's four processes run Node (`npm run demo`, scripts/demo.mjs; the Dockerfile's CMD and ENV
 * should carry the same). Each setting's measured effect is in bench/results.json (`footprint.tuning`).
 *
 * - `--optimize-for-size`: V8 keeps its heaps tight instead of growing them for speed (a region's RSS
 *   ~220–300 MB → ~175 MB at the demo's load). The price is GC work: at the demo's one order a second it
 *   is not measurable, but a process serving requests flat out pays about 3× the CPU per request, so this
 *   is a setting for the demo on a laptop, not for a service under load (the bench runs plain `node`).
 *   It cannot be given in NODE_OPTIONS, hence a flag.
 * - MALLOC_ARENA_MAX=2: glibc keeps at most two malloc arenas instead of up to 8 per core for the
 *   process's threads (V8 platform workers, libuv pool, the log worker), which otherwise each hold
 *   freed memory (−8 MB per process). Ignored by other C libraries.
 */
export const NODE_FLAGS = ['--optimize-for-size'];

/** Environment defaults of the four processes (a value already set in the environment wins). */
export const NODE_ENV_DEFAULTS = { MALLOC_ARENA_MAX: '2' };
