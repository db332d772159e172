// docker-compose.yml, parsed into the few shapes the checks need.
import { dict, isDict, list, readYaml, str, type Dict } from './repo.js';

export const COMPOSE_FILE = 'docker-compose.yml';

/** Names of the rideshare regions (one compose service each) and the other services. */
export const REGIONS = ['us-east', 'eu-north', 'ap-south'] as const;
export const BACKENDS = ['jaeger', 'pyroscope', 'loki'] as const;

export interface Service {
  name: string;
  raw: Dict;
  image: string | undefined;
  build: Dict | undefined;
  environment: Record<string, string>;
  dependsOn: Record<string, string>;
  healthcheck: Dict | undefined;
  /** published ports as { host, container, protocol } */
  ports: { host: number; container: number; protocol: string }[];
  volumes: { source: string; target: string }[];
  command: string[];
}

export function loadCompose(): { raw: Dict; services: Map<string, Service> } {
  const raw = dict(readYaml(COMPOSE_FILE), COMPOSE_FILE);
  const services = new Map<string, Service>();
  for (const [name, value] of Object.entries(dict(raw.services, 'services'))) {
    services.set(name, toService(name, dict(value, `services.${name}`)));
  }
  return { raw, services };
}

function toService(name: string, raw: Dict): Service {
  return {
    name,
    raw,
    image: raw.image === undefined ? undefined : str(raw.image, `${name}.image`),
    build: raw.build === undefined ? undefined : dict(raw.build, `${name}.build`),
    environment: toEnvironment(raw.environment, name),
    dependsOn: toDependsOn(raw.depends_on, name),
    healthcheck: raw.healthcheck === undefined ? undefined : dict(raw.healthcheck, `${name}.healthcheck`),
    ports: (raw.ports === undefined ? [] : list(raw.ports, `${name}.ports`)).map((p) => toPort(p, name)),
    volumes: (raw.volumes === undefined ? [] : list(raw.volumes, `${name}.volumes`)).map((v) =>
      toVolume(v, name),
    ),
    command:
      raw.command === undefined
        ? []
        : typeof raw.command === 'string'
          ? raw.command.split(/\s+/)
          : list(raw.command, `${name}.command`).map((c) => String(c)),
  };
}

function toEnvironment(value: unknown, name: string): Record<string, string> {
  if (value === undefined) return {};
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((entry) => {
        const text = String(entry);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(dict(value, `${name}.environment`)).map(([k, v]) => [k, v === null ? '' : String(v)]),
  );
}

function toDependsOn(value: unknown, name: string): Record<string, string> {
  if (value === undefined) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((s) => [String(s), 'service_started']));
  return Object.fromEntries(
    Object.entries(dict(value, `${name}.depends_on`)).map(([dep, spec]) => [
      dep,
      isDict(spec) && typeof spec.condition === 'string' ? spec.condition : 'service_started',
    ]),
  );
}

function toPort(value: unknown, name: string): { host: number; container: number; protocol: string } {
  if (isDict(value)) {
    return {
      host: Number(value.published),
      container: Number(value.target),
      protocol: typeof value.protocol === 'string' ? value.protocol : 'tcp',
    };
  }
  const text = String(value);
  const [mapping = '', protocol = 'tcp'] = text.split('/');
  const parts = mapping.split(':');
  if (parts.length < 2) throw new Error(`${name}: port "${text}" is not published on a host port`);
  const container = Number(parts[parts.length - 1]);
  const host = Number(parts[parts.length - 2]);
  return { host, container, protocol };
}

function toVolume(value: unknown, name: string): { source: string; target: string } {
  if (isDict(value)) return { source: str(value.source, `${name}.volumes`), target: str(value.target, name) };
  const [source = '', target = ''] = String(value).split(':');
  return { source, target };
}

/** `host:port` of an http:// URL, for checking that URLs point at compose services. */
export function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)) };
}
