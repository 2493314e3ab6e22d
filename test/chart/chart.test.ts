import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { installCrds, serviceMonitorCrdPath } from '../kube/harness/crds.ts';
import { runTalon } from '../support/cli.ts';
import { testKube } from '../support/kube.ts';

// The Helm chart (charts/talon) with a real Helm (scripts/provision-helm.sh) and the real API server.

const run = promisify(execFile);
const CHART = 'charts/talon';
const VALUES = ['charts/talon/ci/falco-talon-values.yaml', 'charts/talon/ci/trial-values.yaml'];
const version = /^HELM_VERSION=(\S+)$/m.exec(readFileSync('scripts/provision-helm.sh', 'utf8'))?.[1] ?? '';
const helm = process.env.HELM_BIN || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'talon-tools', `helm-${version}`, 'helm');
const kube = testKube();

interface Manifest extends KubernetesObject {
  kind: string;
  data?: Record<string, string>;
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
}

async function template(values: string, namespace: string, chart = CHART, release = 'talon'): Promise<Manifest[]> {
  const { stdout } = await run(helm, ['template', release, chart, '-f', values, '--namespace', namespace], { maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** (group, resource, verb) triples: two roles grant the same when these sets are equal. */
function grants(rules: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[]): string[] {
  return [...new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`)))))].sort();
}

const find = (manifests: Manifest[], kind: string, suffix = '') => manifests.find((m) => m.kind === kind && (m.metadata?.name ?? '').endsWith(suffix));

describe('the Helm chart', () => {
  beforeAll(async () => {
    await run(helm, ['version', '--short']);
    // The trial values enable the ServiceMonitor: applied against Prometheus Operator's own CRD.
    await installCrds(kube.kubeConfig, [serviceMonitorCrdPath()]);
  });

  it.each(VALUES)('passes helm lint with %s', async (values) => {
    const { stdout } = await run(helm, ['lint', CHART, '-f', values, '--strict']);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it.each(VALUES)('renders with %s objects the API server accepts (server-side apply)', async (values) => {
    const namespace = `chart-${Math.random().toString(16).slice(2, 8)}`;
    await kube.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const manifests = await template(values, namespace);
    expect(manifests.map((m) => m.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'Service', 'ConfigMap', 'PodDisruptionBudget', 'ClusterRole', 'ServiceAccount']),
    );
    const api = KubernetesObjectApi.makeApiClient(kube.kubeConfig);
    for (const manifest of manifests) {
      const object = { ...manifest, metadata: { ...manifest.metadata, namespace: manifest.kind.startsWith('Cluster') ? undefined : namespace } };
      if (manifest.kind.startsWith('Cluster')) object.metadata.name = `${namespace}-${manifest.metadata?.name ?? ''}`;
      await api.patch(object, undefined, undefined, 'talon-chart-test', true, PatchStrategy.ServerSideApply);
    }
    const ingest = find(manifests, 'Deployment', '-ingest') as unknown as {
      spec: { template: { spec: { containers: { args: string[]; readinessProbe: unknown }[] } } };
    };
    expect(ingest.spec.template.spec.containers[0]?.args).toEqual(['-c', '/etc/talon/config/config.yaml', 'serve']);
    expect(ingest.spec.template.spec.containers[0]?.readinessProbe).toMatchObject({ httpGet: { path: '/healthz' } });
    const worker = find(manifests, 'Deployment', '-worker') as unknown as typeof ingest;
    expect(worker.spec.template.spec.containers[0]?.args).toEqual(['-c', '/etc/talon/config/config.yaml', 'worker']);
    expect(worker.spec.template.spec.containers[0]?.readinessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
  });

  it('scrapes the ingest and the workers with one ServiceMonitor when serviceMonitor.enabled', async () => {
    const manifests = await template(VALUES[1]!, 'default');
    const monitor = find(manifests, 'ServiceMonitor') as unknown as {
      spec: { selector: { matchLabels: Record<string, string>; matchExpressions: { key: string; values: string[] }[] } };
    };
    const selects = (labels: Record<string, string> = {}) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => labels[k] === v) &&
      monitor.spec.selector.matchExpressions.every((e) => e.values.includes(labels[e.key] ?? ''));
    const services = manifests.filter((m) => m.kind === 'Service' && selects(m.metadata?.labels));
    expect(services.map((m) => m.metadata?.name).sort()).toEqual(['talon', 'talon-worker-metrics']);
    const config = parse(find(manifests, 'ConfigMap', '-config')?.data?.['config.yaml'] ?? '') as Record<string, unknown>;
    expect(config['worker_metrics_port']).toBe(2804);
  });

  it("turns falco-talon's camelCase values into a configuration the engine loads, and rules that `rules check` passes", async () => {
    const manifests = await template(VALUES[0]!, 'default');
    const dir = mkdtempSync(join(tmpdir(), 'talon-chart-'));
    const rules = find(manifests, 'ConfigMap', '-rules')?.data ?? {};
    for (const [name, text] of Object.entries(rules)) writeFileSync(join(dir, name), text);
    const config = parse(find(manifests, 'ConfigMap', '-config')?.data?.['config.yaml'] ?? '') as Record<string, unknown>;
    expect(config).toMatchObject({
      default_notifiers: ['k8sevents', 'webhook'],
      print_all_events: true,
      deduplication: { leader_election: true, time_window_seconds: 10 },
      notifiers: { webhook: { url: 'http://alerts.example.com/talon' } },
      temporal: { address: 'temporal-frontend.temporal:7233', task_queue: 'talon' },
    });
    config.rules_files = [join(dir, 'rules.yaml'), join(dir, 'rules_override.yaml')];
    const file = join(dir, 'config.yaml');
    writeFileSync(file, JSON.stringify(config));
    const check = await runTalon(['-c', file, 'rules', 'check']);
    expect(check.code, check.stderr).toBe(0);
    // The ClusterRole grants what `talon rbac` prints for the same rules and notifiers.
    const rbac = await runTalon(['-c', file, 'rbac']);
    const expected = parse(rbac.stdout) as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    expect(grants(find(manifests, 'ClusterRole')?.rules ?? [])).toEqual(grants(expected.rules));
  });

  it('keeps secrets out of the ConfigMaps: tokens and keys go to Secrets read as environment variables', async () => {
    const manifests = await template(VALUES[1]!, 'default');
    const configText = JSON.stringify(manifests.filter((m) => m.kind === 'ConfigMap'));
    expect(configText).not.toContain('trial-token');
    expect(configText).not.toContain('MDEyMzQ1');
    expect(find(manifests, 'Secret', '-auth')).toBeDefined();
    expect(find(manifests, 'Deployment', '-temporal')).toBeDefined();
  });

  it("stands in for falco-talon as the response-actions subchart of Falco's umbrella chart", async () => {
    // Falco's chart pulls `falco-talon` under `responseActions.enabled` with its values under
    // `falco-talon:`; an umbrella chart aliasing this one the same way takes those values as they are.
    const dir = mkdtempSync(join(tmpdir(), 'talon-umbrella-'));
    writeFileSync(
      join(dir, 'Chart.yaml'),
      stringify({
        apiVersion: 'v2',
        name: 'falco-umbrella',
        version: '0.0.1',
        dependencies: [{ name: 'talon', alias: 'falco-talon', version: '*', repository: `file://${resolve(CHART)}`, condition: 'responseActions.enabled' }],
      }),
    );
    mkdirSync(join(dir, 'templates'));
    await run(helm, ['dependency', 'build', dir]);
    const userValues = parse(readFileSync(VALUES[0]!, 'utf8')) as Record<string, unknown>;
    const values = (enabled: boolean) => {
      const file = join(dir, `values-${enabled}.yaml`);
      writeFileSync(file, stringify({ responseActions: { enabled }, 'falco-talon': userValues }));
      return file;
    };
    const manifests = await template(values(true), 'falco', dir, 'falco');
    expect(find(manifests, 'Service', 'falco-talon')?.metadata?.name).toBe('falco-falco-talon');
    expect(find(manifests, 'Deployment', '-ingest')?.metadata?.name).toBe('falco-falco-talon-ingest');
    const config = parse(find(manifests, 'ConfigMap', '-config')?.data?.['config.yaml'] ?? '') as Record<string, unknown>;
    expect(config).toMatchObject({ default_notifiers: ['k8sevents', 'webhook'], temporal: { address: 'temporal-frontend.temporal:7233' } });
    expect(find(manifests, 'ConfigMap', '-rules')?.data?.['rules_override.yaml']).toContain('kubernetes:terminate');
    expect(await template(values(false), 'falco', dir, 'falco')).toEqual([]);
  });
});
