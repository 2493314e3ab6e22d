import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { writeKubeconfig } from './kubeconfig.ts';

/** An admin connection: enough to create objects and to know where to write more kubeconfigs. */
export interface KubeAdmin {
  readonly kubeconfigPath: string;
  readonly kubeConfig: KubeConfig;
}

export interface ServiceAccountAccess extends KubeAdmin {
  readonly token: string;
}

/** Treats "already exists" as success, so helpers can be called twice for the same object. */
export async function ignoreConflict<T>(create: Promise<T>): Promise<void> {
  try {
    await create;
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

/**
 * Creates ServiceAccount `namespace/name` (and the namespace) if missing, asks the TokenRequest API
 * for a token and writes a kubeconfig that authenticates with it. The account starts with no
 * permissions at all, so a test grants exactly the Role it means to prove sufficient.
 * @param expirationSeconds token lifetime; the apiserver's minimum is 600. @default 3600
 */
export async function kubeconfigForServiceAccount(admin: KubeAdmin, namespace: string, name: string, expirationSeconds = 3600): Promise<ServiceAccountAccess> {
  const core = admin.kubeConfig.makeApiClient(CoreV1Api);
  await ignoreConflict(core.createNamespace({ body: { metadata: { name: namespace } } }));
  await ignoreConflict(core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }));
  // Empty audiences: the apiserver fills in its own (--service-account-issuer), as `kubectl create token` does.
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  const cluster = admin.kubeConfig.getCurrentCluster();
  if (!cluster?.caData) throw new Error('the admin kubeconfig has no cluster with certificate-authority-data');
  const caPem = Buffer.from(cluster.caData, 'base64').toString('utf8');
  const path = join(dirname(admin.kubeconfigPath), `sa-${namespace}-${name}-${randomBytes(3).toString('hex')}.kubeconfig`);
  const kubeConfig = writeKubeconfig(path, cluster.server, caPem, `system:serviceaccount:${namespace}:${name}`, { token });
  return { kubeconfigPath: path, kubeConfig, token };
}
