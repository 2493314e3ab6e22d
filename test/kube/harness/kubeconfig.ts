import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** How a kubeconfig's user authenticates: a client cert (admin) or a bearer token (service account). */
export type KubeCredentials = { certPem: string; keyPem: string } | { token: string };

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/**
 * Writes a self-contained kubeconfig (CA and credentials embedded as *-data), the kind of file a
 * user hands to the engine, and loads it back through client-node so tests exercise that path too.
 */
export function writeKubeconfig(path: string, server: string, caPem: string, user: string, credentials: KubeCredentials): KubeConfig {
  const userEntry =
    'token' in credentials ? { token: credentials.token } : { 'client-certificate-data': b64(credentials.certPem), 'client-key-data': b64(credentials.keyPem) };
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'talon-test', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: user, context: { cluster: 'talon-test', user, namespace: 'default' } }],
    'current-context': user,
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
  return loadKubeconfig(path);
}

export function loadKubeconfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
