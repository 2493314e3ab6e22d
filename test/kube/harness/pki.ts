import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** File paths (and PEM text where a kubeconfig embeds it) of a throwaway cluster PKI. */
export interface KubePki {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly saPublicKey: string;
  readonly saPrivateKey: string;
  readonly caPem: string;
  readonly adminCertPem: string;
  readonly adminKeyPem: string;
}

// Our own minimal config, so the system openssl.cnf cannot add or clash with extensions.
const opensslConfig = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function leaf(dir: string, cnf: string, name: string, subject: string, extensions: string): Promise<void> {
  const base = join(dir, name);
  await run('openssl', ['req', '-new', '-config', cnf, ...ecKey, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject]);
  const serial = `0x${randomBytes(8).toString('hex')}`;
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    join(dir, 'ca.crt'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-set_serial',
    serial,
    '-days',
    '7',
    '-extfile',
    cnf,
    '-extensions',
    extensions,
    '-out',
    `${base}.crt`,
  ]);
}

/**
 * Creates, with the `openssl` CLI (node:crypto cannot issue X.509 certificates), one CA that signs
 * both the apiserver's serving cert (127.0.0.1/localhost) and an admin client cert in group
 * `system:masters` — the envtest layout — plus the key pair that signs service-account tokens.
 */
export async function createPki(dir: string): Promise<KubePki> {
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, opensslConfig);
  await run('openssl', [
    'req',
    '-x509',
    '-config',
    cnf,
    '-extensions',
    'ca',
    ...ecKey,
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.crt'),
    '-subj',
    '/CN=talon-test-ca',
    '-days',
    '7',
  ]);
  await Promise.all([leaf(dir, cnf, 'serving', '/CN=kube-apiserver', 'server'), leaf(dir, cnf, 'admin', '/O=system:masters/CN=talon-test-admin', 'client')]);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const saPublicKey = join(dir, 'sa.pub');
  const saPrivateKey = join(dir, 'sa.key');
  writeFileSync(saPublicKey, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(saPrivateKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caCert: join(dir, 'ca.crt'),
    servingCert: join(dir, 'serving.crt'),
    servingKey: join(dir, 'serving.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    saPublicKey,
    saPrivateKey,
    caPem: read('ca.crt'),
    adminCertPem: read('admin.crt'),
    adminKeyPem: read('admin.key'),
  };
}
