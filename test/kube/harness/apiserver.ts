import { request } from 'node:https';
import { join } from 'node:path';
import { freePort } from '../../../src/temporal/dev-server.ts';
import type { KubePki } from './pki.ts';
import { spawnLogged, waitUntil, type LoggedProcess } from './proc.ts';

export interface Apiserver {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly process: LoggedProcess;
}

/** GET with the admin client cert; resolves the status code (for /readyz polling). */
function adminGet(url: string, pki: KubePki): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: pki.caPem, cert: pki.adminCertPem, key: pki.adminKeyPem, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * kube-apiserver on 127.0.0.1 with a random secure port, flags modelled on controller-runtime's
 * envtest: client-cert auth against our CA, RBAC only (so least privilege is really enforced),
 * service-account tokens signed by our key pair (TokenRequest works), and no controllers behind it.
 */
export async function startApiserver(bin: string, dir: string, etcdUrl: string, pki: KubePki): Promise<Apiserver> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const args = [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPublicKey}`,
    `--service-account-signing-key-file=${pki.saPrivateKey}`,
    // Only an address pool for Service objects; nothing ever routes to it.
    '--service-cluster-ip-range=10.0.0.0/24',
    // No kube-controller-manager creates the `default` ServiceAccount in new namespaces, so this
    // admission plugin would reject every pod (envtest disables it for the same reason).
    '--disable-admission-plugins=ServiceAccount',
    // The `kubernetes` Endpoints may not hold a loopback address; nothing reads it here.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    // KWOK serves the kubelet API (exec, logs) at each node's InternalIP, 127.0.0.1; the node's
    // Hostname address is its name, which no resolver knows.
    '--kubelet-preferred-address-types=InternalIP',
    '--profiling=false',
    '--v=0',
  ];
  const process = spawnLogged('kube-apiserver', bin, args, join(dir, 'kube-apiserver.log'));
  try {
    await waitUntil(`kube-apiserver /readyz on ${server}`, async () => (await adminGet(`${server}/readyz`, pki)) === 200, process, 90_000, 200);
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { server, process };
}
