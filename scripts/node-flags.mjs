/**
 * How the demo's four processes run Node (`npm run demo`, scripts/demo.mjs; the Dockerfile's CMD and ENV
 * carry the same). Each setting's measured effect is in bench/results.json (`footprint.tuning`).
 *
 * - No `--optimize-for-size`, though it takes the four from ~956 to ~648 MB RSS: it makes V8 collect far
 *   more often, and at the demo's load the other regions' handler p99 rose from ~50 to ~125–155 ms (GC
 *   and profile-encoding pauses), so eu-north's slow periods were only ×3.3 their p99 instead of ×15 (the
 *   demo must show ≥ ×5). Under a saturating load it costs ×3.3 CPU per request.
 * - --max-semi-space-size=4 (MB): V8 sizes the young generation by the heap's limit, and in these
 *   processes each semi-space grew to 16–32 MB and stayed there, though a scavenge leaves only a few MB
 *   alive. Capped at 8 MB, 3-minute runs of the four gave ~706 MB RSS against ~832 MB without the cap
 *   (2026-12-02). At 4 MB: 560 MB against 591 MB at 8 in 5-minute runs (2026-12-03, after the load
 *   generator's route planning stopped allocating; before that, 4 gave no less than 8), with CPU (0.39
 *   core), order work (311 ms median) and eu-north's slowness (×9.5) unchanged at the demo's load.
 *   Over 31 minutes the gap closes: 615 MB at 4 against 615 at 8 (the regions' old generations creep
 *   up either way), so the cap buys the first half hour, not the steady state. 2 MB gave no more (562
 *   at 5 minutes).
 *   Under a saturating load a smaller young generation costs CPU, more so with telemetry (spans waiting
 *   for their batch get promoted): the bench's row "with the demo's Node flags" measures full telemetry
 *   against its own "off" with the same flags, beside the goal rows at Node's defaults.
 * - MALLOC_ARENA_MAX=2: glibc keeps at most two malloc arenas instead of up to 8 per core for the
 *   process's threads (V8 platform workers, libuv pool, the log worker), which otherwise each hold
 *   freed memory (−8 MB per process measured). Ignored by other C libraries.
 */
export const NODE_FLAGS = ['--max-semi-space-size=4'];

/** Environment defaults of the four processes (a value already set in the environment wins). */
export const NODE_ENV_DEFAULTS = { MALLOC_ARENA_MAX: '2' };
