// The README's stack section: published ports match docker-compose.yml; the walkthrough names what exists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCompose } from '../src/compose.js';
import { portsTable, stackSection } from '../src/readme.js';

const section = stackSection();
const rows = portsTable(section);
const { services } = loadCompose();

test('the ports table lists exactly the host ports docker-compose.yml publishes', () => {
  const published = [...services.values()].flatMap((s) =>
    s.ports.map((p) => `${s.name} ${p.host}/${p.protocol}`),
  );
  const documented = rows.map((r) => `${r.service} ${r.port}/${r.protocol}`);
  assert.deepEqual(documented.sort(), published.sort());
});

test('web UIs in the ports table link to localhost on that port', () => {
  for (const r of rows) {
    const url = r.cells.find((c) => c.includes('http://'));
    if (url) assert.ok(url.includes(`http://localhost:${r.port}`), `${r.service} ${r.port}: ${url}`);
  }
  for (const port of [4000, 3000, 4040]) {
    assert.ok(
      section.includes(`http://localhost:${port}`),
      `the walkthrough should link http://localhost:${port}`,
    );
  }
});

test('the walkthrough names the spans, tag and commands that exist', () => {
  for (const word of [
    'OrderVehicle',
    'CarHandler',
    'pyroscope.profile.id',
    'docker compose up --build',
    'DEBUG_TRACER',
  ]) {
    assert.ok(section.includes(word), `README stack section should mention ${word}`);
  }
  assert.match(section, /```mermaid|┌|-->|──>/, 'a diagram of the flow');
});
