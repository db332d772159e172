// Grafana provisioning (data sources, dashboard providers) and the provisioned dashboards.
import { readdirSync } from 'node:fs';
import { dict, list, readJson, readYaml, repoPath, str, type Dict } from './repo.js';

export const DATASOURCES_FILE = 'grafana/provisioning/datasources/datasources.yaml';
export const DASHBOARD_PROVIDERS_DIR = 'grafana/provisioning/dashboards';
export const DASHBOARDS_DIR = 'grafana/dashboards';

export interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData: Dict;
}

export function loadDatasources(): Datasource[] {
  const file = dict(readYaml(DATASOURCES_FILE), DATASOURCES_FILE);
  return list(file.datasources, 'datasources').map((value, i) => {
    const ds = dict(value, `datasources[${i}]`);
    return {
      name: str(ds.name, `datasources[${i}].name`),
      uid: str(ds.uid, `datasources[${i}].uid`),
      type: str(ds.type, `datasources[${i}].type`),
      url: str(ds.url, `datasources[${i}].url`),
      jsonData: ds.jsonData === undefined ? {} : dict(ds.jsonData, `datasources[${i}].jsonData`),
    };
  });
}

export function loadDashboardProviders(): Dict[] {
  return readdirSync(repoPath(DASHBOARD_PROVIDERS_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => {
      const file = dict(readYaml(DASHBOARD_PROVIDERS_DIR, f), f);
      return list(file.providers, `${f}: providers`).map((p) => dict(p, `${f}: provider`));
    });
}

export function loadDashboards(): { file: string; json: Dict }[] {
  return readdirSync(repoPath(DASHBOARDS_DIR))
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, json: dict(readJson(DASHBOARDS_DIR, file), file) }));
}

/** Grafana's provisioning expands $VAR / ${VAR} from its environment; `$$` stands for a literal `$`. */
export function grafanaUnescape(value: string): string {
  return value.replace(/\$\$/g, '$');
}

/** Every `{type, uid}` datasource reference in a dashboard (panels, nested rows, targets). */
export function datasourceRefs(
  node: unknown,
  path = '',
): { path: string; uid: string; type: string | undefined }[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => datasourceRefs(n, `${path}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  const obj = node as Dict;
  const here =
    typeof obj.datasource === 'object' &&
    obj.datasource !== null &&
    typeof (obj.datasource as Dict).uid === 'string'
      ? [
          {
            path: `${path}.datasource`,
            uid: (obj.datasource as Dict).uid as string,
            type: (obj.datasource as Dict).type as string | undefined,
          },
        ]
      : [];
  return [
    ...here,
    ...Object.entries(obj)
      .filter(([k]) => k !== 'datasource')
      .flatMap(([k, v]) => datasourceRefs(v, `${path}.${k}`)),
  ];
}

export function panels(dashboard: Dict): Dict[] {
  return list(dashboard.panels, 'panels').flatMap((p) => {
    const panel = dict(p, 'panel');
    return [panel, ...(Array.isArray(panel.panels) ? panel.panels.map((n) => dict(n, 'row panel')) : [])];
  });
}
