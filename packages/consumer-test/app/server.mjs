// The consumer's Express app, in a directory of its own outside the monorepo. Its telemetry file
// (telemetry-<SPAN_EXPORTER>.mjs) is the package README's setup snippet; this file is plain Express.
// GET /quote/<n> burns CPU in a function of its own, `burn_<n>`, between awaits and in a timer, so that
// every profile sample can be traced back to the request that took it. Prints {"port":N} once listening.
import { register } from 'node:module';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

// an ESM app needs OpenTelemetry's loader hook before express is imported (the README says so)
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const { sdk, spanProfiles } = await import(`./telemetry-${process.env.SPAN_EXPORTER}.mjs`);
const { default: express } = await import('express');
const { trace } = await import('@opentelemetry/api');
const { nameLocalRoot } = await import('pyroscope-span-profiles');

const ROUNDS = 8;
const BURN_MS = 3;
const tracer = trace.getTracer('consumer-app');

/** `burn_<n>(ms)`, compiled on its own so that the profiler names it apart from every other request's. */
function burnerFor(n) {
  return new Function(
    'performance',
    `return function burn_${n}(ms) {
      const end = performance.now() + ms;
      let x = 0;
      while (performance.now() < end) x += Math.sqrt(x + 1);
      return x;
    };`,
  )(performance);
}

const app = express();
app.get('/quote/:n', async (req, res) => {
  nameLocalRoot('QuoteHandler');
  const n = Number(req.params.n);
  const burn = burnerFor(n);
  await tracer.startActiveSpan('PriceRoute', { attributes: { 'quote.n': n } }, async (span) => {
    for (let i = 0; i < ROUNDS; i++) {
      burn(BURN_MS);
      await sleep(1);
    }
    span.end();
  });
  await new Promise((resolve) => setTimeout(() => resolve(burn(BURN_MS)), 1));
  res.json({ n });
});

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

process.once('SIGTERM', async () => {
  await new Promise((resolve) => server.close(resolve));
  await sdk.shutdown();
  await spanProfiles.stop();
  process.stdout.write(`${JSON.stringify({ msg: 'stopped' })}\n`);
  process.exit(0);
});
