/**
 * The project's own `jaeger/config.yaml`, rewritten for a test run: every `endpoint:` in it moves to a free
 * port on 127.0.0.1, and the UI config file is read from the repository instead of the compose mount.
 * The collector's own metrics endpoint, which the file leaves at its default (localhost:8888), is declared
 * on a free port too. Nothing else changes, so what boots here is the file the demo boots.
 */
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFreePort } from '@rideshare/test-receivers';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';

/** The monorepo root: the nearest ancestor of this file that holds turbo.json. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'turbo.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root (turbo.json) not found');
    dir = parent;
  }
  return dir;
})();

export const PROJECT_CONFIG = join(repoRoot, 'jaeger', 'config.yaml');
/** compose mounts ./jaeger/ui-config.json at /etc/jaeger/ui-config.json (docker-compose.yml, service jaeger). */
const COMPOSE_UI_CONFIG = '/etc/jaeger/ui-config.json';
const REPO_UI_CONFIG = join(repoRoot, 'jaeger', 'ui-config.json');
const UI_CONFIG_PATH = ['extensions', 'jaeger_query', 'ui', 'config_file'] as const;
export const METRICS_PATH = ['service', 'telemetry', 'metrics'] as const;
/** Where the collector serves its own metrics when the config says nothing: localhost:8888, Prometheus pull
 * (opentelemetry-collector service/telemetry/otelconftelemetry config.go, createDefaultConfig). */
const DEFAULT_METRICS = 'localhost:8888 (collector default)';

/**
 * Protocols of the jaeger receiver that listen on UDP (the agent's Thrift protocols); every other endpoint
 * in the file is TCP. opentelemetry-collector-contrib receiver/jaegerreceiver/config.go: `thrift_compact`
 * and `thrift_binary` are `UDP` server settings, `thrift_http` and `grpc` are HTTP/gRPC servers.
 */
const UDP_PROTOCOLS = new Set(['thrift_compact', 'thrift_binary']);

export interface Listener {
  /** Where the endpoint sits in the config, e.g. `receivers.jaeger.protocols.thrift_http`. */
  path: string;
  /** The endpoint as written in jaeger/config.yaml, e.g. `0.0.0.0:14268`. */
  original: string;
  protocol: 'tcp' | 'udp';
  port: number;
}

export interface TestConfig {
  yaml: string;
  listeners: Listener[];
  /** The port of the listener at `path` (throws when the config has none there). */
  port(path: string): number;
}

/** Reads jaeger/config.yaml and moves each listener to a free loopback port. */
export async function testConfig(source = readFileSync(PROJECT_CONFIG, 'utf8')): Promise<TestConfig> {
  const document = parseDocument(source);
  if (document.errors.length > 0) throw new Error(`jaeger/config.yaml: ${document.errors.join('; ')}`);
  const listeners: Listener[] = [];
  const used = new Set<number>();
  const freePort = async (protocol: 'tcp' | 'udp'): Promise<number> => {
    let port: number;
    do port = protocol === 'udp' ? await freeUdpPort() : await getFreePort();
    while (used.has(port));
    used.add(port);
    return port;
  };
  for (const { path, value } of endpoints(document)) {
    const protocol = UDP_PROTOCOLS.has(path.at(-1) ?? '') ? 'udp' : 'tcp';
    const port = await freePort(protocol);
    listeners.push({ path: path.join('.'), original: value, protocol, port });
    document.setIn([...path, 'endpoint'], `127.0.0.1:${port}`);
  }
  if (!document.hasIn([...METRICS_PATH])) {
    const port = await freePort('tcp');
    listeners.push({ path: METRICS_PATH.join('.'), original: DEFAULT_METRICS, protocol: 'tcp', port });
    document.setIn(
      [...METRICS_PATH],
      document.createNode({ readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port } } } }] }),
    );
  }
  if (document.getIn([...UI_CONFIG_PATH]) === COMPOSE_UI_CONFIG) {
    document.setIn([...UI_CONFIG_PATH], REPO_UI_CONFIG);
  }
  return {
    yaml: document.toString(),
    listeners,
    port(path) {
      const listener = listeners.find((l) => l.path === path);
      if (listener === undefined) throw new Error(`jaeger/config.yaml has no listener at ${path}`);
      return listener.port;
    },
  };
}

/** Every `endpoint: <host:port>` in the document, with the path of the map that holds it. */
function endpoints(document: Document): { path: string[]; value: string }[] {
  const found: { path: string[]; value: string }[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === 'endpoint' && isScalar(pair.value) && typeof pair.value.value === 'string') {
        found.push({ path, value: pair.value.value });
      } else {
        walk(pair.value, [...path, key]);
      }
    }
  };
  walk(document.contents, []);
  return found;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
