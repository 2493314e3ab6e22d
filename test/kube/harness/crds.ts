import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { pinnedVersions } from './binaries.ts';
import { ignoreConflict } from './sa.ts';
import { waitUntil } from './proc.ts';

/** Calico's projectcalico.org/v3 NetworkPolicy (a stand-in CRD kept in the repository). */
export const CALICO_CRD = fileURLToPath(new URL('../crds/projectcalico.org_networkpolicies.yaml', import.meta.url));

/** Cilium's own CiliumNetworkPolicy CRD, provisioned from its Go module by scripts/provision-crds.sh. */
export function ciliumCrdPath(): string {
  const tools = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'talon-tools');
  return join(tools, `cilium-crds-${pinnedVersions().cilium}`, 'ciliumnetworkpolicies.yaml');
}

/** Creates the CRDs (already there is fine) and waits until the API server serves them. */
export async function installCrds(kubeConfig: KubeConfig, files: readonly string[]): Promise<void> {
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const file of files) {
    const body = parse(readFileSync(file, 'utf8')) as V1CustomResourceDefinition;
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
