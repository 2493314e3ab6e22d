import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { pinnedVersions } from './binaries.ts';
import { ignoreConflict } from './sa.ts';
import { waitUntil } from './proc.ts';

/** Calico's projectcalico.org/v3 NetworkPolicy (a stand-in CRD kept in the repository). */
export const CALICO_CRD = fileURLToPath(new URL('../crds/projectcalico.org_networkpolicies.yaml', import.meta.url));

const tools = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'talon-tools');

/** Cilium's own CiliumNetworkPolicy CRD, provisioned from its Go module by scripts/provision-crds.sh. */
export function ciliumCrdPath(): string {
  return join(tools(), `cilium-crds-${pinnedVersions().cilium}`, 'ciliumnetworkpolicies.yaml');
}

/** Prometheus Operator's ServiceMonitor CRD, provisioned from its Go module by scripts/provision-crds.sh. */
export function serviceMonitorCrdPath(): string {
  return join(tools(), `prometheus-operator-crds-${pinnedVersions().prometheusOperator}`, 'servicemonitors.yaml');
}

/** Creates the CRDs (already there is fine) and waits until the API server serves them. */
export async function installCrds(kubeConfig: KubeConfig, files: readonly string[]): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const file of files) {
    // Typed by the client's own loader: raw keys like `x-kubernetes-int-or-string` would be dropped on send.
    const body = loadYaml<V1CustomResourceDefinition>(readFileSync(file, 'utf8'));
    const name = body.metadata?.name ?? '';
    await ignoreConflict(api.createCustomResourceDefinition({ body }));
    await waitUntil(
      `CRD ${name} established`,
      async () => {
        const crd = await api.readCustomResourceDefinition({ name });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
      },
      undefined,
      30_000,
      100,
    );
  }
}
