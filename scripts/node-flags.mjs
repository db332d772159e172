/**
 * How the demo's four processes run Node (`npm run demo`, scripts/demo.mjs; the Dockerfile's CMD and ENV
 * carry the same). Each setting's measured effect is in bench/results.json (`footprint.tuning`).
 *
 * - No `--optimize-for-size`, though it takes the four from ~956 to ~648 MB RSS: it makes V8 collect far
 *   more often, and at the demo's load the other regions' handler p99 rose from ~50 to ~125–155 ms (GC
 *   and profile-encoding pauses), so eu-north's slow periods were only ×3.3 their p99 instead of ×15 (the
 *   demo must show ≥ ×5). Under a saturating load it costs ×3.3 CPU per request.
 * - --max-semi-space-size=8 (MB): V8 sizes the young generation by the heap's limit, and in these
 *   processes each semi-space grew to 16–32 MB and stayed there, though a scavenge leaves only a few MB
 *   alive. Capped at 8 MB, 3-minute runs of the four gave ~706 MB RSS against ~832 MB without the cap
 *   (that run on a build a day older), with CPU and order work unchanged at the demo's load (0.40 core,
 *   309 ms median). Under a saturating load it costs CPU, more so with telemetry (spans waiting for their
 *   batch get promoted): the bench's row "with the demo's Node flags" has full telemetry at ×0.887 of
 *   its own "off" against ×0.872 at Node's defaults (2026-12-03, same rounds), i.e. about the same here.
 * - MALLOC_ARENA_MAX=2: glibc keeps at most two malloc arenas instead of up to 8 per core for the
 *   process's threads (V8 platform workers, libuv pool, the log worker), which otherwise each hold
 *   freed memory (−8 MB per process measured). Ignored by other C libraries.
 */
export const NODE_FLAGS = ['--max-semi-space-size=8'];

/** Environment defaults of the four processes (a value already set in the environment wins). */
export const NODE_ENV_DEFAULTS = { MALLOC_ARENA_MAX: '2' };
